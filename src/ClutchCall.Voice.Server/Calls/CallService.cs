using System.Collections.Concurrent;
using ClutchCall.Voice.Server.Agents;
using ClutchCall.Voice.Server.Storage;
using ClutchCall.Voice.Server.Webhooks;

namespace ClutchCall.Voice.Server.Calls;

/// <summary>What to originate (already validated).</summary>
internal sealed record OriginateCommand(string To, string From, string? TrunkId, string? Agent, int RingTimeoutSeconds);

/// <summary>
/// The call engine: creates calls, drives them through <see cref="CallStateMachine"/> from leg
/// events, API requests and the ring timeout, persists every change with its webhook events in one
/// transaction, and keeps the live legs of this process.
/// </summary>
internal sealed partial class CallService : IAsyncDisposable
{
    /// <summary>The transcript speaker of received DTMF digits.</summary>
    public const string DtmfSpeaker = "dtmf";

    private const int MaxUpdateRetries = 8;

    private readonly ICallStore _store;
    private readonly IReadOnlyList<ICallDialer> _dialers;
    private readonly IAgentAttacher _agents;
    private readonly WebhookSignal _signal;
    private readonly TimeProvider _time;
    private readonly ILogger<CallService> _logger;
    private readonly ConcurrentDictionary<string, LiveCall> _live = new(StringComparer.Ordinal);

    public CallService(ICallStore store, IEnumerable<ICallDialer> dialers, IAgentAttacher agents, WebhookSignal signal, TimeProvider time, ILogger<CallService> logger)
    {
        _store = store;
        _dialers = dialers.ToArray();
        _agents = agents;
        _signal = signal;
        _time = time;
        _logger = logger;
    }

    /// <summary>Creates the call in <c>dialing</c>, starts dialing in the background and returns the stored call.</summary>
    public async Task<CallRecord> OriginateAsync(string orgId, OriginateCommand command, CancellationToken cancellationToken)
    {
        var call = new CallRecord
        {
            Sid = Ids.NewCallSid(),
            OrgId = orgId,
            Direction = CallDirection.Outbound,
            To = command.To,
            From = command.From,
            TrunkId = command.TrunkId,
            Agent = command.Agent,
            Status = CallStatus.Dialing,
            RingTimeoutSeconds = command.RingTimeoutSeconds,
            StartedAt = _time.GetUtcNow(),
        };
        await _store.InsertAsync(call, [CallEvents.Create(CallEvents.Started, call, call.StartedAt)], cancellationToken).ConfigureAwait(false);
        _signal.Notify();

        var live = new LiveCall(orgId, call.Sid);
        _live[call.Sid] = live;
        live.RingTimer = _time.CreateTimer(_ => _ = OnRingTimeoutAsync(orgId, call.Sid), null, TimeSpan.FromSeconds(command.RingTimeoutSeconds), Timeout.InfiniteTimeSpan);
        _ = DialAsync(call, live);
        return call;
    }

    public Task<CallRecord?> GetAsync(string orgId, string sid, CancellationToken cancellationToken) => _store.GetAsync(orgId, sid, cancellationToken);

    /// <summary>
    /// Records a call that arrived on a trunk as <c>inbound</c> in <c>ringing</c>, with its live leg made by
    /// <paramref name="attachLeg"/> (which receives the leg events); the leg's answer moves it to <c>in_progress</c>.
    /// </summary>
    public async Task<CallRecord> CreateInboundAsync(string orgId, string to, string from, string? trunkId, string? agent, Func<CallRecord, ICallLegEvents, ICallLeg> attachLeg, CancellationToken cancellationToken)
    {
        var call = new CallRecord
        {
            Sid = Ids.NewCallSid(),
            OrgId = orgId,
            Direction = CallDirection.Inbound,
            To = to,
            From = from,
            TrunkId = trunkId,
            Agent = agent,
            Status = CallStatus.Ringing,
            RingTimeoutSeconds = 0,
            StartedAt = _time.GetUtcNow(),
        };
        await _store.InsertAsync(call, [CallEvents.Create(CallEvents.Started, call, call.StartedAt)], cancellationToken).ConfigureAwait(false);
        _signal.Notify();
        var live = new LiveCall(orgId, call.Sid);
        _live[call.Sid] = live;
        live.Leg = attachLeg(call, new LegEvents(this, orgId, call.Sid));
        return call;
    }

