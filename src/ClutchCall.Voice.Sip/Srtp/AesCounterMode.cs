using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ClutchCall.Voice.Sip.Srtp;

/// <summary>
/// AES in counter mode as SRTP uses it (RFC 3711 §4.1.1): the keystream block j is AES_k(IV + j), with
/// j in the low 16 bits. Counter blocks are encrypted in one ECB call per chunk into preallocated buffers,
/// so the steady path allocates nothing. Not thread-safe: one instance per direction.
/// </summary>
internal sealed class AesCounterMode : IDisposable
{
    private const int ChunkBlocks = 96;
    private const int BlockSize = 16;

    private readonly Aes _aes;
    private readonly ICryptoTransform _ecb;
    private readonly byte[] _counters = new byte[ChunkBlocks * BlockSize];
    private readonly byte[] _keystream = new byte[ChunkBlocks * BlockSize];

    public AesCounterMode(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _ecb = _aes.CreateEncryptor();
    }

    /// <summary>XORs the keystream for <paramref name="iv"/> (16 bytes, low 16 bits zero) into <paramref name="data"/>.</summary>
    public void Apply(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        var high = BinaryPrimitives.ReadUInt64BigEndian(iv);
        var low = BinaryPrimitives.ReadUInt64BigEndian(iv[8..]);
        ulong block = 0;
        while (!data.IsEmpty)
        {
            var blocks = Math.Min(ChunkBlocks, (data.Length + BlockSize - 1) / BlockSize);
            for (var j = 0; j < blocks; j++, block++)
            {
                // RFC 3711 §4.1.1: IV + j, the counter never exceeds 2^16 blocks per packet.
                BinaryPrimitives.WriteUInt64BigEndian(_counters.AsSpan(j * BlockSize), high);
                BinaryPrimitives.WriteUInt64BigEndian(_counters.AsSpan((j * BlockSize) + 8), low + block);
            }

            _ecb.TransformBlock(_counters, 0, blocks * BlockSize, _keystream, 0);
            var n = Math.Min(data.Length, blocks * BlockSize);
            Xor(data[..n], _keystream.AsSpan(0, n));
            data = data[n..];
        }
    }

    private static void Xor(Span<byte> data, ReadOnlySpan<byte> keystream)
    {
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            var v = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]) ^ BinaryPrimitives.ReadUInt64LittleEndian(keystream[i..]);
            BinaryPrimitives.WriteUInt64LittleEndian(data[i..], v);
        }

        for (; i < data.Length; i++)
        {
            data[i] ^= keystream[i];
        }
    }

    public void Dispose()
    {
        _ecb.Dispose();
        _aes.Dispose();
    }
}
