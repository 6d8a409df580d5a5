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
    private readonly bool _reassemble;
    private readonly int _g711Frame;
    private readonly byte[] _partial = [];
    private readonly int[] _fill = [];
    private readonly uint[] _slotFrame = [];
    private bool _haveBase;
    private uint _baseTimestamp;

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
        if (codec is AudioCodec.G711Alaw or AudioCodec.G711Ulaw)
        {
            _reassemble = true;
            _g711Frame = 8 * FrameMs;
            _partial = new byte[ReassemblySlots * _g711Frame];
            _fill = new int[ReassemblySlots];
            _slotFrame = new uint[ReassemblySlots];
            Array.Fill(_slotFrame, uint.MaxValue);
        }
    }

    /// <summary>Frames being reassembled at once (G.711 packets of other durations than 20 ms).</summary>
    private const int ReassemblySlots = 8;

    public AudioCodec Codec { get; }

    public AudioFormat PcmFormat { get; }

    /// <summary>Samples in every frame <see cref="Pop"/> writes.</summary>
    public int FrameSamples { get; }

    public JitterBufferStats Stats => _jitter.Stats;

    /// <summary>
    /// Adds one RTP payload (false when the jitter buffer dropped it as late, duplicate or oversized). G.711 carries one byte per sample, so packets of any duration (10, 30 ms…, RFC 3551
    /// §4.5.14 allows any) are cut on the 20 ms grid of the RTP timestamp and each whole frame goes to the
    /// jitter buffer numbered by its position; Opus packets go in as they are.
    /// </summary>
    public bool Push(ushort sequence, uint rtpTimestamp, ReadOnlySpan<byte> payload)
    {
        if (!_reassemble)
        {
            return _jitter.Push(sequence, rtpTimestamp, payload) == JitterPushResult.Accepted;
        }

        if (!_haveBase)
        {
            _baseTimestamp = rtpTimestamp;
            _haveBase = true;
        }

        var result = true;
        var position = rtpTimestamp - _baseTimestamp;
        var size = _g711Frame;
        for (var i = 0; i < payload.Length;)
        {
            var at = position + (uint)i;
            var frame = at / (uint)size;
            var offset = (int)(at % (uint)size);
            var n = Math.Min(size - offset, payload.Length - i);
            var slot = (int)(frame % ReassemblySlots);
            if (_slotFrame[slot] != frame)
            {
                _slotFrame[slot] = frame;
                _fill[slot] = 0;
            }

            var slotBytes = _partial.AsSpan(slot * size, size);
            payload.Slice(i, n).CopyTo(slotBytes[offset..]);
            _fill[slot] += n;
            if (_fill[slot] >= size)
            {
                result = _jitter.Push((ushort)frame, _baseTimestamp + (frame * (uint)size), slotBytes) == JitterPushResult.Accepted;
                _slotFrame[slot] = uint.MaxValue;
            }

            i += n;
        }

        return result;
    }

    /// <summary>Writes the next frame (<see cref="FrameSamples"/> samples) into <paramref name="pcm"/>.</summary>
    public SipFrameKind Pop(Span<short> pcm)
    {
        var kind = _jitter.Pop(_codecFrame) switch
        {
            JitterFrameKind.Decoded => SipFrameKind.Decoded,
            JitterFrameKind.FecRecovered => SipFrameKind.FecRecovered,
            JitterFrameKind.Concealed => SipFrameKind.Concealed,
            _ => SipFrameKind.Buffering,
        };
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

    /// <summary>Forgets the stream (a new SSRC): the jitter buffer and the reassembly grid restart.</summary>
    public void Reset()
    {
        _jitter.Reset();
        _haveBase = false;
        Array.Fill(_slotFrame, uint.MaxValue);
    }

    public void Dispose()
    {
        _jitter.Dispose();
        _decoder.Dispose();
    }
}