    public Task<IReadOnlyList<CallRecord>> ListAsync(string orgId, CallQuery query, CancellationToken cancellationToken) => _store.ListAsync(orgId, query, cancellationToken);

    public async Task<IReadOnlyList<TranscriptEntry>> GetTranscriptAsync(string orgId, string sid, CancellationToken cancellationToken)
    {
        _ = await _store.GetAsync(orgId, sid, cancellationToken).ConfigureAwait(false) ?? throw new CallNotFoundException(sid);
        return await _store.GetTranscriptAsync(orgId, sid, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds a transcript line (called by the agent runtime and the test line).</summary>
    public async Task AppendTranscriptAsync(string orgId, string sid, string speaker, string text, CancellationToken cancellationToken)
    {
        var entry = new TranscriptEntry(speaker, text, _time.GetUtcNow());
        if (speaker != DtmfSpeaker)
        {
            await _store.AppendTranscriptAsync(orgId, sid, entry, cancellationToken).ConfigureAwait(false);
            return;
        }

        // A received digit is a call event too (call.dtmf), queued with the line so neither is lost alone.
        var call = await _store.GetAsync(orgId, sid, cancellationToken).ConfigureAwait(false) ?? throw new CallNotFoundException(sid);
        await _store.AppendTranscriptAsync(orgId, sid, entry, [CallEvents.Create(CallEvents.Dtmf, call, entry.At, [entry])], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the call: <c>completed</c> with reason <c>hangup</c> after answer, <c>canceled</c> before.</summary>
    public async Task<CallRecord> HangupAsync(string orgId, string sid, CancellationToken cancellationToken)
    {
        var current = await _store.GetAsync(orgId, sid, cancellationToken).ConfigureAwait(false) ?? throw new CallNotFoundException(sid);
        if (current.Status.IsTerminal())
        {
            throw new CallConflictException($"Call {sid} has already ended ({current.Status.ToWire()}); there is nothing to hang up.");
        }

        if (_live.TryGetValue(sid, out var live) && live.Leg is { } leg)
        {
            await leg.HangupAsync(cancellationToken).ConfigureAwait(false);
        }

        var now = _time.GetUtcNow();
        var next = await UpdateAsync(orgId, sid, c => c.Status.IsTerminal() ? null : c.TransitionTo(CallStatus.Completed, now, c.Status == CallStatus.InProgress ? "hangup" : "canceled"), cancellationToken).ConfigureAwait(false);
        return next ?? throw new CallNotFoundException(sid);
    }

    /// <summary>Blind-transfers a call in progress to an E.164 number; our side then ends with reason <c>transferred</c>.</summary>
    public async Task<CallRecord> TransferToNumberAsync(string orgId, string sid, string to, CancellationToken cancellationToken)
    {
        var current = await _store.GetAsync(orgId, sid, cancellationToken).ConfigureAwait(false) ?? throw new CallNotFoundException(sid);
        if (current.Status != CallStatus.InProgress)
        {
            throw new CallConflictException($"Only a call in progress can be transferred to a number; call {sid} is {current.Status.ToWire()}.");
        }

        if (!_live.TryGetValue(sid, out var live) || live.Leg is not { } leg)
        {
            throw new CallConflictException($"Call {sid} has no live media leg on this server, so it cannot be transferred.");
        }

        await leg.TransferAsync(to, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var next = await UpdateAsync(orgId, sid, c => c.Status.IsTerminal() ? null : c.TransitionTo(CallStatus.Completed, now, "transferred"), cancellationToken).ConfigureAwait(false);
        return next ?? throw new CallNotFoundException(sid);
    }

    /// <summary>
    /// Puts <paramref name="agent"/> on the call (replacing any agent). Before answer it is recorded and
    /// attached on answer; in progress it is attached now.
    /// </summary>
    public async Task<CallRecord> AttachAgentAsync(string orgId, string sid, string agent, CancellationToken cancellationToken)
    {
        var current = await _store.GetAsync(orgId, sid, cancellationToken).ConfigureAwait(false) ?? throw new CallNotFoundException(sid);
        if (current.Status.IsTerminal())
        {
            throw new CallConflictException($"Call {sid} has already ended ({current.Status.ToWire()}); an agent cannot be attached.");
        }

        var next = await UpdateAsync(orgId, sid, c => c.Status.IsTerminal() ? null : c with { Agent = agent }, cancellationToken).ConfigureAwait(false)
            ?? throw new CallNotFoundException(sid);
        if (next.Status.IsTerminal())
        {
            throw new CallConflictException($"Call {sid} ended ({next.Status.ToWire()}) before the agent could be attached.");
        }

        if (next.Status == CallStatus.InProgress)
        {
            await _agents.AttachAsync(orgId, sid, agent, cancellationToken).ConfigureAwait(false);
        }

        return next;
    }

    /// <summary>Marks calls left unfinished by a previous process as failed (<c>server_restart</c>): their legs died with it.</summary>
    public async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var call in await _store.ListUnfinishedAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_live.ContainsKey(call.Sid))
            {
                continue;
            }

            var now = _time.GetUtcNow();
            if (await UpdateAsync(call.OrgId, call.Sid, c => c.Status.IsTerminal() ? null : c.TransitionTo(CallStatus.Failed, now, "server_restart"), cancellationToken).ConfigureAwait(false) is not null)
            {
                count++;
            }
        }

        return count;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var live in _live.Values)
        {
            live.RingTimer?.Dispose();
            if (live.Leg is { } leg)
            {
                await leg.DisposeAsync().ConfigureAwait(false);
            }
        }

        _live.Clear();
    }

    private async Task DialAsync(CallRecord call, LiveCall live)
    {
        var dialer = _dialers.FirstOrDefault(d => d.CanDial(call));
        if (dialer is null)
        {
            await EndFromLegAsync(call.OrgId, call.Sid, CallStatus.Failed, call.TrunkId is null ? "no_route: no SIP trunk is configured for this destination" : $"no_route: trunk '{call.TrunkId}' is not available").ConfigureAwait(false);
            return;
        }

        try
        {
            var leg = await dialer.DialAsync(call, new LegEvents(this, call.OrgId, call.Sid), CancellationToken.None).ConfigureAwait(false);
            live.Leg = leg;
            if (!_live.ContainsKey(call.Sid))
            {
                // The call ended while the dialer was still setting up.
                await leg.HangupAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            LogDialFailed(ex, call.Sid);
            await EndFromLegAsync(call.OrgId, call.Sid, CallStatus.Failed, "dial_error").ConfigureAwait(false);
        }
    }

    private async Task OnRingTimeoutAsync(string orgId, string sid)
    {
        try
        {
            var now = _time.GetUtcNow();
            var next = await UpdateAsync(orgId, sid, c => c.Status is CallStatus.Dialing or CallStatus.Ringing ? c.TransitionTo(CallStatus.NoAnswer, now, "ring_timeout") : null, CancellationToken.None).ConfigureAwait(false);
            if (next is { Status: CallStatus.NoAnswer, EndReason: "ring_timeout" } && _live.TryGetValue(sid, out var live) && live.Leg is { } leg)
            {
                await leg.HangupAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            LogBackgroundFailed(ex, sid, "ring timeout");
        }
    }

    private async Task EndFromLegAsync(string orgId, string sid, CallStatus status, string reason)
    {
        try
        {
            var now = _time.GetUtcNow();
            await UpdateAsync(orgId, sid, c => CallStateMachine.CanTransition(c.Status, status) ? c.TransitionTo(status, now, reason) : null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogBackgroundFailed(ex, sid, "leg ended");
        }
    }

    /// <summary>
    /// Loads, applies <paramref name="change"/> (null = nothing to do), stores with optimistic
    /// concurrency and retries on a lost race. Returns the call as stored afterwards.
    /// </summary>
    private async Task<CallRecord?> UpdateAsync(string orgId, string sid, Func<CallRecord, CallRecord?> change, CancellationToken cancellationToken)
    {
        for (var i = 0; i < MaxUpdateRetries; i++)
        {
            var current = await _store.GetAsync(orgId, sid, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return null;
            }

            var next = change(current);
            if (next is null)
            {
                return current;
            }

            var events = new List<OutboundEvent>(2);
            var now = _time.GetUtcNow();
            if (next.Status != current.Status)
            {
                events.Add(CallEvents.Create(CallEvents.Status, next, now));
                if (next.Status.IsTerminal())
                {
                    var transcript = await _store.GetTranscriptAsync(orgId, sid, cancellationToken).ConfigureAwait(false);
                    events.Add(CallEvents.Create(CallEvents.Ended, next, now, transcript));
                }
            }

            if (!await _store.UpdateAsync(next, current.Version, events, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            if (events.Count > 0)
            {
                _signal.Notify();
            }

            next = next with { Version = current.Version + 1 };
            await AfterChangeAsync(current, next).ConfigureAwait(false);
            return next;
        }

        throw new CallConflictException($"Call {sid} is changing too quickly; retry the request.");
    }

    private async Task AfterChangeAsync(CallRecord before, CallRecord after)
    {
        if (after.Status.IsTerminal() && !before.Status.IsTerminal())
        {
            if (_live.TryRemove(after.Sid, out var live))
            {
                live.RingTimer?.Dispose();
                if (live.Leg is { } leg)
                {
                    await leg.DisposeAsync().ConfigureAwait(false);
                }
            }

            if (before.Status == CallStatus.InProgress && after.Agent is not null)
            {
                await _agents.DetachAsync(after.OrgId, after.Sid, CancellationToken.None).ConfigureAwait(false);
            }

            return;
        }

        if (after.Status == CallStatus.InProgress && before.Status != CallStatus.InProgress)
        {
            if (_live.TryGetValue(after.Sid, out var live))
            {
                live.RingTimer?.Dispose();
            }

            if (after.Agent is { } agent)
            {
                await _agents.AttachAsync(after.OrgId, after.Sid, agent, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Warning, Message = "Dialing call {CallSid} failed")]
    private partial void LogDialFailed(Exception ex, string callSid);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "Call {CallSid}: handling {What} failed")]
    private partial void LogBackgroundFailed(Exception ex, string callSid, string what);

    private sealed class LiveCall(string orgId, string sid)
    {
        public string OrgId { get; } = orgId;

        public string Sid { get; } = sid;

        public ITimer? RingTimer { get; set; }

        public ICallLeg? Leg { get; set; }
    }

    /// <summary>Routes one leg's progress into the state machine.</summary>
    private sealed class LegEvents(CallService owner, string orgId, string sid) : ICallLegEvents
    {
        public async ValueTask RingingAsync()
        {
            try
            {
                await owner.UpdateAsync(orgId, sid, c => c.Status == CallStatus.Dialing ? c.TransitionTo(CallStatus.Ringing, owner._time.GetUtcNow()) : null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                owner.LogBackgroundFailed(ex, sid, "ringing");
            }
        }

        public async ValueTask AnsweredAsync()
        {
            try
            {
                await owner.UpdateAsync(orgId, sid, c => c.Status is CallStatus.Dialing or CallStatus.Ringing ? c.TransitionTo(CallStatus.InProgress, owner._time.GetUtcNow()) : null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                owner.LogBackgroundFailed(ex, sid, "answer");
            }
        }

        public async ValueTask EndedAsync(CallStatus status, string reason)
        {
            if (!status.IsTerminal())
            {
                throw new ArgumentOutOfRangeException(nameof(status), status, "A leg can only end in a terminal status.");
            }

            await owner.EndFromLegAsync(orgId, sid, status, reason).ConfigureAwait(false);
        }
    }
}
