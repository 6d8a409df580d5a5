using System.Buffers;
using System.Globalization;
using ClutchCall.Voice.Sip.Messages;

namespace ClutchCall.Voice.Sip.Parsing;

/// <summary>
/// Cuts SIP messages out of a byte stream (TCP/TLS): RFC 3261 §18.3, where Content-Length is mandatory
/// and delimits the body. Limits are checked before a message's bytes are buffered.
/// </summary>
internal static class SipStreamFramer
{
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    /// <summary>
    /// Returns true with a message (or with an error for a message that framed but did not parse).
    /// Returns false with no error when more bytes are needed, and false with an error when the stream
    /// cannot be framed any further and the connection should be closed.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, SipParserOptions options, out SipMessage? message, out SipParseError error)
    {
        message = null;
        error = default;

        // RFC 5626 §3.5.1 keep-alives (CRLF pairs) and RFC 3261 §7.5 leading CRLFs are skipped.
        var reader = new SequenceReader<byte>(buffer);
        while (reader.TryPeek(out var b) && b is (byte)'\r' or (byte)'\n')
        {
            reader.Advance(1);
        }

        buffer = buffer.Slice(reader.Position);
        if (buffer.IsEmpty)
        {
            return false;
        }

        if (!reader.TryReadTo(out ReadOnlySequence<byte> headers, HeaderEnd, advancePastDelimiter: true))
        {
            if (buffer.Length > options.MaxMessageSize)
            {
                error = new(SipParseErrorKind.TooLarge);
            }

            return false;
        }

        var headerLength = (int)(headers.Length + HeaderEnd.Length);
        if (headerLength > options.MaxMessageSize)
        {
            error = new(SipParseErrorKind.TooLarge);
            return false;
        }

        if (!TryFindContentLength(headers, out var contentLength))
        {
            // The stream cannot be framed past this message; the header section alone still lets a
            // UAS answer 400 before the connection is closed (RFC 4475 §3.1.2.3, §3.3.9).
            var head = buffer.Slice(0, headerLength).ToArray();
            SipMessageParser.TryParse(head, options, isStream: true, out message, out var headError);
            error = headError.IsError ? headError : new(SipParseErrorKind.BadContentLength, SipHeaderNames.ContentLength);
            return false;
        }

        var total = (long)headerLength + contentLength;
        if (total > options.MaxMessageSize)
        {
            error = new(SipParseErrorKind.TooLarge);
            return false;
        }

        if (buffer.Length < total)
        {
            return false;
        }

        var bytes = buffer.Slice(0, total).ToArray();
        buffer = buffer.Slice(total);
        SipMessageParser.TryParse(bytes, options, isStream: true, out message, out error);
        return true;
    }

    private static bool TryFindContentLength(ReadOnlySequence<byte> headers, out long length)
    {
        length = 0;
        var found = false;
        var text = headers.Length <= 16 * 1024 ? headers.ToArray() : [];
        var lines = System.Text.Encoding.Latin1.GetString(text).Split('\n');
        foreach (var raw in lines)
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[0] is ' ' or '\t')
            {
                continue;
            }

            var name = line[..colon].TrimEnd();
            if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && !name.Equals("l", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // RFC 3261 §20.14: 1*DIGIT; two different values cannot frame the stream.
            if (!long.TryParse(line[(colon + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) || (found && v != length))
            {
                return false;
            }

            length = v;
            found = true;
        }

        // RFC 3261 §18.3: Content-Length MUST be present on a stream; without it the message is taken as bodiless.
        return text.Length > 0 || headers.Length == 0;
    }
}
