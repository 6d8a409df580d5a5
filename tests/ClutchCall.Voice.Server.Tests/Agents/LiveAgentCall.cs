using ClutchCall.Voice.Media;
using ClutchCall.Voice.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClutchCall.Voice.Server.Tests.Agents;

/// <summary>
/// What the live-call tests start from: a fresh server, an org with an SDK and a raw HTTP client, a <c>sim:echo</c>
/// call with the echo agent attached, and a <see cref="WebSocketCaller"/> joined as its phone side. Disposed in the
/// reverse order.
/// </summary>
internal sealed class LiveAgentCall : IAsyncDisposable
{
    private LiveAgentCall(AgentTestHost host, string orgId, Voice voice, HttpClient raw, Call call, WebSocketCaller caller)
    {
        (Host, OrgId, Voice, Raw, Call, Caller) = (host, orgId, voice, raw, call, caller);
    }

    public AgentTestHost Host { get; }

    public string OrgId { get; }

    public Voice Voice { get; }

    public HttpClient Raw { get; }

    public Call Call { get; }

    public WebSocketCaller Caller { get; }

    public static async Task<LiveAgentCall> StartAsync(TimeSpan deadline, CancellationToken ct)
    {
        var host = await AgentTestHost.StartAsync();
        Voice? voice = null;
        HttpClient? raw = null;
        try
        {
            var (orgId, key) = await host.CreateOrgAndKeyAsync();
            voice = host.Sdk(key);
            raw = host.Raw(key);
            var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100", Agent = "echo" }, ct);
            await Poll.UntilAsync(() => host.Attacher.SessionFor(call.Sid) is { }, "the echo agent attached", deadline);
            var caller = await WebSocketCaller.JoinAsync(voice, call.Sid, host.Services.GetRequiredService<MediaClock>(), ct);
            return new LiveAgentCall(host, orgId, voice, raw, call, caller);
        }
        catch
        {
            raw?.Dispose();
            voice?.Dispose();
            await host.DisposeAsync();
            throw;
        }
    }

    public void Deconstruct(out AgentTestHost host, out Voice voice, out HttpClient raw, out Call call, out WebSocketCaller caller) =>
        (host, voice, raw, call, caller) = (Host, Voice, Raw, Call, Caller);

    public async ValueTask DisposeAsync()
    {
        await Caller.DisposeAsync();
        Raw.Dispose();
        Voice.Dispose();
        await Host.DisposeAsync();
    }
}
