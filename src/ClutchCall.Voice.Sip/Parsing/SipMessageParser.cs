using System.Globalization;
using System.Text;
using ClutchCall.Voice.Sip.Messages;

namespace ClutchCall.Voice.Sip.Parsing;

/// <summary>
/// Parses SIP messages (RFC 3261 §7, §20, §25). Never throws on malformed input: it returns false
/// with a <see cref="SipParseError"/>. When a request failed after its start line and header section
/// were framed, <c>msg</c> still carries what was read so a UAS can answer with the error's status.
/// </summary>
internal static class SipMessageParser
{
    private static readonly List<string> SingleValued =
        [SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq, SipHeaderNames.MaxForwards,
         SipHeaderNames.ContentLength, SipHeaderNames.ContentType];

    /// <summary>Parses one message from a datagram (body bounded by Content-Length or the datagram end, §18.3).</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out SipMessage? msg, out SipParseError error) =>
        TryParse(datagram, SipParserOptions.Default, out msg, out error);

    public static bool TryParse(ReadOnlySpan<byte> datagram, SipParserOptions options, out SipMessage? msg, out SipParseError error)
    {
        // Checked before copying anything.
        if (datagram.Length > options.MaxMessageSize)
        {
            msg = null;
            error = new(SipParseErrorKind.TooLarge);
            return false;
        }

        return TryParse((ReadOnlyMemory<byte>)datagram.ToArray(), options, isStream: false, out msg, out error);
    }

    /// <summary>Parses a message held in <paramref name="buffer"/> without copying it; header values slice it.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> buffer, SipParserOptions options, bool isStream, out SipMessage? msg, out SipParseError error)
    {
        msg = null;
        try
        {
            return TryParseCore(buffer, options, isStream, ref msg, out error);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException or IndexOutOfRangeException or DecoderFallbackException)
        {
            // Defence in depth: a grammar corner the checks above missed is still a 400, never a crash.
            error = new(SipParseErrorKind.BadHeaderValue, ex.GetType().Name);
            return false;
        }
    }

