using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClutchCall.Voice.Server.Calls.Simulated;

/// <summary>Timing of the built-in test line.</summary>
internal sealed class SimulatedLineOptions
{
    /// <summary>Time from dialing until the test line starts ringing.</summary>
    public TimeSpan DialDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long the test line rings before it answers.</summary>
    public TimeSpan RingDuration { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Dials the reserved destinations <c>sim:echo</c> and <c>sim:speech</c> inside the server.</summary>
internal sealed partial class SimulatedDialer(
    ISimulatedCallee callee,
    IOptions<SimulatedLineOptions> options,
    TimeProvider time,
    ILogger<SimulatedDialer> logger) : ICallDialer
{
    public bool CanDial(CallRecord call) => Destinations.IsSimulated(call.To);

    public ValueTask<ICallLeg> DialAsync(CallRecord call, ICallLegEvents events, CancellationToken cancellationToken)
    {
        var line = call.To == Destinations.SimSpeech ? SimulatedLine.Speech : SimulatedLine.Echo;
        var leg = new SimulatedCallLeg(new SimulatedCallContext(call.OrgId, call.Sid, line), events, callee, options.Value, time, this);
        leg.Start();
        return ValueTask.FromResult<ICallLeg>(leg);
    }

    internal void CalleeFailed(string callSid, Exception ex) => LogCalleeFailed(ex, callSid);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Test line audio for call {CallSid} failed")]
    private partial void LogCalleeFailed(Exception ex, string callSid);
}

/// <summary>One simulated far end: rings after the dial delay, answers after the ring duration.</summary>
internal sealed class SimulatedCallLeg : ICallLeg
{
    private readonly SimulatedCallContext _context;
    private readonly ICallLegEvents _events;
    private readonly ISimulatedCallee _callee;
    private readonly SimulatedLineOptions _options;
    private readonly TimeProvider _time;
    private readonly SimulatedDialer _owner;
    private readonly CancellationTokenSource _ended = new();
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private bool _answered;

    public SimulatedCallLeg(SimulatedCallContext context, ICallLegEvents events, ISimulatedCallee callee, SimulatedLineOptions options, TimeProvider time, SimulatedDialer owner)
    {
        _context = context;
        _events = events;
        _callee = callee;
        _options = options;
        _time = time;
        _owner = owner;
    }

    /// <summary>The last transfer target, for tests and logs.</summary>
    public string? TransferredTo { get; private set; }

    public void Start()
    {
        lock (_gate)
        {
            _timer = _time.CreateTimer(_ => _ = RingAsync(), null, _options.DialDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task RingAsync()
    {
        lock (_gate)
        {
            if (_ended.IsCancellationRequested)
            {
                return;
            }

            // Schedule the answer before reporting ringing, so the ring lasts RingDuration from now
            // however long the state change takes to persist.
            _timer?.Dispose();
            _timer = _time.CreateTimer(_ => _ = AnswerAsync(), null, _options.RingDuration, Timeout.InfiniteTimeSpan);
        }

        await _events.RingingAsync().ConfigureAwait(false);
    }

    private async Task AnswerAsync()
    {
        lock (_gate)
        {
            if (_ended.IsCancellationRequested || _answered)
            {
                return;
            }

            _answered = true;
        }

        await _events.AnsweredAsync().ConfigureAwait(false);
        try
        {
            await _callee.RunAsync(_context, _ended.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_ended.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _owner.CalleeFailed(_context.CallSid, ex);
        }
    }

    public ValueTask HangupAsync(CancellationToken cancellationToken)
    {
        End();
        return ValueTask.CompletedTask;
    }

    public ValueTask TransferAsync(string to, CancellationToken cancellationToken)
    {
        TransferredTo = to;
        End();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        End();
        return ValueTask.CompletedTask;
    }

    private void End()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }

        if (!_ended.IsCancellationRequested)
        {
            _ended.Cancel();
        }
    }
}
