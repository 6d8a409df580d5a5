using System.Text;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Messages;

/// <summary>One header field: canonical name and the raw value bytes, folding included (RFC 3261 §7.3).</summary>
internal readonly record struct SipHeaderField(string Name, ReadOnlyMemory<byte> RawValue)
{
    /// <summary>The value decoded as UTF-8 with LWS folding collapsed and outer whitespace trimmed.</summary>
    public string Value => SipChars.Unfold(Encoding.UTF8.GetString(RawValue.Span)).Trim();
}

/// <summary>
/// A parsed SIP request or response. Raw header values are slices of <see cref="Buffer"/>;
/// the headers the stack itself needs are parsed into typed properties.
/// </summary>
internal sealed class SipMessage
{
    public SipMessage(ReadOnlyMemory<byte> buffer)
    {
        Buffer = buffer;
    }

    /// <summary>The bytes of the message, start line through the end of the body.</summary>
    public ReadOnlyMemory<byte> Buffer { get; internal set; }

    public bool IsRequest { get; internal set; }

    public bool IsResponse => !IsRequest;

    /// <summary>The request method; for a response, the CSeq method.</summary>
    public string Method { get; internal set; } = string.Empty;

    public string RequestUriText { get; internal set; } = string.Empty;

    public SipUri? RequestUri { get; internal set; }

    public string Version { get; internal set; } = "SIP/2.0";

    public int StatusCode { get; internal set; }

    public string ReasonPhrase { get; internal set; } = string.Empty;

    public List<SipHeaderField> Headers { get; } = [];

    public List<SipVia> Vias { get; } = [];

    public SipAddress? From { get; internal set; }

    public SipAddress? To { get; internal set; }

    public string? CallId { get; internal set; }

    public SipCSeq? CSeq { get; internal set; }

    public int? MaxForwards { get; internal set; }

    public int? ContentLength { get; internal set; }

    public string? ContentType { get; internal set; }

    public List<SipAddress> Contacts { get; } = [];

    /// <summary>Contact: * (RFC 3261 §10.2.2).</summary>
    public bool IsContactWildcard { get; internal set; }

    public ReadOnlyMemory<byte> Body { get; internal set; }

    public SipVia? TopVia => Vias.Count > 0 ? Vias[0] : null;

    /// <summary>Bytes that followed the message in its datagram and were ignored (RFC 3261 §18.3).</summary>
    public int TrailingBytes { get; internal set; }

    /// <summary>First value of a header (case-insensitive name, compact forms accepted), or null.</summary>
    public string? GetHeader(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        foreach (var h in Headers)
        {
            if (string.Equals(h.Name, canonical, StringComparison.OrdinalIgnoreCase))
            {
                return h.Value;
            }
        }

        return null;
    }

    /// <summary>All values of a header, comma-separated lists split (RFC 3261 §7.3.1).</summary>
    public List<string> GetHeaderValues(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        var values = new List<string>();
        foreach (var h in Headers)
        {
            if (string.Equals(h.Name, canonical, StringComparison.OrdinalIgnoreCase))
            {
                SipChars.TrySplitList(h.Value, values);
            }
        }

        values.RemoveAll(string.IsNullOrEmpty);
        return values;
    }

    public int CountHeaders(string canonicalName)
    {
        var n = 0;
        foreach (var h in Headers)
        {
            if (string.Equals(h.Name, canonicalName, StringComparison.OrdinalIgnoreCase))
            {
                n++;
            }
        }

        return n;
    }

    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    public override string ToString() => IsRequest ? $"{Method} {RequestUriText}" : $"{StatusCode} {ReasonPhrase} ({Method})";
}
