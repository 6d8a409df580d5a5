namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>
/// One Key-Value-Pair (draft-ietf-moq-transport-14 §1.4.2): an even key carries a varint <see cref="Value"/>,
/// an odd key a byte string <see cref="Bytes"/> of at most <see cref="MaxValueLength"/> bytes.
/// </summary>
internal readonly record struct MoqtParameter
{
    /// <summary>§1.4.2: "The maximum length of a value is 2^16-1 bytes."</summary>
    public const int MaxValueLength = ushort.MaxValue;

    private MoqtParameter(ulong key, ulong value, ReadOnlyMemory<byte> bytes)
    {
        Key = key;
        Value = value;
        Bytes = bytes;
    }

    public ulong Key { get; }

    /// <summary>The varint value (even keys only).</summary>
    public ulong Value { get; }

    /// <summary>The byte-string value (odd keys only).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public bool IsVarint => (Key & 1) == 0;

    public static MoqtParameter Varint(ulong key, ulong value)
    {
        if ((key & 1) != 0)
        {
            throw new ArgumentException($"Key 0x{key:x} is odd: its value is a byte string.", nameof(key));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, QuicVarint.MaxValue);
        return new MoqtParameter(key, value, default);
    }

    public static MoqtParameter FromBytes(ulong key, ReadOnlyMemory<byte> bytes)
    {
        if ((key & 1) == 0)
        {
            throw new ArgumentException($"Key 0x{key:x} is even: its value is a varint.", nameof(key));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes.Length, MaxValueLength);
        return new MoqtParameter(key, 0, bytes);
    }

    public bool Equals(MoqtParameter other) =>
        Key == other.Key && Value == other.Value && Bytes.Span.SequenceEqual(other.Bytes.Span);

    public override int GetHashCode() => HashCode.Combine(Key, Value, Bytes.Length);

    public override string ToString() =>
        IsVarint ? $"0x{Key:x}={Value}" : $"0x{Key:x}=[{Convert.ToHexStringLower(Bytes.Span)}]";
}
