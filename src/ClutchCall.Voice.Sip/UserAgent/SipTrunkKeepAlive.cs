using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using ClutchCall.Voice.Sip.Messages;

namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>
/// OPTIONS keep-alive toward one trunk: every <see cref="SipTrunkOptions.KeepAliveSeconds"/> on the user agent's
/// clock an out-of-dialog OPTIONS (RFC 3261 §11.1) goes to the trunk's RFC 3263 targets. Any final response means the
/// trunk is reachable — a 404, 405 or 501 only says it does not like OPTIONS (§11.2) — while Timer F or a transport
/// error means it is not; the next target is then tried (RFC 3263 §4.3). Over UDP each probe also refreshes the NAT
/// binding of our SIP port. The first probe goes out one interval after start.
/// </summary>
internal sealed class SipTrunkKeepAlive : IAsyncDisposable
{
    private static readonly Meter Meter = new("ClutchCall.Voice.Sip");
    private static readonly Counter<long> TransitionsCounter = Meter.CreateCounter<long>("clutchcall.sip.trunk.health_transitions", description: "Trunk keep-alive state changes (up/down)");
    private static readonly Counter<long> ProbeFailures = Meter.CreateCounter<long>("clutchcall.sip.trunk.probe_failures", description: "OPTIONS keep-alive probes that timed out or hit a transport error");

    private readonly SipUserAgent _ua;
    private readonly SipTrunkOptions _trunk;
    private readonly Action<SipTrunkHealth> _onChange;
    private readonly string _tag = SipResponseFactory.NewTag();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private SipTrunkHealth _health;
    private IPEndPoint? _preferred;
    private uint _cseq;
    private Task? _loop;

    public SipTrunkKeepAlive(SipUserAgent ua, SipTrunkOptions trunk, Action<SipTrunkHealth> onChange)
    {
        _ua = ua;
        _trunk = trunk;
        _onChange = onChange;
        _health = SipTrunkHealth.Unknown(trunk.Id);
        Interval = TimeSpan.FromSeconds(trunk.KeepAliveSeconds);
    }

    public TimeSpan Interval { get; }

    public SipTrunkHealth Health
    {
        get
        {
            lock (_gate)
            {
                return _health;
            }
        }
    }

    /// <summary>Starts probing; the first probe is due one interval from now on the user agent's clock.</summary>
    public void Start()
    {
        var first = Task.Delay(Interval, _ua.Time, _stop.Token);
        _loop = Task.Run(() => LoopAsync(first, _stop.Token));
    }

    private async Task LoopAsync(Task wait, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Outcome outcome;
            try
            {
                await wait.ConfigureAwait(false);
                outcome = await ProbeAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
#pragma warning disable CA1031 // a failed probe marks the trunk down, it never stops the keep-alive
            catch (Exception e)
#pragma warning restore CA1031
            {
                outcome = new Outcome(SipTrunkState.Down, e is SipException se ? se.StatusCode : 500, null, null, e.Message, 0, 1);
            }

            // The next probe is scheduled before the result is published, so whoever reads the new health knows
            // the next probe is exactly one interval away.
            wait = Task.Delay(Interval, _ua.Time, ct);
            Record(outcome);
        }
    }

    /// <summary>One probe: the preferred target first, then the others in RFC 3263 order, until one answers.</summary>
    private async Task<Outcome> ProbeAsync(CancellationToken ct)
    {
        var targets = await _ua.ResolveTrunkTargetsAsync(_trunk, ct).ConfigureAwait(false);
        var order = new List<IPEndPoint>(targets.Count);
        if (_preferred is { } p && targets.Contains(p))
        {
            order.Add(p);
        }

        order.AddRange(targets.Where(t => !t.Equals(_preferred)));
        var tried = new List<string>();
        var lastStatus = 0;
        foreach (var target in order)
        {
            var started = _ua.Time.GetTimestamp();
            var tx = _ua.StartTransaction(Build(target), target);
            var final = await tx.FinalResponse.WaitAsync(ct).ConfigureAwait(false);
            lastStatus = final.StatusCode;
            if (SipTargetFailure.Of(_ua, tx, final, started) is { } why)
            {
                tried.Add($"{SipTargetFailure.Describe(_ua, target)}: {why}");
                continue;
            }

            // RFC 3261 §11.2: whatever the status, a final response came from the trunk.
            _preferred = target;
            return new Outcome(SipTrunkState.Up, final.StatusCode, _ua.Time.GetElapsedTime(started), target, null, tried.Count + 1, tried.Count);
        }

        return new Outcome(SipTrunkState.Down, lastStatus, null, null, "no answer to OPTIONS: " + string.Join("; ", tried), tried.Count, tried.Count);
    }

    private sealed record Outcome(SipTrunkState State, int Status, TimeSpan? RoundTrip, IPEndPoint? Target, string? Error, int Probes, int Failures);

    private void Record(Outcome outcome)
    {
        var (state, status, rtt, target, error, probes, failures) = outcome;
        SipTrunkHealth updated;
        bool changed;
        lock (_gate)
        {
            var old = _health;
            changed = old.State != state;
            updated = old with
            {
                State = state,
                LastStatus = status,
                LastRoundTrip = rtt ?? old.LastRoundTrip,
                LastError = error,
                Target = target ?? old.Target,
                LastChange = changed ? _ua.Time.GetUtcNow() : old.LastChange,
                Transitions = old.Transitions + (changed ? 1 : 0),
                ProbesSent = old.ProbesSent + probes,
                ProbesFailed = old.ProbesFailed + failures,
            };
            _health = updated;
        }

        var tag = new KeyValuePair<string, object?>("trunk", _trunk.Id);
        if (failures > 0)
        {
            ProbeFailures.Add(failures, tag);
        }

        if (changed)
        {
            // Reported once per change, not per probe.
            TransitionsCounter.Add(1, tag, new KeyValuePair<string, object?>("state", state.ToString()));
            _onChange(updated);
        }
    }

    /// <summary>
    /// RFC 3261 §11.1: an OPTIONS to the trunk's domain, from our identity; each probe is a fresh out-of-dialog
    /// request (new Call-ID and branch), so a stateful peer never mistakes it for a retransmission.
    /// </summary>
    private SipMessageBuilder Build(IPEndPoint destination)
    {
        var scheme = _trunk.UriScheme;
        var domain = _trunk.EffectiveDomain;
        var user = _trunk.Username is { Length: > 0 } u ? u : "keepalive";
        return SipMessageBuilder.Request("OPTIONS", $"{scheme}:{domain}")
            .Add(SipHeaderNames.Via, _ua.NewVia(destination))
            .Add(SipHeaderNames.MaxForwards, "70")
            .Add(SipHeaderNames.From, $"<{scheme}:{user}@{domain}>;tag={_tag}")
            .Add(SipHeaderNames.To, $"<{scheme}:{domain}>")
            .Add(SipHeaderNames.CallId, SipResponseFactory.NewCallId(_ua.Host))
            .Add(SipHeaderNames.CSeq, Interlocked.Increment(ref _cseq).ToString(CultureInfo.InvariantCulture) + " OPTIONS")
            .Add(SipHeaderNames.Contact, _ua.Contact(_trunk.Username, destination))
            .Add(SipHeaderNames.Accept, "application/sdp")
            .Add(SipHeaderNames.UserAgent, _ua.Options.Product);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }
}
