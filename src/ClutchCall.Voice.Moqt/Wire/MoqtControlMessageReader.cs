using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>
/// Reads control frames (draft-ietf-moq-transport-14 §9: Message Type (i), Message Length (16), Payload) off the
/// control stream. Returns false while a frame is incomplete; throws <see cref="MoqtProtocolException"/> for an
/// unknown type (as soon as the type is read: §9 "MUST close the session"), a length past
/// <see cref="MaxMessageLength"/> (before buffering the payload) or a malformed payload.
/// </summary>
internal sealed class MoqtControlMessageReader
{
    /// <summary>§9.2: "the total length of a control message is limited to 2^16-1 bytes".</summary>
    public const int MaxControlMessageLength = ushort.MaxValue;

    private readonly IMoqtWireCodec _codec;

    public MoqtControlMessageReader(IMoqtWireCodec codec, int maxMessageLength = MaxControlMessageLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessageLength, MaxControlMessageLength);
        _codec = codec;
        MaxMessageLength = maxMessageLength;
    }

    /// <summary>A reader for draft-14 with the protocol's own length limit.</summary>
    public static MoqtControlMessageReader Draft14 { get; } = new(Draft14Codec.Instance);

    public IMoqtWireCodec Codec => _codec;

    /// <summary>Largest payload accepted; longer frames are a PROTOCOL_VIOLATION.</summary>
    public int MaxMessageLength { get; }

    /// <summary>
    /// Reads one frame and slices it off <paramref name="buffer"/>. Returns false (buffer untouched) when the
    /// frame is not complete yet. The message owns copies of every byte it keeps.
    /// </summary>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out MoqtControlMessage? message)
    {
        message = null;
        var reader = new SequenceReader<byte>(buffer);
        if (!QuicVarint.TryRead(ref reader, out var type))
        {
            return false;
        }

        CheckType(type);
        if (!reader.TryReadBigEndian(out short rawLength))
        {
            return false;
        }

        var length = (ushort)rawLength;
        CheckLength(type, length);
        if (reader.Remaining < length)
        {
            return false;
        }

        var payload = buffer.Slice(reader.Position, length);
        if (payload.IsSingleSegment)
        {
            message = _codec.ReadPayload(type, payload.FirstSpan);
        }
        else
        {
            var rented = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                payload.CopyTo(rented);
                message = _codec.ReadPayload(type, rented.AsSpan(0, length));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>Span form: on success <paramref name="consumed"/> is the frame's length in bytes.</summary>
    public bool TryRead(ReadOnlySpan<byte> buffer, [NotNullWhen(true)] out MoqtControlMessage? message, out int consumed)
    {
        message = null;
        consumed = 0;
        if (!QuicVarint.TryRead(buffer, out var type, out var typeLength))
        {
            return false;
        }

        CheckType(type);
        if (buffer.Length < typeLength + 2)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(buffer[typeLength..]);
        CheckLength(type, length);
        var total = typeLength + 2 + length;
        if (buffer.Length < total)
        {
            return false;
        }

        message = _codec.ReadPayload(type, buffer.Slice(typeLength + 2, length));
        consumed = total;
        return true;
    }

    private void CheckType(ulong type)
    {
        // §9: "An endpoint that receives an unknown message type MUST close the session."
        if (!_codec.IsKnownType(type))
        {
            throw MoqtProtocolException.Violation($"Unknown control message type 0x{type:x}.");
        }
    }

    private void CheckLength(ulong type, int length)
    {
        if (length > MaxMessageLength)
        {
            throw MoqtProtocolException.Violation(
                $"Control message 0x{type:x} declares {length} bytes; the limit is {MaxMessageLength}.");
        }
    }
}
