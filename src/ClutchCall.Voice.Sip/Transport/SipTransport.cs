using System.Net;
using System.Text;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Transport;

/// <summary>A message that arrived, with where it came from.</summary>
internal sealed record SipInbound(SipMessage Message, IPEndPoint Remote, SipTransport Transport);

/// <summary>Counters every transport keeps (ordinary bad input is dropped and counted, never thrown).</summary>
internal sealed class SipTransportCounters
{
    private long _received;
    private long _malformed;
    private long _oversized;
    private long _errorResponses;
    private long _transportErrors;

    public long Received => Interlocked.Read(ref _received);

    public long Malformed => Interlocked.Read(ref _malformed);

    public long Oversized => Interlocked.Read(ref _oversized);

    public long ErrorResponses => Interlocked.Read(ref _errorResponses);

    /// <summary>Connections that could not be opened or failed (refused, reset, TLS rejected).</summary>
    public long TransportErrors => Interlocked.Read(ref _transportErrors);

    internal void OnReceived() => Interlocked.Increment(ref _received);

    internal void OnMalformed() => Interlocked.Increment(ref _malformed);

    internal void OnOversized() => Interlocked.Increment(ref _oversized);

    internal void OnErrorResponse() => Interlocked.Increment(ref _errorResponses);

    internal void OnTransportError() => Interlocked.Increment(ref _transportErrors);
}

/// <summary>A SIP transport (RFC 3261 §18): sends bytes to a peer and delivers parsed messages up.</summary>
internal abstract class SipTransport : IAsyncDisposable
{
    protected SipTransport(SipParserOptions? options)
    {
        ParserOptions = options ?? SipParserOptions.Default;
    }

    /// <summary>"UDP", "TCP" or "TLS", as written in Via.</summary>
    public abstract string Protocol { get; }

    public abstract bool IsReliable { get; }

    public abstract IPEndPoint LocalEndPoint { get; }

    public SipParserOptions ParserOptions { get; }

    public SipTransportCounters Counters { get; } = new();

    /// <summary>Receives every well-formed message. Set before <see cref="Start"/>.</summary>
    public Action<SipInbound>? MessageReceived { get; set; }

    /// <summary>
    /// RFC 3261 §18.4: a connection to the peer failed (refused, reset, TLS handshake or certificate
    /// rejected). The exception says why; the transaction user fails the transactions bound there.
    /// </summary>
    public Action<IPEndPoint, Exception>? TransportFailed { get; set; }

    public abstract void Start();

    protected void ReportTransportError(IPEndPoint remote, Exception error) => TransportFailed?.Invoke(remote, error);

    /// <summary>Queues bytes for the peer; never blocks and never throws for network errors (they are counted).</summary>
    public abstract void Send(ReadOnlyMemory<byte> data, IPEndPoint remote);

    public abstract ValueTask DisposeAsync();

    /// <summary>The address a response goes to (RFC 3261 §18.2.2, RFC 3581 §4): the source when rport or received are set.</summary>
    public static IPEndPoint ResponseTarget(SipMessage request, IPEndPoint source) => source;

    /// <summary>Handles a parse result: delivers it, answers a broken request with its 4xx/5xx, or drops and counts.</summary>
    protected void Deliver(bool parsed, SipMessage? message, SipParseError error, IPEndPoint remote)
    {
        if (!parsed)
        {
            if (error.Kind == SipParseErrorKind.TooLarge)
            {
                Counters.OnOversized();
            }
            else
            {
                Counters.OnMalformed();
            }

            if (SipResponseFactory.ForParseError(message, error) is { } response)
            {
                Counters.OnErrorResponse();
                Send(response.ToArray(), remote);
            }

            return;
        }

        Counters.OnReceived();
        var m = message!;
        if (m.IsRequest)
        {
            StampReceived(m, remote);
        }

        MessageReceived?.Invoke(new SipInbound(m, remote, this));
    }

    /// <summary>
    /// RFC 3261 §18.2.1: add received when sent-by differs from the source address;
    /// RFC 3581 §4: fill an empty rport with the source port (and then always add received).
    /// </summary>
    internal static void StampReceived(SipMessage request, IPEndPoint remote)
    {
        var via = request.TopVia!;
        var sourceIp = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        var changed = false;
        if (via.HasRPort)
        {
            via.SetParameter("rport", remote.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            via.SetParameter("received", sourceIp.ToString());
            changed = true;
        }
        else if (!IPAddress.TryParse(via.Host.Trim('[', ']'), out var sentBy) || !sentBy.Equals(sourceIp))
        {
            via.SetParameter("received", sourceIp.ToString());
            changed = true;
        }

        if (!changed)
        {
            return;
        }

        for (var i = 0; i < request.Headers.Count; i++)
        {
            if (request.Headers[i].Name != SipHeaderNames.Via)
            {
                continue;
            }

            var parts = new List<string>();
            SipChars.TrySplitList(request.Headers[i].Value, parts);
            parts[0] = via.ToString();
            request.Headers[i] = new SipHeaderField(SipHeaderNames.Via, Encoding.UTF8.GetBytes(string.Join(", ", parts)));
            return;
        }
    }
}
