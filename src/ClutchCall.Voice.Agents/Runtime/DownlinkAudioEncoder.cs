using ClutchCall.Voice.Agents.Pipeline;
using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Agents.Runtime;

/// <summary>Where encoded downlink frames go (the relay publication, or a counter in benchmarks).</summary>
internal interface IDownlinkFramePublisher
{
    /// <summary>Publishes one 20 ms Opus frame captured at <paramref name="timestampUs"/> (µs since the Unix epoch).</summary>
    bool Publish(ReadOnlySpan<byte> frame, long timestampUs);
}

/// <summary>
/// The pipeline's downlink sink: each 20 ms, 16 kHz frame is resampled to 48 kHz, Opus-encoded and
/// published with the capture timestamp of the media-clock deadline it was sent on, so consecutive frames
/// are exactly 20 ms apart however late the tick ran. Runs on the clock thread; allocates nothing per frame.
/// </summary>
internal sealed class DownlinkAudioEncoder : IDownlinkAudioSink, IDisposable
{
    public const int OutputRate = 48000;
    private const int OutputSamples = OutputRate / 50;

    private readonly Resampler _resampler = new(CallSpeechPipeline.SampleRate, OutputRate);
    private readonly OpusEncoder _encoder = new(new AudioFormat(OutputRate, 1));
    private readonly short[] _upsampled = new short[Resampler.MaxOutput(CallSpeechPipeline.SampleRate, OutputRate, CallSpeechPipeline.FrameSamples) + 8];
    private readonly byte[] _packet = new byte[1500];
    private readonly IDownlinkFramePublisher _publisher;
    private readonly TimeProvider _time;
    private long _lastTick = -1;
    private long _anchorUs = -1;
    private MediaClockTick _tick;

    public DownlinkAudioEncoder(IDownlinkFramePublisher publisher, TimeProvider time)
    {
        _publisher = publisher;
        _time = time;
    }

    /// <summary>Frames published.</summary>
    public long FramesSent { get; private set; }

    /// <summary>Capture timestamp of the last frame sent (µs), or -1.</summary>
    public long LastTimestampUs { get; private set; } = -1;

    /// <summary>Called by the session before the pipeline's tick, so a frame sent on it gets the tick's deadline.</summary>
    public void BeginTick(in MediaClockTick tick) => _tick = tick;

    public void OnFrame(ReadOnlySpan<short> pcm, long tickIndex)
    {
        if (tickIndex != _lastTick + 1)
        {
            // A new reply after silence: start clean rather than ring out the last reply's filter tail.
            _resampler.Reset();
        }

        _lastTick = tickIndex;
        var n = _resampler.Process(pcm, _upsampled);
        var frame = _upsampled.AsSpan(0, OutputSamples);
        if (n < OutputSamples)
        {
            frame[n..].Clear();
        }

        var length = _encoder.Encode(frame, _packet);
        var deadlineUs = (long)_tick.Deadline.TotalMicroseconds;
        if (_anchorUs < 0)
        {
            // Map the clock's deadlines onto wall-clock microseconds once; later frames follow the deadlines exactly.
            _anchorUs = NowUs(_time) - (long)_tick.Lateness.TotalMicroseconds - deadlineUs;
        }

        LastTimestampUs = _anchorUs + deadlineUs;
        _publisher.Publish(_packet.AsSpan(0, length), LastTimestampUs);
        FramesSent++;
    }

    public void Dispose() => _encoder.Dispose();

    internal static long NowUs(TimeProvider time) => (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
}
