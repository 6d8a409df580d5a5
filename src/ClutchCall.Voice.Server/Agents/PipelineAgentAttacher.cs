using System.Collections.Concurrent;
using ClutchCall.Voice.Agents.Pipeline;
using ClutchCall.Voice.Agents.Runtime;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Relay.Auth;
using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Server.Relay;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClutchCall.Voice.Server.Agents;

/// <summary>
/// The agent runtime behind <see cref="IAgentAttacher"/>: per call one <see cref="CallAgentSession"/> that joins the
/// in-process relay as an ordinary MoQT client with a server-side grant (subscribe uplink, publish downlink),
/// runs the speech pipeline with the agent, and reports transcript and timings through an <see cref="AgentCallRecorder"/>.
/// Attaching again replaces the running agent; detaching (call ended) releases everything. A failing call is
/// logged and never affects another.
/// </summary>
internal sealed partial class PipelineAgentAttacher(
    AgentCatalog catalog,
    AgentEngines engines,
    RelayTokenIssuer issuer,
    InProcessRelay relay,
    MediaClock clock,
    CallTurnStore turns,
    AgentMetrics metrics,
    IServiceProvider services,
    TimeProvider time,
    IOptions<AgentRuntimeOptions> options,
    ILogger<PipelineAgentAttacher> logger) : IAgentAttacher, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    /// <summary>Calls with an agent session running.</summary>
    public int ActiveSessions => _slots.Values.Count(s => s.Session is not null);

    /// <summary>The session running on <paramref name="callSid"/>, if any (tests, diagnostics).</summary>
    internal CallAgentSession? SessionFor(string callSid) => _slots.TryGetValue(callSid, out var slot) ? slot.Session : null;

    /// <summary>
    /// Hands a DTMF digit the caller pressed to the agent on <paramref name="callSid"/>, if one runs: it becomes a turn
    /// event of the call's speech pipeline, and the agent receives the turn's digits. Non-blocking; safe from any thread.
    /// Returns false when no agent runs on the call or the digit was not taken.
    /// </summary>
    public bool DeliverDigit(string callSid, char digit)
    {
        if (!_slots.TryGetValue(callSid, out var slot))
        {
            return false;
        }

        CallAgentSession? session;
        lock (slot.DigitGate)
        {
            session = slot.Session;
            if (session is null)
            {
                // The agent is still joining (engines warming, relay connecting): keep the digit for it rather than
                // lose what the caller pressed right after the answer.
                if (slot.Detached || slot.EarlyDigits.Count >= Slot.MaxEarlyDigits)
                {
                    return false;
                }

                slot.EarlyDigits.Enqueue(digit);
                return true;
            }
        }

        if (!session.PushDigit(digit))
        {
            LogDigitNotDelivered(callSid, digit);
            return false;
        }

        return true;
    }

    public async ValueTask AttachAsync(string orgId, string callSid, string agent, CancellationToken cancellationToken)
    {
        if (!catalog.TryCreate(agent, out var conversation))
        {
            LogUnknownAgent(callSid, agent, string.Join(", ", catalog.Ids));
            await DetachAsync(orgId, callSid, cancellationToken).ConfigureAwait(false);
            return;
        }

        _ = engines.WarmUpAsync();
        var slot = _slots.GetOrAdd(callSid, static _ => new Slot());
        await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (slot.Detached)
            {
                return;
            }

            // Replace: the old agent stops (and its transcript is flushed) before the new one hears the caller.
            await StopAsync(slot).ConfigureAwait(false);
            var o = options.Value;
            var recorder = new AgentCallRecorder(orgId, agent, services.GetRequiredService<CallService>, turns, time, o.FlushTimeout, logger);
            try
            {
                var token = issuer.Issue(orgId, RelayTrackGrant.ServerSide(callSid), RelayTokenIssuer.MaxTtl).Token;
                using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                connect.CancelAfter(o.ConnectTimeout);
                var client = await MoqtClient.ConnectAsync(new MoqtClientOptions
                {
                    Endpoints = [new MoqtClientEndpoint(relay.Network.CreateConnector(), relay.Uri)],
                    AuthorizationToken = token,
                }, connect.Token).ConfigureAwait(false);
                var defaults = new CallSpeechPipelineOptions();
                var setup = new CallAgentSessionSetup(callSid, agent, conversation, engines.SpeechToText, engines.TextToSpeech, clock, time, defaults with
                {
                    EngineTimeout = o.EngineTimeout,
                    VadAggressiveness = o.VadAggressiveness,
                    Turns = o.Turns(defaults.Turns),
                });
                var session = await CallAgentSession.StartAsync(setup, client, recorder, metrics, connect.Token).ConfigureAwait(false);
                lock (slot.DigitGate)
                {
                    // Digits pressed while the agent was joining go first, in order, before any later one.
                    while (slot.EarlyDigits.TryDequeue(out var early))
                    {
                        session.PushDigit(early);
                    }

                    slot.Session = session;
                }

                slot.Recorder = recorder;
                LogAttached(callSid, agent);
                if (await services.GetRequiredService<CallService>().GetAsync(orgId, callSid, cancellationToken).ConfigureAwait(false) is not { } call || call.Status.IsTerminal())
                {
                    // The call ended while the agent was joining (its detach may have come first): do not outlive it.
                    slot.Detached = true;
                    _slots.TryRemove(new KeyValuePair<string, Slot>(callSid, slot));
                    await StopAsync(slot).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The call goes on without an agent; nothing of the failed attempt stays behind.
                await recorder.DisposeAsync().ConfigureAwait(false);
                LogAttachFailed(ex, callSid, agent);
            }
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    public async ValueTask DetachAsync(string orgId, string callSid, CancellationToken cancellationToken)
    {
        if (!_slots.TryRemove(callSid, out var slot))
        {
            return;
        }

        await slot.Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            slot.Detached = true;
            await StopAsync(slot).ConfigureAwait(false);
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sid in _slots.Keys.ToArray())
        {
            await DetachAsync(string.Empty, sid, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task StopAsync(Slot slot)
    {
        var session = slot.Session;
        var recorder = slot.Recorder;
        slot.Session = null;
        slot.Recorder = null;
        try
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
                LogDetached(session.CallSid, session.AgentId, session.CallerFrames, session.FramesSent, session.LateFrames);
            }
        }
        catch (Exception ex)
        {
            LogDetachFailed(ex, session?.CallSid ?? "?");
        }

        if (recorder is not null)
        {
            await recorder.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Slot
    {
        public const int MaxEarlyDigits = 32;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Orders digit hand-over against the session appearing.</summary>
        public Lock DigitGate { get; } = new();

        /// <summary>Digits that arrived while the agent was joining.</summary>
        public Queue<char> EarlyDigits { get; } = new();

        public CallAgentSession? Session { get; set; }

        public AgentCallRecorder? Recorder { get; set; }

        public bool Detached { get; set; }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Agent {Agent} attached to call {CallSid}")]
    private partial void LogAttached(string callSid, string agent);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Agent {Agent} could not be attached to call {CallSid}; the call goes on without it")]
    private partial void LogAttachFailed(Exception ex, string callSid, string agent);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Call {CallSid} names agent {Agent}, which this runtime does not know (known: {Known}); no agent runs")]
    private partial void LogUnknownAgent(string callSid, string agent, string known);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Agent {Agent} left call {CallSid}: {CallerFrames} caller frames heard, {Sent} reply frames sent, {Late} late")]
    private partial void LogDetached(string callSid, string agent, long callerFrames, long sent, long late);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "DTMF digit {Digit} on call {CallSid} was not taken by its agent (not a DTMF key, or too many queued)")]
    private partial void LogDigitNotDelivered(string callSid, char digit);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "Releasing the agent session of call {CallSid} failed")]
    private partial void LogDetachFailed(Exception ex, string callSid);
}
