using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Agents;
using ClutchCall.Voice.Agents.Pipeline;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Speech.Stt;
using ClutchCall.Voice.Speech.Tts;

namespace ClutchCall.Voice.Benchmarks.Speech;

/// <summary>
/// The pipeline's own per-frame cost, engines excluded: one caller frame (VAD, turn detection,
/// pre-roll copy) plus one idle media-clock tick, on a quiet line. The engines are never started.
/// </summary>
[MemoryDiagnoser]
public class CallSpeechPipelineBenchmarks
{
    private readonly short[] _frame = new short[CallSpeechPipeline.FrameSamples];
    private CallSpeechPipeline _pipeline = null!;
    private long _ts;
    private long _tick;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(3);
        for (var i = 0; i < _frame.Length; i++)
        {
            _frame[i] = (short)rng.Next(-40, 40); // line noise well below speech
        }

        _pipeline = new CallSpeechPipeline(new UnusedStt(), new UnusedTts(), new EchoAgent(), new NullSink());
    }

    [GlobalCleanup]
    public void Cleanup() => _pipeline.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public void CallerFramePlusTick()
    {
        _pipeline.PushCallerFrame(_frame, _ts);
        _ts += 20_000;
        _pipeline.OnTick(new MediaClockTick(++_tick, TimeSpan.Zero, TimeSpan.Zero));
    }

    private sealed class NullSink : IDownlinkAudioSink
    {
        public void OnFrame(ReadOnlySpan<short> pcm, long tickIndex)
        {
        }
    }

    private sealed class UnusedStt : ISpeechToText
    {
        public string Name => "unused";

        public int SampleRate => 16000;

        public ValueTask<ISpeechRecognitionStream> StartAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("not used on a quiet line");
    }

    private sealed class UnusedTts : ITextToSpeech
    {
        public string Name => "unused";

        public int SampleRate => 16000;

        public IAsyncEnumerable<SynthesizedAudio> SynthesizeAsync(IAsyncEnumerable<string> text, CancellationToken cancellationToken) => throw new InvalidOperationException("not used on a quiet line");
    }
}
