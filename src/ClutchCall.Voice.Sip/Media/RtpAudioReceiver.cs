using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Sip.Media;

/// <summary>
/// The receive half of an RTP audio leg without sockets: packets go into the media core's jitter buffer,
/// one 20 ms frame comes out per tick, decoded (G.711 at 8 kHz, Opus at the leg's rate) and resampled to the
/// leg's PCM rate. Allocation-free after construction; not thread-safe (the session serialises calls).
/// </summary>
internal sealed class RtpAudioReceiver : IDisposable
{
    private const int FrameMs = 20;

    private readonly IAudioDecoder _decoder;
    private readonly JitterBuffer _jitter;
    private readonly Resampler? _resampler;
    private readonly short[] _codecFrame;

    public RtpAudioReceiver(AudioCodec codec, int pcmRate, TimeProvider time, JitterBufferOptions? jitter = null)
    {
        Codec = codec;
        PcmFormat = new AudioFormat(pcmRate, 1);
        PcmFormat.EnsureSupported();
        var codecRate = SipAudioCodecs.CodecPcmRate(codec, pcmRate);
        _decoder = AudioCodecFactory.CreateDecoder(codec, new AudioFormat(codecRate, 1));
        _jitter = new JitterBuffer(_decoder, time, (jitter ?? new JitterBufferOptions()) with { FrameMs = FrameMs, TimestampRate = SipAudioCodecs.ClockRate(codec) });
        _resampler = codecRate == pcmRate ? null : new Resampler(codecRate, pcmRate);
        _codecFrame = new short[_jitter.FrameSamples];
        FrameSamples = PcmFormat.InterleavedSamples(FrameMs);
    }

    public AudioCodec Codec { get; }

    public AudioFormat PcmFormat { get; }

    /// <summary>Samples in every frame <see cref="Pop"/> writes.</summary>
    public int FrameSamples { get; }

    public JitterBufferStats Stats => _jitter.Stats;

    public JitterPushResult Push(ushort sequence, uint rtpTimestamp, ReadOnlySpan<byte> payload) => _jitter.Push(sequence, rtpTimestamp, payload);

    /// <summary>Writes the next frame (<see cref="FrameSamples"/> samples) into <paramref name="pcm"/>.</summary>
    public JitterFrameKind Pop(Span<short> pcm)
    {
        var kind = _jitter.Pop(_codecFrame);
        if (_resampler is null)
        {
            _codecFrame.AsSpan(0, FrameSamples).CopyTo(pcm);
            return kind;
        }

        var n = _resampler.Process(_codecFrame, pcm[..FrameSamples]);
        if (n < FrameSamples)
        {
            pcm[n..FrameSamples].Clear();
        }

        return kind;
    }

    public void Reset() => _jitter.Reset();

    public void Dispose()
    {
        _jitter.Dispose();
        _decoder.Dispose();
    }
}
