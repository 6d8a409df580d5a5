using System.Runtime.CompilerServices;
using ClutchCall.Voice.Agents.Pipeline;
using ClutchCall.Voice.Agents.Runtime;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Speech.Espeak;
using ClutchCall.Voice.Speech.Stt;
using ClutchCall.Voice.Speech.Tts;

namespace ClutchCall.Voice.Benchmarks.Agents;

/// <summary>Stand-in engines and audio for the agent benchmarks: no STT/TTS compute on the measured path.</summary>
internal static class AgentBenchSupport
{
    public const string Sentence = "he was not an ill disposed young man";

    /// <summary>The LibriVox sentence from ../shared/testdata (or espeak-ng's reading of it) as 20 ms 48 kHz Opus frames.</summary>
    public static byte[][] SpeechPackets()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "ClutchCall.Voice.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        var wav = dir is null ? null : Path.Combine(dir, "..", "shared", "testdata", "speech", "librivox-0880.wav");
        var pcm = wav is not null && File.Exists(wav)
            ? WavFile.Read(wav).Samples
            : new EspeakTextToSpeech(16000).SynthesizeAllAsync(Sentence, CancellationToken.None).GetAwaiter().GetResult();
        return Encode(pcm);
    }

    public static byte[][] Encode(short[] pcm16k)
    {
        var resampler = new Resampler(16000, 48000);
        var up = new short[Resampler.MaxOutput(16000, 48000, pcm16k.Length) + 16];
        var n = resampler.Process(pcm16k, up);
        using var encoder = new OpusEncoder(new AudioFormat(48000, 1));
        var frames = new List<byte[]>();
        var packet = new byte[1500];
        var frame = new short[960];
        for (var i = 0; i < n; i += 960)
        {
            Array.Clear(frame);
            up.AsSpan(i, Math.Min(960, n - i)).CopyTo(frame);
            frames.Add(packet.AsSpan(0, encoder.Encode(frame, packet)).ToArray());
        }

        return [.. frames];
    }

    /// <summary>A recogniser that does no work: it swallows audio and returns a fixed final text at once.</summary>
    public sealed class FixedStt(string text) : ISpeechToText
    {
        public string Name => "fixed";

        public int SampleRate => 16000;

        public ValueTask<ISpeechRecognitionStream> StartAsync(CancellationToken cancellationToken) => ValueTask.FromResult<ISpeechRecognitionStream>(new Stream(text));

        private sealed class Stream(string text) : ISpeechRecognitionStream
        {
            public ValueTask WriteAsync(ReadOnlyMemory<short> samples, CancellationToken cancellationToken) => ValueTask.CompletedTask;

            public Task<SpeechRecognitionResult> CompleteAsync(CancellationToken cancellationToken) => Task.FromResult(new SpeechRecognitionResult(text, true, 1f, []));

            public async IAsyncEnumerable<SpeechRecognitionResult> ReadResultsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
            {
                await Task.CompletedTask;
                yield return new SpeechRecognitionResult(text, true, 1f, []);
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    /// <summary>A synthesizer that does no work: every text becomes the same prepared audio, handed over in 60 ms chunks.</summary>
    public sealed class PreparedTts(short[] audio) : ITextToSpeech
    {
        public string Name => "prepared";

        public int SampleRate => 16000;

        public async IAsyncEnumerable<SynthesizedAudio> SynthesizeAsync(IAsyncEnumerable<string> text, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var sentence = string.Empty;
            await foreach (var t in text.WithCancellation(cancellationToken))
            {
                sentence += t;
            }

            const int chunk = 960;
            for (var offset = 0; offset < audio.Length; offset += chunk)
            {
                var n = Math.Min(chunk, audio.Length - offset);
                yield return new SynthesizedAudio(audio.AsSpan(offset, n).ToArray(), 0, sentence, offset, offset + n >= audio.Length);
            }
        }
    }

    /// <summary>Counts published frames; keeps nothing.</summary>
    public sealed class CountingPublisher : IDownlinkFramePublisher
    {
        public long Frames;

        public long Bytes;

        public bool Publish(ReadOnlySpan<byte> frame, long timestampUs)
        {
            Frames++;
            Bytes += frame.Length;
            return true;
        }
    }

    /// <summary>Ignores everything the session reports.</summary>
    public sealed class NullObserver : ICallAgentObserver
    {
        public long Turns;

        public void OnTranscript(string callSid, TranscriptEntry entry)
        {
        }

        public void OnTurn(string callSid, TurnTimings timings) => Interlocked.Increment(ref Turns);

        public void OnEngineFailure(string callSid, string engine, Exception error)
        {
        }
    }
}
