using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Transport.Qmux;

/// <summary>
/// Decodes QMux frames from one received record (a whole WebSocket message). Never throws: a record is
/// complete by construction, so a frame that runs past its end is <see cref="QmuxReadStatus.Truncated"/>.
/// </summary>
internal static class QmuxFrameReader
{
    /// <summary>Decodes the frame at the start of <paramref name="record"/>.</summary>
    public static QmuxReadStatus TryRead(ReadOnlySpan<byte> record, out QmuxFrame frame, out int bytesConsumed)
    {
        frame = default;
        bytesConsumed = 0;
        var position = 0;
        if (!Varint(record, ref position, out var type))
        {
            return QmuxReadStatus.Truncated;
        }

        var status = type switch
        {
            // RFC 9000 §19.1 PADDING, §19.2 PING: type byte only.
            (ulong)QmuxFrameType.Padding or (ulong)QmuxFrameType.Ping => Simple(type, ref frame),
            >= 0x08 and <= 0x0f => ReadStream(record, ref position, type, ref frame),
            (ulong)QmuxFrameType.ResetStream => ReadResetStream(record, ref position, ref frame, reliableSize: false),
            (ulong)QmuxFrameType.ResetStreamAt => ReadResetStream(record, ref position, ref frame, reliableSize: true),
            (ulong)QmuxFrameType.StopSending => ReadIdAndCode(record, ref position, ref frame, QmuxFrameType.StopSending),
            (ulong)QmuxFrameType.MaxData or (ulong)QmuxFrameType.MaxStreamsBidi or (ulong)QmuxFrameType.MaxStreamsUni
                or (ulong)QmuxFrameType.DataBlocked or (ulong)QmuxFrameType.StreamsBlockedBidi or (ulong)QmuxFrameType.StreamsBlockedUni
                or (ulong)QmuxFrameType.PingRequest or (ulong)QmuxFrameType.PingResponse => ReadValue(record, ref position, ref frame, (QmuxFrameType)type),
            (ulong)QmuxFrameType.MaxStreamData or (ulong)QmuxFrameType.StreamDataBlocked => ReadIdAndValue(record, ref position, ref frame, (QmuxFrameType)type),
            (ulong)QmuxFrameType.ConnectionClose or (ulong)QmuxFrameType.ApplicationClose => ReadClose(record, ref position, ref frame, (QmuxFrameType)type),
            (ulong)QmuxFrameType.Datagram => ReadRest(record, ref position, ref frame, QmuxFrameType.Datagram),
            (ulong)QmuxFrameType.DatagramWithLength => ReadLengthPrefixed(record, ref position, ref frame, QmuxFrameType.DatagramWithLength),
            (ulong)QmuxFrameType.TransportParameters => ReadLengthPrefixed(record, ref position, ref frame, QmuxFrameType.TransportParameters),
            _ => QmuxReadStatus.UnknownType,
        };

        if (status == QmuxReadStatus.Success)
        {
            bytesConsumed = position;
        }

        return status;
    }

    private static QmuxReadStatus Simple(ulong type, ref QmuxFrame frame)
    {
        frame.Type = (QmuxFrameType)type;
        return QmuxReadStatus.Success;
    }

    // RFC 9000 §19.8: STREAM = type (0x08|OFF 0x04|LEN 0x02|FIN 0x01), Stream ID, [Offset], [Length], Data.
    // Without LEN the data runs to the end of the record (RFC 9000 §19.8 "extends to the end of the packet").
    private static QmuxReadStatus ReadStream(ReadOnlySpan<byte> source, scoped ref int position, ulong type, ref QmuxFrame frame)
    {
        frame.Type = QmuxFrameType.Stream;
        frame.Fin = (type & 0x01) != 0;
        if (!Varint(source, ref position, out var id))
        {
            return QmuxReadStatus.Truncated;
        }

        ulong offset = 0;
        if ((type & 0x04) != 0 && !Varint(source, ref position, out offset))
        {
            return QmuxReadStatus.Truncated;
        }

        ReadOnlySpan<byte> data;
        if ((type & 0x02) != 0)
        {
            if (!Varint(source, ref position, out var length))
            {
                return QmuxReadStatus.Truncated;
            }

            if (!Bytes(source, ref position, length, out data))
            {
                return QmuxReadStatus.Truncated;
            }
        }
        else
        {
            data = Rest(source, ref position);
        }

        // RFC 9000 §19.8: offset + length must not exceed 2^62 - 1 (FRAME_ENCODING_ERROR).
        if (offset + (ulong)data.Length > QuicVarint.MaxValue)
        {
            return QmuxReadStatus.Invalid;
        }

        frame.StreamId = (long)id;
        frame.Offset = (long)offset;
        frame.Data = data;
        return QmuxReadStatus.Success;
    }

    // RFC 9000 §19.4 RESET_STREAM: Stream ID, Application Protocol Error Code, Final Size.
    // draft-ietf-quic-reliable-stream-reset §4 RESET_STREAM_AT adds Reliable Size (≤ Final Size).
    private static QmuxReadStatus ReadResetStream(ReadOnlySpan<byte> source, scoped ref int position, ref QmuxFrame frame, bool reliableSize)
    {
        frame.Type = QmuxFrameType.ResetStream;
        if (!Varint(source, ref position, out var id) || !Varint(source, ref position, out var code) || !Varint(source, ref position, out var finalSize))
        {
            return QmuxReadStatus.Truncated;
        }

        if (reliableSize)
        {
            if (!Varint(source, ref position, out var reliable))
            {
                return QmuxReadStatus.Truncated;
            }

            if (reliable > finalSize)
            {
                return QmuxReadStatus.Invalid;
            }
        }

        frame.StreamId = (long)id;
        frame.ErrorCode = (long)code;
        frame.Value = (long)finalSize;
        return QmuxReadStatus.Success;
    }

