using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Sip.Media;
using ClutchCall.Voice.Sip.Rtp;

namespace ClutchCall.Voice.Benchmarks.Sip;

/// <summary>
/// The per-frame work of a SIP call leg bridged to the relay's 48 kHz Opus tracks:
/// uplink RTP G.711 packet → jitter buffer → decode → 48 kHz → Opus encode, and
/// downlink Opus decode → 8 kHz → G.711 → RTP packet. Steady state must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class SipMediaLegBenchmarks
{
    private readonly byte[] _rtpIn = new byte[RtpPacket.FixedHeaderLength + 160];
    private readonly byte[] _rtpOut = new byte[RtpAudioSender.MaxPacketBytes];
    private readonly byte[] _opusOut = new byte[OpusEncoder.MaxPacketBytes];
    private readonly short[] _pcm48 = new short[960];
    private readonly short[] _pcmDecoded = new short[960];
    private byte[] _opusIn = [];
    private RtpAudioReceiver _receiver = null!;
    private RtpAudioSender _sender = null!;
    private OpusEncoder _uplinkEncoder = null!;
    private OpusDecoder _downlinkDecoder = null!;
    private ushort _seq;
    private uint _ts;

    [GlobalSetup]
    public void Setup()
    {
        // A 440 Hz tone with harmonics stands in for speech; G.711 A-law payload and one Opus frame of it.
        var tone8 = new short[160];
        for (var i = 0; i < tone8.Length; i++)
        {
            tone8[i] = (short)((6000 * Math.Sin(2 * Math.PI * 440 * i / 8000)) + (2000 * Math.Sin(2 * Math.PI * 1320 * i / 8000)));
        }

        var payload = new byte[160];
        using (var g711 = new G711Encoder(AudioCodec.G711Alaw))
        {
            g711.Encode(tone8, payload);
        }

        RtpPacket.Write(_rtpIn, false, 8, 0, 0, 0x1234_5678, payload);
        for (var i = 0; i < _pcm48.Length; i++)
        {
            _pcm48[i] = (short)(6000 * Math.Sin(2 * Math.PI * 440 * i / 48000));
        }

        _uplinkEncoder = new OpusEncoder(AudioFormat.Opus48Mono, new OpusEncoderOptions());
        var opus = new byte[OpusEncoder.MaxPacketBytes];
        _opusIn = opus.AsSpan(0, _uplinkEncoder.Encode(_pcm48, opus)).ToArray();
        _downlinkDecoder = new OpusDecoder(AudioFormat.Opus48Mono);
        _receiver = new RtpAudioReceiver(AudioCodec.G711Alaw, 48000, TimeProvider.System);
        _sender = new RtpAudioSender(AudioCodec.G711Alaw, 8, 48000, 0x8765_4321);

        // Fill the jitter buffer past its playout delay so the measured frames are steady-state.
        for (var i = 0; i < 50; i++)
        {
            Uplink();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _receiver.Dispose();
        _sender.Dispose();
        _uplinkEncoder.Dispose();
        _downlinkDecoder.Dispose();
    }

    /// <summary>Caller → relay: one RTP G.711 packet in, one 20 ms Opus frame at 48 kHz out.</summary>
    [Benchmark]
    public int Uplink()
    {
        BinaryPrimitives.WriteUInt16BigEndian(_rtpIn.AsSpan(2), _seq++);
        BinaryPrimitives.WriteUInt32BigEndian(_rtpIn.AsSpan(4), _ts);
        _ts += 160;
        if (!RtpPacket.TryRead(_rtpIn, out var header, out var payload))
        {
            return -1;
        }

        _receiver.Push(header.SequenceNumber, header.Timestamp, payload);
        _receiver.Pop(_pcmDecoded);
        return _uplinkEncoder.Encode(_pcmDecoded, _opusOut);
    }

    /// <summary>Relay → caller: one 20 ms Opus frame in, one RTP G.711 packet out.</summary>
    [Benchmark]
    public int Downlink()
    {
        _downlinkDecoder.Decode(_opusIn, _pcmDecoded);
        return _sender.WritePcm(_pcmDecoded, _rtpOut);
    }
}
