using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Benchmarks.Jitter;

/// <summary>One 20 ms packet in and one frame out of a jitter buffer (G.711 µ-law, so the cost is the buffer's).</summary>
[MemoryDiagnoser]
public class JitterBufferBenchmarks
{
    private readonly byte[] _packet = new byte[160];
    private readonly short[] _frame = new short[160];
    private readonly SteppingTimeProvider _time = new();
    private IAudioDecoder _decoder = null!;
    private JitterBuffer _buffer = null!;
    private ushort _sequence;

    [GlobalSetup]
    public void Setup()
    {
        _decoder = AudioCodecFactory.CreateDecoder(AudioCodec.G711Ulaw, AudioFormat.Telephony);
        _buffer = new JitterBuffer(_decoder, _time, new JitterBufferOptions { TimestampRate = 8000 });
        _packet.AsSpan().Fill(0x55);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _buffer.Dispose();
        _decoder.Dispose();
    }

    [Benchmark]
    public int PushPop()
    {
        _buffer.Push(_sequence, (uint)(_sequence * 160), _packet);
        _sequence++;
        _time.Step(TimeSpan.FromMilliseconds(20));
        return (int)_buffer.Pop(_frame);
    }

    /// <summary>A clock moved by hand, so the buffer sees perfectly regular 20 ms arrivals.</summary>
    private sealed class SteppingTimeProvider : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Step(TimeSpan delta) => _ticks += delta.Ticks;
    }
}
