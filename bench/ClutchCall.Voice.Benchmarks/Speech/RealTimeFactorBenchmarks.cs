using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Speech.Espeak;
using ClutchCall.Voice.Speech.PocketSphinx;
using ClutchCall.Voice.Speech.Tts;

namespace ClutchCall.Voice.Benchmarks.Speech;

/// <summary>
/// Real-time factors of the offline engines (compute time / audio duration; below 1 is faster than
/// real time): espeak-ng synthesizing a fixed sentence, pocketsphinx decoding a real LibriVox clip
/// (<c>../shared/testdata/speech/librivox-0870.wav</c>, or <c>CLUTCHCALL_TESTDATA</c>) streamed in
/// 20 ms frames. The RTF column divides the mean by the audio duration.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RtfConfig))]
public class RealTimeFactorBenchmarks
{
    internal const string Sentence = "Please call me back tomorrow morning about the money.";
    internal const string Clip = "librivox-0870";

    // Durations are measured again in the host process too, so the RTF column works out of process.
    private static readonly Lazy<double> EspeakSeconds = new(() => new EspeakTextToSpeech(16000).SynthesizeAllAsync(Sentence, CancellationToken.None).GetAwaiter().GetResult().Length / 16000.0);
    private static readonly Lazy<double> ClipSeconds = new(() => WavFile.Read(FindClip()).Samples.Length / 16000.0);

    private readonly EspeakTextToSpeech _tts = new(16000);
    private PocketSphinxSpeechToText _stt = null!;
    private short[] _clip = [];

    [GlobalSetup]
    public void Setup()
    {
        var wav = WavFile.Read(FindClip());
        if (wav.Format != new AudioFormat(16000, 1))
        {
            throw new InvalidOperationException($"{Clip}.wav is {wav.Format}, expected 16 kHz mono");
        }

        _clip = wav.Samples;
        _stt = new PocketSphinxSpeechToText();
        Console.WriteLine($"// espeak-ng sentence {EspeakSeconds.Value:F3} s, {Clip} {ClipSeconds.Value:F3} s");
    }

    [GlobalCleanup]
    public void Cleanup() => _stt.Dispose();

    [Benchmark]
    public Task<short[]> EspeakSentence() => _tts.SynthesizeAllAsync(Sentence, CancellationToken.None);

    [Benchmark]
    public async Task<string> PocketSphinxLibriVox()
    {
        await using var stream = await _stt.StartAsync(CancellationToken.None);
        for (var i = 0; i < _clip.Length; i += 320)
        {
            await stream.WriteAsync(_clip.AsMemory(i, Math.Min(320, _clip.Length - i)), CancellationToken.None);
        }

        return (await stream.CompleteAsync(CancellationToken.None)).Text;
    }

    private static string FindClip()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("CLUTCHCALL_TESTDATA") is { Length: > 0 } env)
        {
            candidates.Add(env);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ClutchCall.Voice.sln")))
                {
                    candidates.Add(Path.Combine(dir.FullName, "..", "shared", "testdata"));
                }
            }
        }

        foreach (var root in candidates)
        {
            var path = Path.Combine(root, "speech", $"{Clip}.wav");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"speech/{Clip}.wav not found; run from the repository or set CLUTCHCALL_TESTDATA");
    }

    private sealed class RtfConfig : ManualConfig
    {
        public RtfConfig() => AddColumn(new RtfColumn());
    }

    /// <summary>Mean time divided by the benchmark's audio duration.</summary>
    private sealed class RtfColumn : IColumn
    {
        public string Id => "RTF";

        public string ColumnName => "RTF";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Real-time factor: mean compute time / audio duration";

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
            var seconds = benchmarkCase.Descriptor.WorkloadMethod.Name switch
            {
                nameof(EspeakSentence) => EspeakSeconds.Value,
                nameof(PocketSphinxLibriVox) => ClipSeconds.Value,
                _ => 0,
            };
            return mean is { } ns && seconds > 0 ? (ns / 1e9 / seconds).ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "?";
        }
    }
}
