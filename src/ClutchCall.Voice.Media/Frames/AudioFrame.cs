using System.Diagnostics;

namespace ClutchCall.Voice.Media;

/// <summary>
/// A frame of interleaved PCM16 audio, normally 20 ms, with its capture time and sequence number.
/// </summary>
/// <remarks>
/// Ownership: a frame comes from <see cref="AudioFramePool.Rent"/> and has exactly one owner at a time.
/// Whoever holds it last calls <see cref="Dispose"/>, which returns it to its pool; touching a frame
/// after that is a bug (debug builds assert). Handing a frame to another component hands over ownership.
/// The steady 20 ms path rents and returns frames and so allocates nothing.
/// </remarks>
internal sealed class AudioFrame : IDisposable
{
    private readonly AudioFramePool? _pool;
    private short[] _buffer;
    private bool _rented;

    internal AudioFrame(AudioFramePool? pool, int capacity)
    {
        _pool = pool;
        _buffer = new short[capacity];
    }

    /// <summary>Sample rate and channel count.</summary>
    public AudioFormat Format { get; private set; }

    /// <summary>Samples per channel in this frame (960 for 20 ms at 48 kHz).</summary>
    public int SamplesPerChannel { get; private set; }

    /// <summary>Capture time of the first sample, in microseconds of the media clock.</summary>
    public long TimestampUs { get; set; }

    /// <summary>Sequence number assigned by the producer; consecutive frames differ by one.</summary>
    public long Sequence { get; set; }

    /// <summary>Duration in microseconds.</summary>
    public long DurationUs => Format.SampleRate == 0 ? 0 : SamplesPerChannel * 1_000_000L / Format.SampleRate;

    /// <summary>The interleaved samples.</summary>
    public Span<short> Samples
    {
        get
        {
            Debug.Assert(_rented || _pool is null, "AudioFrame used after it was returned to its pool.");
            return _buffer.AsSpan(0, SamplesPerChannel * Format.Channels);
        }
    }

    internal int Capacity => _buffer.Length;

    /// <summary>Creates a frame that belongs to no pool (tests, tools). Dispose is a no-op for it.</summary>
    public static AudioFrame CreateUnpooled(AudioFormat format, int samplesPerChannel)
    {
        var frame = new AudioFrame(null, samplesPerChannel * format.Channels);
        frame.Reset(format, samplesPerChannel);
        return frame;
    }

    internal void Reset(AudioFormat format, int samplesPerChannel)
    {
        var needed = samplesPerChannel * format.Channels;
        if (_buffer.Length < needed)
        {
            _buffer = new short[needed];
        }

        Format = format;
        SamplesPerChannel = samplesPerChannel;
        TimestampUs = 0;
        Sequence = 0;
        _rented = true;
    }

    /// <summary>Shrinks the valid length, for a decoder that produced fewer samples than reserved.</summary>
    public void SetLength(int samplesPerChannel)
    {
        if ((uint)(samplesPerChannel * Format.Channels) > (uint)_buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(samplesPerChannel), samplesPerChannel, "Longer than the frame's buffer.");
        }

        SamplesPerChannel = samplesPerChannel;
    }

    /// <summary>Returns the frame to its pool. The caller must not touch it afterwards.</summary>
    public void Dispose()
    {
        if (_pool is null || !_rented)
        {
            return;
        }

        _rented = false;
        _pool.Return(this);
    }
}
