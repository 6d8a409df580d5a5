namespace ClutchCall.Voice.Media;

/// <summary>
/// A bounded pool of <see cref="AudioFrame"/> objects. Renting and returning allocate nothing once
/// the pool is warm; a pool that runs dry allocates, and a full pool lets extra frames go to the GC.
/// </summary>
internal sealed class AudioFramePool
{
    /// <summary>Enough for 20 ms of 48 kHz stereo without growing.</summary>
    private const int DefaultCapacitySamples = 1920;

    private readonly AudioFrame[] _items;
    private readonly Lock _gate = new();
    private int _count;

    public AudioFramePool(int maxRetained = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRetained, 1);
        _items = new AudioFrame[maxRetained];
    }

    /// <summary>The process-wide pool.</summary>
    public static AudioFramePool Shared { get; } = new(4096);

    /// <summary>Rents a frame holding <paramref name="samplesPerChannel"/> samples per channel of <paramref name="format"/>.</summary>
    /// <remarks>Sample contents are whatever the previous owner left; writers overwrite the whole span.</remarks>
    public AudioFrame Rent(AudioFormat format, int samplesPerChannel)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samplesPerChannel);
        AudioFrame? frame = null;
        lock (_gate)
        {
            if (_count > 0)
            {
                frame = _items[--_count];
                _items[_count] = null!;
            }
        }

        frame ??= new AudioFrame(this, Math.Max(DefaultCapacitySamples, samplesPerChannel * format.Channels));
        frame.Reset(format, samplesPerChannel);
        return frame;
    }

    internal void Return(AudioFrame frame)
    {
        lock (_gate)
        {
            if (_count < _items.Length)
            {
                _items[_count++] = frame;
            }
        }
    }
}
