namespace ClutchCall.Voice.Moqt.Transport.WebTransport;

/// <summary>
/// The HPACK/QPACK static Huffman code (RFC 7541 §5.2, Appendix B; reused by RFC 9204 §4.1.2). The code is
/// canonical: codes follow from the bit lengths alone, assigned in order of (length, symbol), so the table
/// below holds only Appendix B's lengths and the codes are rebuilt at start-up.
/// </summary>
internal static class HuffmanCodec
{
    private const int EndOfString = 256;
    private const int MaxCodeLength = 30;

    // RFC 7541 Appendix B "len in bits" column for symbols 0..255 and EOS (256).
    private static ReadOnlySpan<byte> CodeLengths =>
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
        30,
    ];

    private static readonly uint[] Codes = new uint[257];

    // Canonical decoding tables: per length, the first code, how many codes, and where its symbols start.
    private static readonly uint[] FirstCode = new uint[MaxCodeLength + 2];
    private static readonly int[] CountPerLength = new int[MaxCodeLength + 2];
    private static readonly int[] SymbolOffset = new int[MaxCodeLength + 2];
    private static readonly short[] SymbolsByCode = new short[257];

#pragma warning disable CA1810 // The tables are derived from each other in one pass.
    static HuffmanCodec()
#pragma warning restore CA1810
    {
        var lengths = CodeLengths;
        var order = 0;
        for (var length = 1; length <= MaxCodeLength; length++)
        {
            SymbolOffset[length] = order;
            for (var symbol = 0; symbol < 257; symbol++)
            {
                if (lengths[symbol] == length)
                {
                    SymbolsByCode[order++] = (short)symbol;
                    CountPerLength[length]++;
                }
            }
        }

        uint code = 0;
        for (var length = 1; length <= MaxCodeLength; length++)
        {
            FirstCode[length] = code;
            for (var i = 0; i < CountPerLength[length]; i++)
            {
                Codes[SymbolsByCode[SymbolOffset[length] + i]] = code++;
            }

            code <<= 1;
        }
    }

    /// <summary>The code of a symbol (right-aligned) and its length, for tests and the encoder.</summary>
    public static (uint Code, int Length) GetCode(int symbol) => (Codes[symbol], CodeLengths[symbol]);

    /// <summary>Bytes the Huffman encoding of <paramref name="source"/> takes.</summary>
    public static int GetEncodedLength(ReadOnlySpan<byte> source)
    {
        long bits = 0;
        foreach (var b in source)
        {
            bits += CodeLengths[b];
        }

        return (int)((bits + 7) / 8);
    }

    /// <summary>Encodes <paramref name="source"/>, padding the last byte with the EOS prefix (all ones, RFC 7541 §5.2).</summary>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ulong accumulator = 0;
        var bits = 0;
        var written = 0;
        foreach (var b in source)
        {
            accumulator = (accumulator << CodeLengths[b]) | Codes[b];
            bits += CodeLengths[b];
            while (bits >= 8)
            {
                bits -= 8;
                destination[written++] = (byte)(accumulator >> bits);
            }
        }

        if (bits > 0)
        {
            destination[written++] = (byte)((accumulator << (8 - bits)) | (0xFFu >> bits));
        }

        return written;
    }

    /// <summary>
    /// Decodes a Huffman string. Returns false on malformed input (RFC 7541 §5.2): a code for EOS, padding longer
    /// than 7 bits, padding that is not the EOS prefix, or output longer than <paramref name="destination"/>.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        uint code = 0;
        var length = 0;
        var paddingOnes = true;
        foreach (var b in source)
        {
            for (var bit = 7; bit >= 0; bit--)
            {
                var one = (b >> bit) & 1;
                code = (code << 1) | (uint)one;
                length++;
                paddingOnes &= one == 1;
                var offset = code - FirstCode[length];
                if (offset < (uint)CountPerLength[length])
                {
                    var symbol = SymbolsByCode[SymbolOffset[length] + (int)offset];
                    if (symbol == EndOfString || written == destination.Length)
                    {
                        return false;
                    }

                    destination[written++] = (byte)symbol;
                    code = 0;
                    length = 0;
                    paddingOnes = true;
                }
                else if (length >= MaxCodeLength)
                {
                    return false;
                }
            }
        }

        return length <= 7 && paddingOnes;
    }
}
