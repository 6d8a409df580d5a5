using System.Buffers;
using System.Globalization;
using System.Text;

namespace ClutchCall.Voice.Sip.Messages;

/// <summary>Serializes a parsed <see cref="SipMessage"/> back to the wire from its raw header slices.</summary>
internal static class SipMessageWriter
{
    public static void Write(SipMessage message, IBufferWriter<byte> writer)
    {
        if (message.IsRequest)
        {
            Encoding.UTF8.GetBytes(message.Method, writer);
            writer.Write(" "u8);
            Encoding.UTF8.GetBytes(message.RequestUriText, writer);
            writer.Write(" SIP/2.0\r\n"u8);
        }
        else
        {
            writer.Write("SIP/2.0 "u8);
            Encoding.ASCII.GetBytes(message.StatusCode.ToString(CultureInfo.InvariantCulture), writer);
            writer.Write(" "u8);
            Encoding.UTF8.GetBytes(message.ReasonPhrase, writer);
            writer.Write("\r\n"u8);
        }

        foreach (var h in message.Headers)
        {
            if (ReferenceEquals(h.Name, SipHeaderNames.ContentLength))
            {
                continue;
            }

            Encoding.ASCII.GetBytes(h.Name, writer);
            writer.Write(": "u8);
            writer.Write(h.RawValue.Span);
            writer.Write("\r\n"u8);
        }

        // RFC 3261 §20.14: the length written is that of the body actually sent.
        writer.Write("Content-Length: "u8);
        Span<byte> digits = stackalloc byte[11];
        message.Body.Length.TryFormat(digits, out var n, provider: CultureInfo.InvariantCulture);
        writer.Write(digits[..n]);
        writer.Write("\r\n\r\n"u8);
        writer.Write(message.Body.Span);
    }
}
