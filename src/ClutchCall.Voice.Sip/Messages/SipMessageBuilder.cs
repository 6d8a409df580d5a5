using System.Buffers;
using System.Globalization;
using System.Text;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Messages;

/// <summary>Builds an outgoing request or response and serializes it (RFC 3261 §7).</summary>
internal sealed class SipMessageBuilder
{
    private readonly List<(string Name, ReadOnlyMemory<byte> Value)> _headers = [];

    private SipMessageBuilder()
    {
    }

    public bool IsRequest { get; private init; }

    public string Method { get; private init; } = string.Empty;

    public string RequestUri { get; private init; } = string.Empty;

    public int StatusCode { get; private init; }

    public string ReasonPhrase { get; private init; } = string.Empty;

    public ReadOnlyMemory<byte> Body { get; private set; }

    public static SipMessageBuilder Request(string method, string requestUri) =>
        new() { IsRequest = true, Method = method, RequestUri = requestUri };

    public static SipMessageBuilder Response(int statusCode, string reasonPhrase) =>
        new() { StatusCode = statusCode, ReasonPhrase = reasonPhrase };

    public SipMessageBuilder Add(string name, string value) => Add(name, Encoding.UTF8.GetBytes(value));

    public SipMessageBuilder Add(string name, ReadOnlyMemory<byte> rawValue)
    {
        _headers.Add((name, rawValue));
        return this;
    }

    public SipMessageBuilder Remove(string name)
    {
        _headers.RemoveAll(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));
        return this;
    }

    public bool Has(string name) => _headers.Exists(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase));

    public SipMessageBuilder SetBody(string contentType, ReadOnlyMemory<byte> body)
    {
        Remove(SipHeaderNames.ContentType);
        Add(SipHeaderNames.ContentType, contentType);
        Body = body;
        return this;
    }

    public SipMessageBuilder SetBody(string contentType, string body) => SetBody(contentType, Encoding.UTF8.GetBytes(body));

    /// <summary>Writes the message; Content-Length always reflects the body (RFC 3261 §18.3 requires it on streams).</summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        if (IsRequest)
        {
            Write(writer, Method);
            writer.Write(" "u8);
            Write(writer, RequestUri);
            writer.Write(" SIP/2.0\r\n"u8);
        }
        else
        {
            writer.Write("SIP/2.0 "u8);
            Write(writer, StatusCode.ToString(CultureInfo.InvariantCulture));
            writer.Write(" "u8);
            Write(writer, ReasonPhrase);
            writer.Write("\r\n"u8);
        }

        foreach (var (name, value) in _headers)
        {
            if (string.Equals(name, SipHeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            Write(writer, name);
            writer.Write(": "u8);
            writer.Write(value.Span);
            writer.Write("\r\n"u8);
        }

        writer.Write("Content-Length: "u8);
        Write(writer, Body.Length.ToString(CultureInfo.InvariantCulture));
        writer.Write("\r\n\r\n"u8);
        writer.Write(Body.Span);
    }

    public byte[] ToArray()
    {
        var w = new ArrayBufferWriter<byte>(512 + Body.Length);
        WriteTo(w);
        return w.WrittenSpan.ToArray();
    }

    /// <summary>Serializes and parses the result, so whatever is sent is known to parse.</summary>
    public SipMessage Build()
    {
        var bytes = ToArray();
        return SipMessageParser.TryParse(bytes, SipParserOptions.Default, isStream: false, out var msg, out var error)
            ? msg!
            : throw new InvalidOperationException($"built SIP message does not parse: {error}");
    }

    private static void Write(IBufferWriter<byte> writer, string s) => Encoding.UTF8.GetBytes(s, writer);
}
