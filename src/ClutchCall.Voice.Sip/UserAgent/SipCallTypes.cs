namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>Where a call is in its life.</summary>
internal enum SipCallState
{
    /// <summary>INVITE sent or received, no ringing yet.</summary>
    Trying,

    /// <summary>180 (or 183) seen / sent.</summary>
    Ringing,

    /// <summary>200 OK exchanged and ACKed: media flows both ways.</summary>
    Answered,

    Ended,
}

/// <summary>How a call ended, in the terms of the control plane's call status.</summary>
internal enum SipCallOutcome
{
    /// <summary>Answered, then hung up by either side.</summary>
    Completed,

    /// <summary>Rejected (4xx/5xx/6xx), unreachable, or broken signalling.</summary>
    Failed,

    /// <summary>Ring timeout (our CANCEL) or the caller gave up (their CANCEL).</summary>
    NoAnswer,
}

/// <summary>The end of a call: outcome, the SIP status that decided it (0 when none) and a readable reason.</summary>
internal sealed record SipCallEnd(SipCallOutcome Outcome, int StatusCode, string Reason, bool ByRemote);

/// <summary>What an outbound call asks for.</summary>
internal sealed record SipCallRequest
{
    /// <summary>The number or user to call (Request-URI user part, e.g. +14155550100).</summary>
    public required string To { get; init; }

    /// <summary>Caller ID (From user part); the trunk default when null.</summary>
    public string? From { get; init; }

    public TimeSpan? RingTimeout { get; init; }

    /// <summary>Extra headers (e.g. X-Call-Sid) added to the INVITE.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
}

/// <summary>What the inbound policy is asked about a new INVITE.</summary>
internal sealed record SipInboundCallInfo(SipTrunkOptions? Trunk, string DialedNumber, string CallerId, System.Net.IPEndPoint Source);

/// <summary>The policy's verdict: accept (ring the application) or reject with a status before any media.</summary>
internal readonly record struct SipInboundDecision(bool Accept, int StatusCode, string Reason)
{
    public static SipInboundDecision Allow => new(true, 0, string.Empty);

    public static SipInboundDecision Reject(int statusCode, string reason) => new(false, statusCode, reason);
}

/// <summary>The caller-ID / DID policy hook for inbound calls.</summary>
internal interface ISipInboundPolicy
{
    SipInboundDecision Evaluate(SipInboundCallInfo call);
}

/// <summary>
/// Caller-ID allow-list per dialled number: only registered caller IDs of a DID reach it; others get the
/// trunk's configured rejection. DIDs with no list accept everyone; unknown DIDs are rejected 404.
/// </summary>
internal sealed class CallerIdAllowListPolicy(IReadOnlyDictionary<string, IReadOnlySet<string>?> allowedCallersByDid) : ISipInboundPolicy
{
    public SipInboundDecision Evaluate(SipInboundCallInfo call)
    {
        if (!allowedCallersByDid.TryGetValue(call.DialedNumber, out var allowed))
        {
            return SipInboundDecision.Reject(404, "Not Found");
        }

        if (allowed is null || allowed.Contains(call.CallerId))
        {
            return SipInboundDecision.Allow;
        }

        var status = call.Trunk?.InboundRejectStatus ?? 403;
        return SipInboundDecision.Reject(status, SipReasonPhrases.For(status));
    }
}

/// <summary>Default reason phrases (RFC 3261 §21).</summary>
internal static class SipReasonPhrases
{
    public static string For(int status) => status switch
    {
        100 => "Trying",
        180 => "Ringing",
        183 => "Session Progress",
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        415 => "Unsupported Media Type",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        491 => "Request Pending",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        600 => "Busy Everywhere",
        603 => "Decline",
        _ => status < 300 ? "OK" : status < 500 ? "Client Error" : status < 600 ? "Server Error" : "Global Failure",
    };
}
