using ClutchCall.Voice.Media;
using ClutchCall.Voice.Sip.Rtp;

namespace ClutchCall.Voice.Sip.Media;

/// <summary>
/// The send half of an RTP audio leg without sockets: 20 ms of PCM at the leg's rate is resampled to the
/// codec's rate, encoded and written as one RTP packet (RFC 3550 §5.1) with running sequence number and
/// timestamp. Allocation-free after construction; not thread-safe.
/// </summary>
internal sealed class RtpAudioSender : IDisposable
{
    /// <summary>Largest packet this sender writes: header plus the largest Opus packet.</summary>
    public const int MaxPacketBytes = RtpPacket.FixedHeaderLength + OpusEncoder.MaxPacketBytes;

    private const int FrameMs = 20;

    private readonly IAudioEncoder _encoder;
    private readonly Resampler? _resampler;
    private readonly short[] _codecFrame;
    private readonly int _codecFrameSamples;
    private bool _first = true;

    public RtpAudioSender(AudioCodec codec, byte payloadType, int pcmRate, uint ssrc, OpusEncoderOptions? opus = null)
    {
        Codec = codec;
        PayloadType = payloadType;
        Ssrc = ssrc;
        PcmFormat = new AudioFormat(pcmRate, 1);
        PcmFormat.EnsureSupported();
        var codecRate = SipAudioCodecs.CodecPcmRate(codec, pcmRate);
        _encoder = AudioCodecFactory.CreateEncoder(codec, new AudioFormat(codecRate, 1), FrameMs, opus);
        _resampler = codecRate == pcmRate ? null : new Resampler(pcmRate, codecRate);
        _codecFrameSamples = codecRate / 1000 * FrameMs;
        _codecFrame = new short[_codecFrameSamples];
        FrameSamples = PcmFormat.InterleavedSamples(FrameMs);
        TimestampStep = (uint)(SipAudioCodecs.ClockRate(codec) / 1000 * FrameMs);
        // RFC 3550 §5.1: sequence number and timestamp start at random values.
        Sequence = (ushort)Random.Shared.Next(0, ushort.MaxValue);
        Timestamp = (uint)Random.Shared.Next();
    }

    public AudioCodec Codec { get; }

    public byte PayloadType { get; }

    public uint Ssrc { get; }

    public AudioFormat PcmFormat { get; }

    /// <summary>Samples <see cref="WritePcm"/> takes.</summary>
    public int FrameSamples { get; }

    /// <summary>RTP timestamp units per 20 ms frame.</summary>
    public uint TimestampStep { get; }

    /// <summary>Sequence number of the next packet.</summary>
    public ushort Sequence { get; private set; }

    /// <summary>RTP timestamp of the next frame.</summary>
    public uint Timestamp { get; set; }

    public uint PacketsSent { get; private set; }

    public uint OctetsSent { get; private set; }

    /// <summary>Encodes one frame of PCM into an RTP packet in <paramref name="packet"/>; returns its length.</summary>
    public int WritePcm(ReadOnlySpan<short> pcm, Span<byte> packet)
    {
        if (pcm.Length != FrameSamples)
        {
            throw new ArgumentException($"one 20 ms frame at {PcmFormat.SampleRate} Hz is {FrameSamples} samples, got {pcm.Length}", nameof(pcm));
        }

        ReadOnlySpan<short> input = pcm;
        if (_resampler is not null)
        {
            var n = _resampler.Process(pcm, _codecFrame);
            if (n < _codecFrameSamples)
            {
                _codecFrame.AsSpan(n).Clear();
            }

            input = _codecFrame;
        }

        var payloadLength = _encoder.Encode(input, packet[RtpPacket.FixedHeaderLength..]);
        return WriteHeader(packet, payloadLength);
    }

    /// <summary>Wraps an already encoded 20 ms frame (pass-through, no transcoding) into an RTP packet.</summary>
    public int WriteEncoded(ReadOnlySpan<byte> payload, Span<byte> packet)
    {
        var n = RtpPacket.Write(packet, _first, PayloadType, Sequence, Timestamp, Ssrc, payload);
        if (n > 0)
        {
            Advance(payload.Length);
        }

        return n;
    }

    /// <summary>Writes a packet of another payload type (telephone-event) sharing this stream's sequence space.</summary>
    public int WriteOther(byte payloadType, bool marker, uint timestamp, ReadOnlySpan<byte> payload, Span<byte> packet)
    {
        var n = RtpPacket.Write(packet, marker, payloadType, Sequence, timestamp, Ssrc, payload);
        if (n > 0)
        {
            Sequence++;
            PacketsSent++;
            OctetsSent += (uint)payload.Length;
        }

        return n;
    }

    /// <summary>Skips one frame's worth of timestamp without sending (while a DTMF event is being sent).</summary>
    public void SkipFrame() => Timestamp += TimestampStep;

    private int WriteHeader(Span<byte> packet, int payloadLength)
    {
        // RFC 3550 §5.1 / RFC 3551 §4.1: the marker is set on the first packet of a talkspurt.
        packet[0] = 0x80;
        packet[1] = (byte)((_first ? 0x80 : 0) | PayloadType);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(packet[2..], Sequence);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(packet[4..], Timestamp);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(packet[8..], Ssrc);
        Advance(payloadLength);
        return RtpPacket.FixedHeaderLength + payloadLength;
    }

    private void Advance(int payloadLength)
    {
        _first = false;
        Sequence++;
        Timestamp += TimestampStep;
        PacketsSent++;
        OctetsSent += (uint)payloadLength;
    }

    public void Dispose() => _encoder.Dispose();
}