    // RFC 9000 §19.5 STOP_SENDING: Stream ID, Application Protocol Error Code.
    private static QmuxReadStatus ReadIdAndCode(ReadOnlySpan<byte> source, scoped ref int position, ref QmuxFrame frame, QmuxFrameType type)
    {
        frame.Type = type;
        if (!Varint(source, ref position, out var id) || !Varint(source, ref position, out var code))
        {
            return QmuxReadStatus.Truncated;
        }

        frame.StreamId = (long)id;
        frame.ErrorCode = (long)code;
        return QmuxReadStatus.Success;
    }

    // RFC 9000 §19.9 MAX_DATA, §19.11 MAX_STREAMS, §19.12 DATA_BLOCKED, §19.14 STREAMS_BLOCKED; QX_PING: one varint.
    private static QmuxReadStatus ReadValue(ReadOnlySpan<byte> source, scoped ref int position, ref QmuxFrame frame, QmuxFrameType type)
    {
        frame.Type = type;
        if (!Varint(source, ref position, out var value))
        {
            return QmuxReadStatus.Truncated;
        }

        // RFC 9000 §19.11: a MAX_STREAMS/STREAMS_BLOCKED count above 2^60 is a FRAME_ENCODING_ERROR.
        if (type is QmuxFrameType.MaxStreamsBidi or QmuxFrameType.MaxStreamsUni or QmuxFrameType.StreamsBlockedBidi or QmuxFrameType.StreamsBlockedUni
            && value > 1UL << 60)
        {
            return QmuxReadStatus.Invalid;
        }

        frame.Value = (long)value;
        return QmuxReadStatus.Success;
    }

    // RFC 9000 §19.10 MAX_STREAM_DATA, §19.13 STREAM_DATA_BLOCKED: Stream ID, value.
    private static QmuxReadStatus ReadIdAndValue(ReadOnlySpan<byte> source, scoped ref int position, ref QmuxFrame frame, QmuxFrameType type)
    {
        frame.Type = type;
        if (!Varint(source, ref position, out var id) || !Varint(source, ref position, out var value))
        {
            return QmuxReadStatus.Truncated;
        }

        frame.StreamId = (long)id;
        frame.Value = (long)value;
        return QmuxReadStatus.Success;
    }

    // RFC 9000 §19.19: CONNECTION_CLOSE (0x1c) = Error Code, Frame Type, Reason Phrase Length, Reason;
    // the application variant (0x1d) has no Frame Type field.
    private static QmuxReadStatus ReadClose(ReadOnlySpan<byte> source, scoped ref int position, ref QmuxFrame frame, QmuxFrameType type)
    {
        frame.Type = type;
        if (!Varint(source, ref position, out var code))
        {
            return QmuxReadStatus.Truncated;
        }

        if (type == QmuxFrameType.ConnectionClose && !Varint(source, ref position, out _))
        {
            return QmuxReadStatus.Truncated;
        }

        if (!Varint(source, ref position, out var length) || !Bytes(source, ref position, length, out var reason))
        {
            return QmuxReadStatus.Truncated;
        }

        frame.ErrorCode = (long)code;
        frame.Data = reason;
        return QmuxReadStatus.Success;
    }

    // RFC 9221 §4: DATAGRAM 0x30 runs to the end of the record.
    private static QmuxReadStatus ReadRest(ReadOnlySpan<byte> source, scoped ref int position, ref QmuxFrame frame, QmuxFrameType type)
    {
        frame.Type = type;
        frame.Data = Rest(source, ref position);
        return QmuxReadStatus.Success;
    }

    // RFC 9221 §4 DATAGRAM 0x31 and QMux QX_TRANSPORT_PARAMETERS: Length, then that many bytes.
    private static QmuxReadStatus ReadLengthPrefixed(ReadOnlySpan<byte> source, scoped ref int position, ref QmuxFrame frame, QmuxFrameType type)
    {
        frame.Type = type == QmuxFrameType.DatagramWithLength ? QmuxFrameType.Datagram : type;
        if (!Varint(source, ref position, out var length) || !Bytes(source, ref position, length, out var data))
        {
            return QmuxReadStatus.Truncated;
        }

        frame.Data = data;
        return QmuxReadStatus.Success;
    }

    private static bool Varint(ReadOnlySpan<byte> source, scoped ref int position, out ulong value)
    {
        if (!QuicVarint.TryRead(source[position..], out value, out var read))
        {
            return false;
        }

        position += read;
        return true;
    }

    private static bool Bytes(ReadOnlySpan<byte> source, scoped ref int position, ulong length, out ReadOnlySpan<byte> bytes)
    {
        // Check the declared length against what is left before slicing (no overflow, no copy).
        if (length > (ulong)(source.Length - position))
        {
            bytes = default;
            return false;
        }

        bytes = source.Slice(position, (int)length);
        position += (int)length;
        return true;
    }

    private static ReadOnlySpan<byte> Rest(ReadOnlySpan<byte> source, scoped ref int position)
    {
        var rest = source[position..];
        position = source.Length;
        return rest;
    }
}
