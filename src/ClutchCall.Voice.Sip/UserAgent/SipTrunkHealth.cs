using System.Net;

namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>Whether a trunk answers its OPTIONS keep-alive probes.</summary>
internal enum SipTrunkState
{
    /// <summary>No probe has settled yet, or keep-alive is off for the trunk.</summary>
    Unknown,

    /// <summary>The last probe got a final response (any status: the far end is there).</summary>
    Up,

    /// <summary>The last probe timed out (Timer F), hit a transport error, or the trunk did not resolve.</summary>
    Down,
}

/// <summary>
/// A snapshot of one trunk's keep-alive health, read through <see cref="SipUserAgent.TrunkHealth"/>.
/// </summary>
/// <param name="TrunkId">The trunk.</param>
/// <param name="State">Up, down or unknown.</param>
/// <param name="LastRoundTrip">Time from sending the last answered probe to its final response (retransmissions included).</param>
/// <param name="LastChange">When <paramref name="State"/> last changed (on the user agent's clock), or null while it never did.</param>
/// <param name="LastStatus">Status of the last probe's final response (408 for Timer F, 503 for a transport error), 0 before any.</param>
/// <param name="LastError">Why the trunk is down (targets tried and what each did), or null when up.</param>
/// <param name="Target">The target that answered the last probe.</param>
/// <param name="Transitions">State changes so far.</param>
/// <param name="ProbesSent">OPTIONS transactions started (one per target tried).</param>
/// <param name="ProbesFailed">Probes that timed out or hit a transport error.</param>
internal sealed record SipTrunkHealth(
    string TrunkId,
    SipTrunkState State,
    TimeSpan? LastRoundTrip,
    DateTimeOffset? LastChange,
    int LastStatus,
    string? LastError,
    IPEndPoint? Target,
    long Transitions,
    long ProbesSent,
    long ProbesFailed)
{
    /// <summary>The health of a trunk nothing has probed.</summary>
    public static SipTrunkHealth Unknown(string trunkId) => new(trunkId, SipTrunkState.Unknown, null, null, 0, null, null, 0, 0, 0);
}
