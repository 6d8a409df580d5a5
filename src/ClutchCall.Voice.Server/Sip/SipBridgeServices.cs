using System.Collections.Concurrent;
using ClutchCall.Voice.Relay.Auth;
using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Server.Relay;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>
/// What every SIP leg needs besides its dialog: the relay to bridge media into, the token issuer, the live
/// legs by call sid (for sending digits) and where received digits are recorded. The call engine is
/// resolved on first use because it depends on the SIP dialer itself.
/// </summary>
internal sealed partial class SipBridgeServices(
    RelayTokenIssuer issuer,
    InProcessRelay relay,
    TimeProvider time,
    IServiceProvider services,
    ILoggerFactory loggers)
{
    private readonly ConcurrentDictionary<string, SipCallLeg> _legs = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger("ClutchCall.Voice.Server.Sip.SipBridge");
    private CallService? _calls;

    public RelayTokenIssuer Issuer => issuer;

    public InProcessRelay Relay => relay;

    public TimeProvider Time => time;

    public ILogger Logger => _logger;

    /// <summary>Live SIP legs on this server.</summary>
    public int LiveLegs => _legs.Count;

    private CallService Calls => _calls ??= services.GetRequiredService<CallService>();

    /// <summary>What the bridges of ended legs carried, and the peak of live legs.</summary>
    public SipBridgeTotals Totals { get; } = new();

    public void Register(string sid, SipCallLeg leg)
    {
        _legs[sid] = leg;
        Totals.OnLiveLegs(_legs.Count);
    }

    public void Unregister(string sid, SipCallLeg leg) => _legs.TryRemove(new KeyValuePair<string, SipCallLeg>(sid, leg));

    /// <summary>The live SIP leg of call <paramref name="sid"/> on this server, if it has one.</summary>
    public SipCallLeg? Find(string sid) => _legs.TryGetValue(sid, out var leg) ? leg : null;

    /// <summary>Records a received digit with the call: a <c>dtmf</c> transcript entry.</summary>
    public async Task RecordDigitAsync(string orgId, string sid, char digit)
    {
        try
        {
            // The agent on the call (if any) gets the digit as a turn event first; storing it must not delay the agent.
            services.GetService<ClutchCall.Voice.Server.Agents.PipelineAgentAttacher>()?.DeliverDigit(sid, digit);
            await Calls.AppendTranscriptAsync(orgId, sid, SipDigits.Speaker, digit.ToString(), CancellationToken.None).ConfigureAwait(false);
            LogDigit(sid, digit);
        }
#pragma warning disable CA1031 // a failed write of one digit must not take down the media path
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogDigitFailed(ex, sid);
        }
    }

    [LoggerMessage(EventId = 5120, Level = LogLevel.Debug, Message = "Call {CallSid}: DTMF digit {Digit} received")]
    private partial void LogDigit(string callSid, char digit);

    [LoggerMessage(EventId = 5121, Level = LogLevel.Warning, Message = "Call {CallSid}: recording a received DTMF digit failed")]
    private partial void LogDigitFailed(Exception ex, string callSid);
}
