using System.Buffers;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Transport.WebTransport;

/// <summary>HTTP/3 frame types used here (RFC 9114 §7.2); others, GREASE included, are skipped (§9).</summary>
internal enum Http3FrameType : ulong
{
    Data = 0x00,
    Headers = 0x01,
    Settings = 0x04,
    GoAway = 0x07,
}

/// <summary>HTTP/3 setting identifiers this endpoint sends or reads.</summary>
internal static class Http3Settings
{
    // RFC 9204 §5.
    public const ulong QpackMaxTableCapacity = 0x01;
    public const ulong QpackBlockedStreams = 0x07;

    // RFC 8441 §3 as adopted by RFC 9220 §3.
    public const ulong EnableConnectProtocol = 0x08;

    // RFC 9297 §2.1.1.
    public const ulong H3Datagram = 0x33;

    // draft-ietf-masque-h3-datagram-04 (legacy codepoint Chromium still sends).
    public const ulong H3DatagramDraft04 = 0xffd277;

    // draft-ietf-webtrans-http3-02 §3.1 SETTINGS_ENABLE_WEBTRANSPORT.
    public const ulong EnableWebTransportDraft02 = 0x2b603742;

    // draft-ietf-webtrans-http3-07+ SETTINGS_WEBTRANSPORT_MAX_SESSIONS.
    public const ulong WebTransportMaxSessions = 0xc671706a;
}

/// <summary>Unidirectional stream types (RFC 9114 §6.2, RFC 9204 §4.2, draft-ietf-webtrans-http3-02 §4.1).</summary>
internal static class Http3StreamType
{
    public const ulong Control = 0x00;
    public const ulong Push = 0x01;
    public const ulong QpackEncoder = 0x02;
    public const ulong QpackDecoder = 0x03;
    public const ulong WebTransportUni = 0x54;

    /// <summary>Signal value that opens a WebTransport bidirectional stream (draft-ietf-webtrans-http3-02 §4.2).</summary>
    public const ulong WebTransportBidi = 0x41;
}

/// <summary>One HTTP/3 frame header with its payload sliced from the input.</summary>
internal readonly record struct Http3Frame(ulong Type, ReadOnlySequence<byte> Payload);

/// <summary>HTTP/3 frame reader and writer (RFC 9114 §7.1: type varint, length varint, payload).</summary>
internal static class Http3FrameCodec
{
    /// <summary>
    /// Reads one frame. Returns false when <paramref name="buffer"/> holds only part of it. Throws
    /// <see cref="MoqtTransportProtocolException"/> (H3_EXCESSIVE_LOAD) when the declared length passes
    /// <paramref name="maxPayload"/>, before buffering it.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, long maxPayload, out Http3Frame frame)
    {
        frame = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!QuicVarint.TryRead(ref reader, out var type) || !QuicVarint.TryRead(ref reader, out var length))
        {
            return false;
        }

        if (length > (ulong)maxPayload)
        {
            throw new MoqtTransportProtocolException(Http3ErrorCode.ExcessiveLoad, $"HTTP/3 frame 0x{type:x} of {length} bytes exceeds {maxPayload}");
        }

        if (reader.Remaining < (long)length)
        {
            return false;
        }

        var payload = buffer.Slice(reader.Position, (long)length);
        buffer = buffer.Slice(payload.End);
        frame = new Http3Frame(type, payload);
        return true;
    }

    /// <summary>Writes a frame header for a payload of <paramref name="length"/> bytes.</summary>
    public static void WriteHeader(IBufferWriter<byte> writer, Http3FrameType type, long length)
    {
        QuicVarint.Write(writer, (ulong)type);
        QuicVarint.Write(writer, (ulong)length);
    }

    /// <summary>Writes a SETTINGS frame (RFC 9114 §7.2.4): identifier/value varint pairs.</summary>
    public static void WriteSettings(IBufferWriter<byte> writer, ReadOnlySpan<(ulong Id, ulong Value)> settings)
    {
        var length = 0;
        foreach (var (id, value) in settings)
        {
            length += QuicVarint.GetLength(id) + QuicVarint.GetLength(value);
        }

        WriteHeader(writer, Http3FrameType.Settings, length);
        foreach (var (id, value) in settings)
        {
            QuicVarint.Write(writer, id);
            QuicVarint.Write(writer, value);
        }
    }

    /// <summary>Parses a SETTINGS payload; unknown and GREASE identifiers are kept (callers ignore them). False if malformed.</summary>
    public static bool TryParseSettings(ReadOnlySequence<byte> payload, Dictionary<ulong, ulong> settings)
    {
        var reader = new SequenceReader<byte>(payload);
        while (!reader.End)
        {
            if (!QuicVarint.TryRead(ref reader, out var id) || !QuicVarint.TryRead(ref reader, out var value))
            {
                return false;
            }

            // RFC 9114 §7.2.4: a repeated identifier is H3_SETTINGS_ERROR.
            if (!settings.TryAdd(id, value))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>HTTP/3 error codes (RFC 9114 §8.1) and the WebTransport application-code mapping.</summary>
internal static class Http3ErrorCode
{
    public const long NoError = 0x100;
    public const long GeneralProtocolError = 0x101;
    public const long InternalError = 0x102;
    public const long StreamCreationError = 0x103;
    public const long ClosedCriticalStream = 0x104;
    public const long FrameUnexpected = 0x105;
    public const long FrameError = 0x106;
    public const long ExcessiveLoad = 0x107;
    public const long IdError = 0x108;
    public const long SettingsError = 0x109;
    public const long MissingSettings = 0x10a;
    public const long RequestRejected = 0x10b;
    public const long MessageError = 0x10e;

    // draft-ietf-webtrans-http3 §4.3: WebTransport application codes occupy the HTTP/3 space from this base,
    // skipping every 0x1f-th value (the reserved GREASE codepoints 0x1f * N + 0x21).
    private const long WebTransportCodeFirst = 0x52e4a40fa8db;

    /// <summary>Application code → wire code.</summary>
    public static long ToWire(long applicationCode) => WebTransportCodeFirst + applicationCode + (applicationCode / 0x1e);

    /// <summary>Wire code → application code; codes outside the WebTransport range (or GREASE values) map to 0.</summary>
    public static long FromWire(long wireCode)
    {
        if (wireCode < WebTransportCodeFirst)
        {
            return 0;
        }

        var shifted = wireCode - WebTransportCodeFirst;
        if (shifted % 0x1f == 0x1e)
        {
            return 0;
        }

        return shifted - (shifted / 0x1f);
    }
}