    private static bool TryParseCore(ReadOnlyMemory<byte> buffer, SipParserOptions options, bool isStream, ref SipMessage? msg, out SipParseError error)
    {
        var span = buffer.Span;
        if (span.Length > options.MaxMessageSize)
        {
            error = new(SipParseErrorKind.TooLarge);
            return false;
        }

        // RFC 3261 §7.5: CRLFs before the start line are ignored.
        var pos = 0;
        while (pos < span.Length && span[pos] is (byte)'\r' or (byte)'\n')
        {
            pos++;
        }

        if (pos == span.Length)
        {
            error = new(SipParseErrorKind.Empty);
            return false;
        }

        var startLineEnd = span[pos..].IndexOf((byte)'\n');
        if (startLineEnd < 0)
        {
            error = new(SipParseErrorKind.Incomplete);
            return false;
        }

        startLineEnd += pos;
        var startLine = TrimCr(span[pos..startLineEnd]);
        var m = new SipMessage(buffer);
        // A bad request line still lets a UAS answer (400, or 505 for the version, RFC 3261 §21.5.6)
        // when the header section frames, so the error is kept and reported after framing.
        ParseStartLine(startLine, m, out error);

        // Header section: lines until an empty one; lines starting with SP/HTAB continue the previous field.
        var lineStart = startLineEnd + 1;
        var headerCount = 0;
        var bodyStart = -1;
        int curName = -1, curNameLen = 0, curValue = -1, curValueEnd = -1;
        while (lineStart < span.Length)
        {
            var nl = span[lineStart..].IndexOf((byte)'\n');
            if (nl < 0)
            {
                break;
            }

            var lineEnd = lineStart + nl;
            var line = TrimCr(span[lineStart..lineEnd]);
            if (line.IsEmpty)
            {
                bodyStart = lineEnd + 1;
                break;
            }

            if (line[0] is (byte)' ' or (byte)'\t')
            {
                if (curName < 0)
                {
                    error = new(SipParseErrorKind.BadHeaderLine);
                    return false;
                }

                curValueEnd = lineStart + line.Length;
            }
            else
            {
                if (curName >= 0)
                {
                    AddHeader(m, buffer, curName, curNameLen, curValue, curValueEnd);
                }

                if (++headerCount > options.MaxHeaderCount)
                {
                    error = new(SipParseErrorKind.TooManyHeaders);
                    return false;
                }

                // RFC 3261 §7.3.1: field-name HCOLON field-value; HCOLON = *( SP / HTAB ) ":" SWS
                var n = 0;
                while (n < line.Length && SipChars.IsTokenChar(line[n]))
                {
                    n++;
                }

                var c = n;
                while (c < line.Length && line[c] is (byte)' ' or (byte)'\t')
                {
                    c++;
                }

                if (n == 0 || c >= line.Length || line[c] != (byte)':')
                {
                    error = new(SipParseErrorKind.BadHeaderLine);
                    return false;
                }

                curName = lineStart;
                curNameLen = n;
                curValue = lineStart + c + 1;
                curValueEnd = lineStart + line.Length;
            }

            lineStart = lineEnd + 1;
        }

        // A datagram is the whole message: when it ends right after a header line's CRLF, the missing
        // empty line is taken as the end of the header section (RFC 4475's baddn.dat ends that way).
        if (bodyStart < 0 && !isStream && lineStart == span.Length && span[^1] == (byte)'\n')
        {
            bodyStart = span.Length;
        }

        if (bodyStart < 0)
        {
            error = new(SipParseErrorKind.Incomplete);
            return false;
        }

        if (curName >= 0)
        {
            AddHeader(m, buffer, curName, curNameLen, curValue, curValueEnd);
        }

        msg = m;
        if (error.IsError)
        {
            return false;
        }

        if (!ParseKnownHeaders(m, out error))
        {
            return false;
        }

        // RFC 3261 §18.3 / §20.14: Content-Length bounds the body; a datagram may omit it.
        var available = span.Length - bodyStart;
        var length = m.ContentLength ?? (isStream ? 0 : available);
        if (length > available)
        {
            error = new(SipParseErrorKind.BodyTruncated);
            return false;
        }

        m.Body = buffer.Slice(bodyStart, length);
        m.TrailingBytes = available - length;
        m.Buffer = buffer[..(bodyStart + length)];
        return CheckRequired(m, out error);
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) =>
        line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;

    private static void AddHeader(SipMessage m, ReadOnlyMemory<byte> buffer, int name, int nameLen, int value, int valueEnd)
    {
        var canonical = SipHeaderNames.Canonicalize(buffer.Span.Slice(name, nameLen));
        var v = buffer[value..valueEnd];
        // Trim outer whitespace (including a leading fold) so the raw slice is the value itself.
        var s = v.Span;
        var a = 0;
        while (a < s.Length && s[a] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            a++;
        }

        var b = s.Length;
        while (b > a && s[b - 1] is (byte)' ' or (byte)'\t')
        {
            b--;
        }

        m.Headers.Add(new SipHeaderField(canonical, v[a..b]));
    }

    private static bool ParseStartLine(ReadOnlySpan<byte> line, SipMessage m, out SipParseError error)
    {
        error = default;
        // RFC 3261 §7.1: Request-Line = Method SP Request-URI SP SIP-Version; single SPs, no other whitespace.
        var sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0)
        {
            m.IsRequest = !(line.Length >= 4 && Ascii.EqualsIgnoreCase(line[..4], "SIP/"u8));
            error = new(SipParseErrorKind.BadStartLine);
            return false;
        }

        var first = line[..sp1];
        if (first.Length >= 4 && Ascii.EqualsIgnoreCase(first[..4], "SIP/"u8))
        {
            return ParseStatusLine(line, sp1, m, out error);
        }

        m.IsRequest = true;
        m.Method = Encoding.ASCII.GetString(first);

        var rest = line[(sp1 + 1)..];
        var sp2 = rest.IndexOf((byte)' ');
        if (sp2 <= 0)
        {
            error = new(SipParseErrorKind.BadStartLine);
            return false;
        }

