using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Messages;

/// <summary>Builds responses to requests (RFC 3261 §8.2.6).</summary>
internal static class SipResponseFactory
{
    /// <summary>
    /// RFC 3261 §8.2.6.2: From, Call-ID, CSeq and the Via values are copied exactly from the request,
    /// as is To, with a tag added when the request's To carried none (never on 100 Trying).
    /// </summary>
    public static SipMessageBuilder Create(SipMessage request, int statusCode, string reasonPhrase, string? toTag = null)
    {
        var b = SipMessageBuilder.Response(statusCode, reasonPhrase);
        foreach (var h in request.Headers)
        {
            if (h.Name == SipHeaderNames.Via)
            {
                b.Add(SipHeaderNames.Via, h.RawValue);
            }
        }

        foreach (var name in (ReadOnlySpan<string>)[SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq])
        {
            foreach (var h in request.Headers)
            {
                if (h.Name != name)
                {
                    continue;
                }

                if (name == SipHeaderNames.To && statusCode > 100 && request.To is { Tag: null })
                {
                    b.Add(name, h.Value + ";tag=" + (toTag ?? NewTag()));
                }
                else
                {
                    b.Add(name, h.RawValue);
                }

                break;
            }
        }

        return b;
    }

    /// <summary>
    /// The answer to a request that failed to parse, or null when none may be sent: responses and ACKs
    /// are never answered (RFC 3261 §17.2.1), and without a Via there is nowhere to send one (§18.2.2).
    /// </summary>
    public static SipMessageBuilder? ForParseError(SipMessage? partial, SipParseError error)
    {
        if (partial is null || !partial.IsRequest || error.StatusCode == 0 || partial.Method == "ACK"
            || partial.CountHeaders(SipHeaderNames.Via) == 0)
        {
            return null;
        }

        var b = Create(partial, error.StatusCode, error.ReasonPhrase);
        if (error.Kind == SipParseErrorKind.VersionNotSupported)
        {
            b.Add("Warning", "399 - \"only SIP/2.0 is supported\"");
        }

        return b;
    }

    public static string NewTag() => Guid.NewGuid().ToString("N")[..10];

    public static string NewBranch() => SipVia.MagicCookie + Guid.NewGuid().ToString("N")[..16];

    public static string NewCallId(string host) => Guid.NewGuid().ToString("N") + "@" + host;
}
