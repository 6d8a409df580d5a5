using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Sip.Srtp;

namespace ClutchCall.Voice.Benchmarks.Sip;

/// <summary>
/// SRTP per 20 ms G.711 packet (12-byte header + 160-byte payload): protect, protect+unprotect round trip,
/// and the rejection of a tampered packet. Every one must allocate 0 B.
/// </summary>
[MemoryDiagnoser]
public class SrtpBenchmarks
{
    private const int Header = 12;
    private const int Payload = 160;

    private readonly byte[] _plain = new byte[Header + Payload];
    private readonly byte[] _buffer = new byte[Header + Payload + 10];
    private readonly byte[] _tampered = new byte[Header + Payload + 10];
    private SrtpContext _tx80 = null!;
    private SrtpContext _tx32 = null!;
    private SrtpContext _rx80 = null!;
    private SrtpContext _sender = null!;
    private ushort _seq;

    [GlobalSetup]
    public void Setup()
    {
        var key = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
        var salt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");
        _tx80 = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, key, salt);
        _tx32 = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_32, key, salt);
        _rx80 = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, key, salt);
        _sender = new SrtpContext(SrtpCryptoSuite.AesCm128HmacSha1_80, key, salt);
        _plain[0] = 0x80;
        _plain[1] = 8;
        BinaryPrimitives.WriteUInt32BigEndian(_plain.AsSpan(8), 0x5EED5EED);
        for (var i = Header; i < _plain.Length; i++)
        {
            _plain[i] = (byte)i;
        }

        _plain.CopyTo(_tampered, 0);
        _sender.TryProtectRtp(_tampered, _plain.Length, out _);
        _tampered[40] ^= 1;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _tx80.Dispose();
        _tx32.Dispose();
        _rx80.Dispose();
        _sender.Dispose();
    }

    private void NextPacket()
    {
        _plain.CopyTo(_buffer, 0);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), ++_seq);
    }

    [Benchmark(Description = "SRTP protect AES_CM_128_HMAC_SHA1_80, 172-byte packet")]
    public int Protect80()
    {
        NextPacket();
        _tx80.TryProtectRtp(_buffer, _plain.Length, out var n);
        return n;
    }

    [Benchmark(Description = "SRTP protect AES_CM_128_HMAC_SHA1_32, 172-byte packet")]
    public int Protect32()
    {
        NextPacket();
        _tx32.TryProtectRtp(_buffer, _plain.Length, out var n);
        return n;
    }

    [Benchmark(Description = "SRTP protect + unprotect (_80), 172-byte packet")]
    public int RoundTrip80()
    {
        NextPacket();
        _tx80.TryProtectRtp(_buffer, _plain.Length, out var n);
        _rx80.UnprotectRtp(_buffer.AsSpan(0, n), out var length);
        return length;
    }

    [Benchmark(Description = "SRTP unprotect rejecting a tampered packet (_80)")]
    public int UnprotectTampered() => (int)_rx80.UnprotectRtp(_tampered, out _);
}
