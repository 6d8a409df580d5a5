using ClutchCall.Voice.Sip.UserAgent;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>
/// Routes inbound INVITEs by trunk and dialled number (<see cref="SipNumberOptions"/>) and applies each
/// number's caller-ID allow-list before anything is sent but 100 Trying: an unknown number gets 404, a
/// caller not on the list gets the number's configured rejection, so refused callers never see media.
/// </summary>
internal sealed class SipNumberPlan : ISipInboundPolicy
{
    private readonly List<(SipNumberOptions Number, string Did, HashSet<string>? Allowed)> _numbers = [];

    public SipNumberPlan(IEnumerable<SipNumberOptions> numbers)
    {
        foreach (var n in numbers)
        {
            var allowed = n.AllowedCallers.Count == 0 ? null : n.AllowedCallers.Select(Normalize).ToHashSet(StringComparer.Ordinal);
            _numbers.Add((n, Normalize(n.Did), allowed));
        }
    }

    public int Count => _numbers.Count;

    /// <summary>The number called <paramref name="dialed"/> on <paramref name="trunk"/>, preferring an entry bound to that trunk.</summary>
    public SipNumberOptions? Match(SipTrunkOptions? trunk, string dialed)
    {
        var did = Normalize(dialed);
        SipNumberOptions? any = null;
        foreach (var (number, d, _) in _numbers)
        {
            if (!string.Equals(d, did, StringComparison.Ordinal))
            {
                continue;
            }

            if (number.TrunkId is null)
            {
                any ??= number;
            }
            else if (trunk is not null && string.Equals(number.TrunkId, trunk.Id, StringComparison.Ordinal))
            {
                return number;
            }
        }

        return any;
    }

    /// <summary>RFC 3261 §21.4.5 (404) for an unknown number; the number's reject status for a caller not on its list.</summary>
    public SipInboundDecision Evaluate(SipInboundCallInfo call)
    {
        var number = Match(call.Trunk, call.DialedNumber);
        if (number is null)
        {
            return SipInboundDecision.Reject(404, SipReasonPhrases.For(404));
        }

        var allowed = _numbers.First(n => ReferenceEquals(n.Number, number)).Allowed;
        if (allowed is null || allowed.Contains(Normalize(call.CallerId)))
        {
            return SipInboundDecision.Allow;
        }

        return SipInboundDecision.Reject(number.RejectStatus, SipReasonPhrases.For(number.RejectStatus));
    }

    /// <summary>
    /// A number for comparison: the digits only ('+', spaces and visual separators of RFC 3966 §5.1.1 dropped),
    /// so <c>+1 415-555-0100</c>, <c>14155550100</c> and <c>+14155550100</c> are the same number. A user part
    /// that is not a number (e.g. <c>alice</c>) is compared as it is.
    /// </summary>
    public static string Normalize(string? number)
    {
        if (string.IsNullOrWhiteSpace(number))
        {
            return string.Empty;
        }

        Span<char> digits = stackalloc char[Math.Min(number.Length, 64)];
        var n = 0;
        foreach (var c in number)
        {
            if (char.IsAsciiDigit(c))
            {
                if (n == digits.Length)
                {
                    return number.Trim();
                }

                digits[n++] = c;
            }
            else if (c is not ('+' or '-' or '.' or '(' or ')' or ' '))
            {
                return number.Trim();
            }
        }

        return n == 0 ? number.Trim() : new string(digits[..n]);
    }

    /// <summary>The number in E.164 form when it is one (<c>+</c> and digits), else as given.</summary>
    public static string ToE164(string number)
    {
        var n = Normalize(number);
        var e164 = "+" + n;
        return Calls.Destinations.IsE164(e164) ? e164 : number;
    }
}
