using System.Buffers.Binary;

namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>
/// Forward-only cursor over wire bytes. <c>Try*</c> members return false on partial input (data streams);
/// the field-named members throw <see cref="MoqtProtocolException"/> (PROTOCOL_VIOLATION) because a control
/// message payload is complete and running out means its length disagrees with its content
/// (draft-ietf-moq-transport-14 §9).
/// </summary>
internal ref struct MoqtSpanReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _position;

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public readonly bool End => _position >= _buffer.Length;

    public readonly ReadOnlySpan<byte> Rest => _buffer[_position..];

    public bool TryReadVarint(out ulong value)
    {
        if (!QuicVarint.TryRead(_buffer[_position..], out value, out var read))
        {
            return false;
        }

        _position += read;
        return true;
    }

    public bool TryReadByte(out byte value)
    {
        if (_position >= _buffer.Length)
        {
            value = 0;
            return false;
        }

        value = _buffer[_position++];
        return true;
    }

    public bool TryReadBytes(int length, out ReadOnlySpan<byte> value)
    {
        if (Remaining < length)
        {
            value = default;
            return false;
        }

        value = _buffer.Slice(_position, length);
        _position += length;
        return true;
    }

    public ulong ReadVarint(string field) =>
        TryReadVarint(out var value) ? value : throw Truncated(field);

    public byte ReadByte(string field) =>
        TryReadByte(out var value) ? value : throw Truncated(field);

    public ushort ReadUInt16(string field)
    {
        if (Remaining < 2)
        {
            throw Truncated(field);
        }

        var value = BinaryPrimitives.ReadUInt16BigEndian(_buffer[_position..]);
        _position += 2;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(int length, string field) =>
        TryReadBytes(length, out var value) ? value : throw Truncated(field);

    /// <summary>Reads a varint length, rejecting values past <paramref name="max"/> before any buffering.</summary>
    public int ReadLength(string field, int max)
    {
        var length = ReadVarint(field + " length");
        if (length > (ulong)max)
        {
            throw MoqtProtocolException.Violation($"{field} length {length} exceeds the limit of {max} bytes.");
        }

        return (int)length;
    }

    /// <summary>Reads a varint length-prefixed byte string of at most <paramref name="max"/> bytes.</summary>
    public ReadOnlySpan<byte> ReadLengthPrefixed(string field, int max) => ReadBytes(ReadLength(field, max), field);

    private static MoqtProtocolException Truncated(string field) =>
        MoqtProtocolException.Violation($"Message ends while reading {field}: its length disagrees with its content.");
}