        var uri = rest[..sp2];
        var version = rest[(sp2 + 1)..];
        foreach (var b in first)
        {
            if (!SipChars.IsTokenChar(b))
            {
                error = new(SipParseErrorKind.BadStartLine);
                return false;
            }
        }

        if (version.IndexOfAny((byte)' ', (byte)'\t') >= 0 || uri.IndexOf((byte)'\t') >= 0)
        {
            error = new(SipParseErrorKind.BadStartLine);
            return false;
        }

        m.RequestUriText = Encoding.UTF8.GetString(uri);
        if (!CheckVersion(version, m, out error))
        {
            return false;
        }

        // RFC 3261 §19.1.1 table: headers are not allowed in a Request-URI; ltgtruri's "<...>" is no URI.
        if (!SipUri.TryParse(m.RequestUriText, out var parsed) || (parsed!.IsSip && parsed.Headers.Count > 0))
        {
            error = new(SipParseErrorKind.BadRequestUri);
            return false;
        }

        m.RequestUri = parsed;
        return true;
    }

    private static bool CheckVersion(ReadOnlySpan<byte> version, SipMessage m, out SipParseError error)
    {
        error = default;
        // RFC 3261 §7.1: SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT
        if (version.Length < 7 || !Ascii.EqualsIgnoreCase(version[..4], "SIP/"u8))
        {
            error = new(SipParseErrorKind.BadStartLine);
            return false;
        }

        var v = version[4..];
        var dot = v.IndexOf((byte)'.');
        if (dot <= 0 || dot == v.Length - 1 || !AllDigits(v[..dot]) || !AllDigits(v[(dot + 1)..]))
        {
            error = new(SipParseErrorKind.BadStartLine);
            return false;
        }

        m.Version = Encoding.ASCII.GetString(version).ToUpperInvariant();
        if (m.Version != "SIP/2.0")
        {
            error = new(SipParseErrorKind.VersionNotSupported);
            return false;
        }

        return true;
    }

    private static bool ParseStatusLine(ReadOnlySpan<byte> line, int sp1, SipMessage m, out SipParseError error)
    {
        // RFC 3261 §7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase; Status-Code = 3DIGIT
        m.IsRequest = false;
        if (!CheckVersion(line[..sp1], m, out error))
        {
            return false;
        }

        var rest = line[(sp1 + 1)..];
        var sp2 = rest.IndexOf((byte)' ');
        var code = sp2 < 0 ? rest : rest[..sp2];
        if (code.Length != 3 || !AllDigits(code) || code[0] is < (byte)'1' or > (byte)'6')
        {
            error = new(SipParseErrorKind.BadStatusCode);
            return false;
        }

        m.StatusCode = int.Parse(code, CultureInfo.InvariantCulture);
        m.ReasonPhrase = sp2 < 0 ? string.Empty : Encoding.UTF8.GetString(rest[(sp2 + 1)..]);
        return true;
    }

    private static bool AllDigits(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var b in s)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return true;
    }

    private static bool ParseKnownHeaders(SipMessage m, out SipParseError error)
    {
        error = default;
        foreach (var name in SingleValued)
        {
            // RFC 3261 §7.3.1 / RFC 4475 §3.3.8–3.3.9: these fields carry exactly one value.
            if (m.CountHeaders(name) > 1)
            {
                error = new(SipParseErrorKind.DuplicateHeader, name);
                return false;
            }
        }

        var parts = new List<string>();
        foreach (var h in m.Headers)
        {
            switch (h.Name)
            {
                case SipHeaderNames.Via:
                    parts.Clear();
                    if (!SipChars.TrySplitList(h.Value, parts))
                    {
                        return Fail(out error, SipHeaderNames.Via);
                    }

                    foreach (var p in parts)
                    {
                        if (!SipVia.TryParse(p, out var via))
                        {
                            return Fail(out error, SipHeaderNames.Via);
                        }

                        m.Vias.Add(via!);
                    }

                    break;
                case SipHeaderNames.From:
                case SipHeaderNames.To:
                    if (!SipAddress.TryParse(h.Value, out var addr))
                    {
                        return Fail(out error, h.Name);
                    }

                    if (h.Name == SipHeaderNames.From)
                    {
                        m.From = addr;
                    }
                    else
                    {
                        m.To = addr;
                    }

                    break;
                case SipHeaderNames.CallId:
                    // RFC 3261 §25.1: callid = word [ "@" word ] — no whitespace.
                    var callId = h.Value;
                    if (callId.Length == 0 || callId.AsSpan().IndexOfAny(' ', '\t') >= 0)
                    {
                        return Fail(out error, h.Name);
                    }

                    m.CallId = callId;
                    break;
                case SipHeaderNames.CSeq:
                    if (!SipCSeq.TryParse(h.Value, out var cseq))
                    {
                        return Fail(out error, h.Name);
                    }

                    m.CSeq = cseq;
                    break;
                case SipHeaderNames.MaxForwards:
                    // RFC 3261 §20.22: an integer in the range 0-255.
                    if (!int.TryParse(h.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var mf) || mf > 255)
                    {
                        return Fail(out error, h.Name);
                    }

                    m.MaxForwards = mf;
                    break;
                case SipHeaderNames.ContentLength:
                    // RFC 3261 §20.14: Content-Length = 1*DIGIT.
                    if (!int.TryParse(h.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var cl))
                    {
                        error = new(SipParseErrorKind.BadContentLength, h.Name);
                        return false;
                    }

                    m.ContentLength = cl;
                    break;
                case SipHeaderNames.ContentType:
                    var ct = h.Value;
                    var slash = ct.IndexOf('/', StringComparison.Ordinal);
                    if (slash <= 0)
                    {
                        return Fail(out error, h.Name);
                    }

                    m.ContentType = ct;
                    break;
                case SipHeaderNames.Contact:
                    if (!ParseContacts(m, h.Value))
                    {
                        return Fail(out error, h.Name);
                    }

                    break;
            }
        }

        return true;
    }

    private static bool ParseContacts(SipMessage m, string value)
    {
        // RFC 3261 §20.10: Contact = ( STAR / (contact-param *(COMMA contact-param)) )
        if (value == "*")
        {
            m.IsContactWildcard = true;
            return true;
        }

        var parts = new List<string>();
        if (!SipChars.TrySplitList(value, parts))
        {
            return false;
        }

        foreach (var p in parts)
        {
            if (!SipAddress.TryParse(p, out var a))
            {
                return false;
            }

            m.Contacts.Add(a!);
        }

        return true;
    }

    private static bool CheckRequired(SipMessage m, out SipParseError error)
    {
        // RFC 3261 §8.1.1: To, From, CSeq, Call-ID and Via are mandatory (Max-Forwards is not
        // required on receipt: RFC 2543 peers omit it, RFC 4475 §3.4.1).
        string? missing = m.Vias.Count == 0 ? SipHeaderNames.Via
            : m.From is null ? SipHeaderNames.From
            : m.To is null ? SipHeaderNames.To
            : m.CallId is null ? SipHeaderNames.CallId
            : m.CSeq is null ? SipHeaderNames.CSeq
            : null;
        if (missing is not null)
        {
            error = new(SipParseErrorKind.MissingHeader, missing);
            return false;
        }

        if (m.IsRequest)
        {
            // RFC 3261 §8.1.1.5: the CSeq method MUST match the request's; RFC 4475 §3.1.2.17-18.
            if (!string.Equals(m.CSeq!.Value.Method, m.Method, StringComparison.Ordinal))
            {
                error = new(SipParseErrorKind.CSeqMethodMismatch, SipHeaderNames.CSeq);
                return false;
            }
        }
        else
        {
            m.Method = m.CSeq!.Value.Method;
        }

        error = default;
        return true;
    }

    private static bool Fail(out SipParseError error, string header)
    {
        error = new(SipParseErrorKind.BadHeaderValue, header);
        return false;
    }
}
