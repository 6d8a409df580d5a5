using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Transactions;
using ClutchCall.Voice.Sip.Transport;

namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>
/// Tells a target that never answered from one that answered with an error: RFC 3263 §4.3 moves on after a
/// timeout or a transport error, both of which the transaction layer reports as synthesized final responses.
/// </summary>
internal static class SipTargetFailure
{
    /// <summary>
    /// Why <paramref name="tx"/> reached nobody, or null when its final response came from the far end:
    /// RFC 3261 §17.1.4 a transport error (the layer's 503), §17.1.2.2 Timer F / §17.1.1.2 Timer B (the layer's
    /// 408 at 64*T1; a 408 sent by the server can only arrive before that).
    /// </summary>
    public static string? Of(SipUserAgent ua, SipClientTransaction tx, SipMessage final, long startedTimestamp)
    {
        if (ua.Signalling.TransportErrorOf(tx) is { } transportError)
        {
            return transportError;
        }

        var timers = ua.Options.Timers;
        if (final.StatusCode == 408 && ua.Time.GetElapsedTime(startedTimestamp) >= timers.Timeout64T1 - timers.T1)
        {
            return tx.IsInvite ? "no response (Timer B)" : "no response (Timer F)";
        }

        return null;
    }

    /// <summary>How a target appears in a failure reason: address and transport.</summary>
    public static string Describe(SipUserAgent ua, System.Net.IPEndPoint target) =>
        $"{target} ({ua.Signalling.KindFor(target).ViaToken()})";
}
