using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using ClutchCall.Voice.Speech.Tts;

namespace ClutchCall.Voice.Speech.Espeak;

/// <summary>
/// Offline text-to-speech with espeak-ng (Debian <c>libespeak-ng1</c>), resampled from its native
/// 22,050 Hz to the engine rate.
/// </summary>
/// <remarks>
/// libespeak-ng keeps process-global state and is not thread-safe, so every call into it runs on
/// one dedicated worker thread that takes sentences from a queue in order; any number of
/// <see cref="EspeakTextToSpeech"/> instances share that worker. Synthesis runs in synchronous mode
/// with a callback that receives about <see cref="ChunkMs"/> ms of audio at a time; cancelling
/// makes the callback return 1, which stops espeak-ng before the next chunk.
/// </remarks>
internal sealed class EspeakTextToSpeech : SentenceTextToSpeech
{
    public const string EngineName = "espeak-ng";
    public const int ChunkMs = 60;

    private readonly EspeakOptions _options;

    public EspeakTextToSpeech(int outputRate = 16000, EspeakOptions? options = null)
        : base(outputRate)
    {
        _options = options ?? new EspeakOptions();
    }

    public override string Name => EngineName;

    protected override int EngineRate => Worker.Instance.SampleRate;

    /// <summary>Throws the engine's <see cref="SpeechEngineException"/> if espeak-ng cannot start here.</summary>
    public static void EnsureAvailable() => _ = Worker.Instance.SampleRate;

    protected override async IAsyncEnumerable<short[]> SynthesizeSentenceAsync(string sentence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var job = new Job(sentence, _options, cancellationToken);
        Worker.Instance.Enqueue(job);
        await foreach (var chunk in job.Output.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return chunk;
        }

        if (job.Error is { } error)
        {
            throw error;
        }
    }

    private sealed class Job(string text, EspeakOptions options, CancellationToken cancellationToken)
    {
        public string Text { get; } = text;

        public EspeakOptions Options { get; } = options;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public Channel<short[]> Output { get; } = Channel.CreateUnbounded<short[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        public SpeechEngineException? Error { get; set; }
    }

    /// <summary>The one thread that owns libespeak-ng.</summary>
    private sealed unsafe class Worker
    {
        private static readonly Lazy<Worker> Lazy = new(() => new Worker());
        private static Job? _current; // touched only on the worker thread and its callbacks

        private readonly BlockingCollection<Job> _queue = [];
        private readonly TaskCompletionSource<int> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Worker()
        {
            var thread = new Thread(Run) { IsBackground = true, Name = "espeak-ng" };
            thread.Start();
        }

        public static Worker Instance => Lazy.Value;

        public int SampleRate
        {
            get
            {
                try
                {
                    return _ready.Task.GetAwaiter().GetResult();
                }
                catch (SpeechEngineException)
                {
                    throw;
                }
            }
        }

        public void Enqueue(Job job)
        {
            _ = SampleRate; // surfaces an initialisation failure to the caller
            _queue.Add(job);
        }

        [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
        private static int OnSynth(short* wav, int samples, nint events)
        {
            var job = _current;
            if (job is null || job.CancellationToken.IsCancellationRequested)
            {
                return 1; // abort synthesis
            }

            if (wav != null && samples > 0)
            {
                job.Output.Writer.TryWrite(new ReadOnlySpan<short>(wav, samples).ToArray());
            }

            return 0;
        }

        private void Run()
        {
            try
            {
                var rate = EspeakNative.espeak_Initialize(EspeakNative.AudioOutputSynchronous, ChunkMs, 0, 0);
                if (rate <= 0)
                {
                    _ready.SetException(new SpeechEngineException(EngineName, SpeechEngineErrorKind.Unavailable, "espeak_Initialize failed (espeak-ng-data missing?); install with: apt-get install -y libespeak-ng1 espeak-ng-data"));
                    return;
                }

                EspeakNative.espeak_SetSynthCallback(&OnSynth);
                _ready.SetResult(rate);
            }
            catch (DllNotFoundException ex)
            {
                _ready.SetException(new SpeechEngineException(EngineName, SpeechEngineErrorKind.Unavailable, "libespeak-ng.so.1 not found; install it with: apt-get install -y libespeak-ng1", inner: ex));
                return;
            }

            string? voice = null;
            foreach (var job in _queue.GetConsumingEnumerable())
            {
                try
                {
                    if (job.CancellationToken.IsCancellationRequested)
                    {
                        continue;
                    }

                    if (voice != job.Options.Voice)
                    {
                        if (EspeakNative.espeak_SetVoiceByName(job.Options.Voice) != 0)
                        {
                            job.Error = new SpeechEngineException(EngineName, SpeechEngineErrorKind.InvalidInput, $"unknown voice '{job.Options.Voice}'");
                            continue;
                        }

                        voice = job.Options.Voice;
                    }

                    EspeakNative.espeak_SetParameter(EspeakNative.ParameterRate, Math.Clamp(job.Options.Rate, 80, 450), 0);
                    EspeakNative.espeak_SetParameter(EspeakNative.ParameterPitch, Math.Clamp(job.Options.Pitch, 0, 100), 0);
                    var bytes = new byte[Encoding.UTF8.GetByteCount(job.Text) + 1]; // NUL-terminated
                    Encoding.UTF8.GetBytes(job.Text, bytes);
                    _current = job;
                    int rc;
                    fixed (byte* p = bytes)
                    {
                        rc = EspeakNative.espeak_Synth(p, (nuint)bytes.Length, 0, EspeakNative.PositionCharacter, 0, EspeakNative.CharsUtf8, null, 0);
                    }

                    if (rc != 0 && !job.CancellationToken.IsCancellationRequested)
                    {
                        job.Error = new SpeechEngineException(EngineName, SpeechEngineErrorKind.EngineFailure, $"espeak_Synth returned {rc}", rc);
                    }

                    if (job.CancellationToken.IsCancellationRequested)
                    {
                        EspeakNative.espeak_Cancel();
                    }
                }
                catch (Exception ex)
                {
                    job.Error = new SpeechEngineException(EngineName, SpeechEngineErrorKind.EngineFailure, ex.Message, inner: ex);
                }
                finally
                {
                    _current = null;
                    job.Output.Writer.TryComplete();
                }
            }
        }
    }
}
