using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Agents.Runtime;

/// <summary>
/// Turns the caller's Opus objects into the pipeline's 20 ms, 16 kHz PCM16 frames. libopus decodes straight
/// to 16 kHz (RFC 6716 §4: the decoder renders any supported output rate), so no separate resampling step is
/// needed on the way in; packets of other durations are re-framed, lost ones are concealed.
/// Not thread-safe: one instance per call, fed from one subscription callback. Allocates nothing per frame.
/// </summary>
internal sealed class UplinkAudioDecoder : IDisposable
{
    public const int SampleRate = 16000;
    public const int FrameSamples = SampleRate / 50;

    /// <summary>At most this many lost frames (100 ms) are concealed before a received packet; longer gaps are skipped.</summary>
    public const int MaxConcealedFrames = 5;

    private readonly OpusDecoder _decoder = new(new AudioFormat(SampleRate, 1));
    private readonly short[] _pending;
    private int _count;

    public UplinkAudioDecoder()
    {
        _pending = new short[_decoder.MaxFrameSamplesPerChannel + (FrameSamples * (MaxConcealedFrames + 1))];
    }

    /// <summary>Packets that failed to decode (dropped and counted).</summary>
    public long CorruptPackets { get; private set; }

    /// <summary>Frames rebuilt by packet-loss concealment.</summary>
    public long ConcealedFrames { get; private set; }

    /// <summary>Decodes one packet (concealing <paramref name="lostBefore"/> missing frames first).</summary>
    public void Push(ReadOnlySpan<byte> packet, int lostBefore)
    {
        // RFC 6716 §4.4: a missing packet is concealed by asking the decoder for audio without input.
        for (var i = 0; i < Math.Min(lostBefore, MaxConcealedFrames); i++)
        {
            EnsureRoom(FrameSamples);
            _count += _decoder.Conceal(_pending.AsSpan(_count), FrameSamples);
            ConcealedFrames++;
        }

        EnsureRoom(_decoder.MaxFrameSamplesPerChannel);
        if (_decoder.TryDecode(packet, _pending.AsSpan(_count), out var samples))
        {
            _count += samples;
        }
        else
        {
            CorruptPackets++;
        }
    }

    /// <summary>Copies the next complete 20 ms frame into <paramref name="frame"/>; false when less than a frame is buffered.</summary>
    public bool TryReadFrame(Span<short> frame)
    {
        if (_count < FrameSamples)
        {
            return false;
        }

        _pending.AsSpan(0, FrameSamples).CopyTo(frame);
        _pending.AsSpan(FrameSamples, _count - FrameSamples).CopyTo(_pending);
        _count -= FrameSamples;
        return true;
    }

    public void Dispose() => _decoder.Dispose();

    private void EnsureRoom(int samples)
    {
        // A caller that floods oversized packets faster than frames are read loses the oldest audio, never memory.
        var overflow = _count + samples - _pending.Length;
        if (overflow > 0)
        {
            var drop = Math.Min(_count, ((overflow + FrameSamples - 1) / FrameSamples) * FrameSamples);
            _pending.AsSpan(drop, _count - drop).CopyTo(_pending);
            _count -= drop;
        }
    }
}
