using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Speech.Espeak;
using ClutchCall.Voice.Speech.PocketSphinx;
using ClutchCall.Voice.Speech.Tts;
using ClutchCall.Voice.Speech.Vad;

namespace ClutchCall.Voice.Benchmarks.Speech;

/// <summary>VAD cost per 20 ms frame at 16 kHz (must allocate nothing).</summary>
[MemoryDiagnoser]
public class VadBenchmarks
{
    private readonly VoiceActivityDetector _vad = new(16000, 20);
    private readonly short[] _frame = new short[320];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        for (var i = 0; i < _frame.Length; i++)
        {
            _frame[i] = (short)(3000 * Math.Sin(i * 0.3) + rng.Next(-500, 500));
        }
    }

    [Benchmark]
    public bool VadFrame16k20ms() => _vad.Process(_frame);
}

/// <summary>
/// Real-time factors: compute time per second of audio. espeak-ng synthesizes a 3.4 s sentence;
/// pocketsphinx recognises 3 s of synthetic speech. RTF = mean time / audio duration.
/// </summary>
[MemoryDiagnoser]
public class SpeechEngineBenchmarks
{
    private const string Sentence = "Please call me back tomorrow morning about the money.";
    private readonly EspeakTextToSpeech _tts = new(16000);
    private PocketSphinxSpeechToText _stt = null!;
    private short[] _audio = [];

    [GlobalSetup]
    public void Setup()
    {
        _audio = _tts.SynthesizeAllAsync(Sentence, CancellationToken.None).GetAwaiter().GetResult();
        _stt = new PocketSphinxSpeechToText();
        Console.WriteLine($"// audio seconds: {_audio.Length / 16000.0:F3}");
    }

    [Benchmark]
    public Task<short[]> EspeakSynthesizeSentence() => _tts.SynthesizeAllAsync(Sentence, CancellationToken.None);

    [Benchmark]
    public async Task<string> PocketSphinxRecogniseSentence()
    {
        await using var stream = await _stt.StartAsync(CancellationToken.None);
        for (var i = 0; i < _audio.Length; i += 320)
        {
            await stream.WriteAsync(_audio.AsMemory(i, Math.Min(320, _audio.Length - i)), CancellationToken.None);
        }

        return (await stream.CompleteAsync(CancellationToken.None)).Text;
    }
}
