using System.Globalization;
using System.Runtime.CompilerServices;
using ClutchCall.Voice.Internal;

namespace ClutchCall.Voice;

/// <summary>Control plane: originate, fetch and list calls. Reach it as <see cref="Voice.Calls"/>.</summary>
public sealed class CallsClient
{
    private readonly VoiceHttp _http;

    internal CallsClient(VoiceHttp http) => _http = http;

    /// <summary>Places an outbound call and returns it once it is dialing. Not retried (not idempotent).</summary>
    public async Task<Call> OriginateAsync(OriginateCallOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var body = new OriginateWire(options.To, options.From, options.TrunkId, options.Agent, options.RingTimeoutSeconds);
        var wire = await _http.SendAsync<CallWire>(HttpMethod.Post, "/v1/calls", body, cancellationToken).ConfigureAwait(false);
        return new Call(_http, wire);
    }

    /// <summary>Fetches the current state of a call. Throws <see cref="VoiceNotFoundException"/> for an unknown sid.</summary>
    public async Task<Call> GetAsync(string sid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sid);
        var wire = await _http.SendAsync<CallWire>(HttpMethod.Get, $"/v1/calls/{Uri.EscapeDataString(sid)}", null, cancellationToken).ConfigureAwait(false);
        return new Call(_http, wire);
    }

    /// <summary>One page of calls, newest first.</summary>
    public async Task<CallPage> ListAsync(ListCallsOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListCallsOptions();
        var query = new List<string>();
        if (options.Status is { } s)
        {
            query.Add("status=" + s.ToWireName());
        }

        if (options.Direction is { } d)
        {
            query.Add("direction=" + (d == CallDirection.Inbound ? "inbound" : "outbound"));
        }

        if (options.Number is { } n)
        {
            query.Add("number=" + Uri.EscapeDataString(n));
        }

        if (options.Limit is { } l)
        {
            query.Add("limit=" + l.ToString(CultureInfo.InvariantCulture));
        }

        if (options.Cursor is { } c)
        {
            query.Add("cursor=" + Uri.EscapeDataString(c));
        }

        var path = "/v1/calls" + (query.Count > 0 ? "?" + string.Join('&', query) : string.Empty);
        var wire = await _http.SendAsync<CallListWire>(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        return new CallPage(wire.Items.Select(w => new Call(_http, w)).ToArray(), wire.NextCursor);
    }

    /// <summary>Every call matching <paramref name="options"/>, following cursors page by page.</summary>
    public async IAsyncEnumerable<Call> ListAllAsync(ListCallsOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options ??= new ListCallsOptions();
        string? cursor = options.Cursor;
        do
        {
            var page = await ListAsync(new ListCallsOptions { Status = options.Status, Direction = options.Direction, Number = options.Number, Limit = options.Limit, Cursor = cursor }, cancellationToken).ConfigureAwait(false);
            foreach (var call in page.Items)
            {
                yield return call;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }
}

/// <summary>AI-agent attach. Reach it as <see cref="Voice.Agents"/>.</summary>
public sealed class AgentsClient
{
    private readonly VoiceHttp _http;

    internal AgentsClient(VoiceHttp http) => _http = http;

    /// <summary>
    /// Binds a server-side agent to a live call (needs <c>voice:agents</c>). Before answer the agent
    /// is recorded and starts on answer; the engine wires its audio, so no bridge is needed.
    /// </summary>
    public async Task AttachAsync(string callSid, string agent, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(callSid);
        ArgumentException.ThrowIfNullOrEmpty(agent);
        await _http.SendAsync<CallWire>(HttpMethod.Post, $"/v1/calls/{Uri.EscapeDataString(callSid)}/agent", new AgentWire(agent), cancellationToken).ConfigureAwait(false);
    }
}
