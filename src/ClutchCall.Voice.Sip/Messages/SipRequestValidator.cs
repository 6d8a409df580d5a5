using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Messages;

/// <summary>The UAS request checks of RFC 3261 §8.2, in the order that section gives them.</summary>
internal static class SipRequestValidator
{
    /// <summary>Returns null when the request may proceed, otherwise the response to send.</summary>
    public static SipMessageBuilder? Validate(SipMessage request, SipUasPolicy policy)
    {
        if (request.Method == "ACK")
        {
            // RFC 3261 §17.1.1.3: an ACK is never answered.
            return null;
        }

        // RFC 3261 §8.2.1: unsupported method → 405 with Allow; unrecognized → 501 (§21.5.2).
        if (!policy.AllowedMethods.Contains(request.Method))
        {
            var known = policy.KnownMethods.Contains(request.Method);
            var r = SipResponseFactory.Create(request, known ? 405 : 501, known ? "Method Not Allowed" : "Not Implemented");
            r.Add(SipHeaderNames.Allow, string.Join(", ", policy.AllowedMethods.Order(StringComparer.Ordinal)));
            return r;
        }

        // RFC 3261 §8.2.2.1: a Request-URI scheme the UAS does not understand → 416.
        if (request.RequestUri is null || !policy.UriSchemes.Contains(request.RequestUri.Scheme))
        {
            return SipResponseFactory.Create(request, 416, "Unsupported URI Scheme");
        }

        // RFC 3261 §8.2.2.3: Require options not understood → 420 listing them in Unsupported.
        // (Proxy-Require is for proxies and is ignored by a UAS.) Not applied to CANCEL.
        if (request.Method != "CANCEL")
        {
            var unsupported = request.GetHeaderValues(SipHeaderNames.Require).Where(o => !policy.Extensions.Contains(o)).ToList();
            if (unsupported.Count > 0)
            {
                return SipResponseFactory.Create(request, 420, "Bad Extension").Add(SipHeaderNames.Unsupported, string.Join(", ", unsupported));
            }
        }

        // RFC 3261 §8.2.3: a body whose type is not understood → 415 with Accept.
        if (request.Body.Length > 0 && request.ContentType is { } ct && !Accepts(policy.ContentTypes, MediaType(ct)))
        {
            return SipResponseFactory.Create(request, 415, "Unsupported Media Type")
                .Add(SipHeaderNames.Accept, string.Join(", ", policy.ContentTypes));
        }

        // RFC 3261 §21.4.7: an INVITE whose Accept excludes SDP cannot be answered with a session → 406.
        if (request.Method == "INVITE" && request.CountHeaders(SipHeaderNames.Accept) > 0)
        {
            var accepted = request.GetHeaderValues(SipHeaderNames.Accept).Select(MediaType).ToList();
            if (!accepted.Exists(a => a is "application/sdp" or "application/*" or "*/*"))
            {
                return SipResponseFactory.Create(request, 406, "Not Acceptable");
            }
        }

        return null;
    }

    /// <summary>Parses and validates a datagram as a UAS does: the response to send, or null.</summary>
    public static SipMessageBuilder? ResponseToInvalid(ReadOnlySpan<byte> datagram, SipUasPolicy policy, out SipMessage? message, out SipParseError error)
    {
        if (!SipMessageParser.TryParse(datagram, out message, out error))
        {
            return SipResponseFactory.ForParseError(message, error);
        }

        return message!.IsRequest ? Validate(message, policy) : null;
    }

    private static string MediaType(string value)
    {
        var semi = value.IndexOf(';', StringComparison.Ordinal);
        return (semi < 0 ? value : value[..semi]).Trim().ToLowerInvariant();
    }

    private static bool Accepts(IReadOnlyList<string> types, string type)
    {
        foreach (var t in types)
        {
            if (string.Equals(t, type, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
