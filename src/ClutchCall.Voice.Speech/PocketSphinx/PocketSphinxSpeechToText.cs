using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using ClutchCall.Voice.Speech.Stt;

namespace ClutchCall.Voice.Speech.PocketSphinx;

/// <summary>
/// Offline speech recognition with pocketsphinx (Debian <c>libpocketsphinx3</c>, <c>libsphinxbase3</c>
/// and the <c>pocketsphinx-en-us</c> model) at 16 kHz. Decoders are loaded once and reused (with
/// <see cref="PocketSphinxOptions.IsolateStreams"/> their live CMN is first put back to the fresh state,
/// see <see cref="PocketSphinxCmnReset"/>); each utterance stream holds one decoder for its lifetime, so
/// streams run in parallel.
/// </summary>
internal sealed class PocketSphinxSpeechToText : ISpeechToText, IDisposable
{
    public const string EngineName = "pocketsphinx";
    private const int FrameRate = 100; // pocketsphinx's default -frate: 100 feature frames per second
    private static readonly Lock LogGate = new();
    private static bool _logSilenced;

    private readonly PocketSphinxOptions _options;
    private readonly ConcurrentBag<PocketSphinxDecoderHandle> _idle = [];
    private int _idleCount;

    public PocketSphinxSpeechToText(PocketSphinxOptions? options = null)
    {
        _options = options ?? new PocketSphinxOptions();
    }

    public string Name => EngineName;

    internal PocketSphinxOptions Options => _options;

    public int SampleRate => 16000;

    public ValueTask<ISpeechRecognitionStream> StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var decoder = RentDecoder();
        var stream = new Stream(this, decoder);
        stream.Start();
        return ValueTask.FromResult<ISpeechRecognitionStream>(stream);
    }

    /// <summary>Checks that the native libraries and model load; throws the same error StartAsync would.</summary>
    public void EnsureAvailable() => ReturnDecoder(RentDecoder());

    public void Dispose()
    {
        while (_idle.TryTake(out var d))
        {
            d.Dispose();
        }
    }

    internal PocketSphinxDecoderHandle RentForTest() => RentDecoder();

    internal void ReturnForTest(PocketSphinxDecoderHandle decoder) => ReturnDecoder(decoder);

    private PocketSphinxDecoderHandle RentDecoder()
    {
        if (_idle.TryTake(out var decoder))
        {
            Interlocked.Decrement(ref _idleCount);
            if (_options.IsolateStreams && decoder.CmnReset is { } reset)
            {
                // The utterance starts from the model's CMN, whatever this decoder heard before.
                reset.Apply();
            }

            return decoder;
        }

        return CreateDecoder();
    }

    private void ReturnDecoder(PocketSphinxDecoderHandle decoder)
    {
        if (Interlocked.Increment(ref _idleCount) <= _options.MaxIdleDecoders)
        {
            _idle.Add(decoder);
        }
        else
        {
            Interlocked.Decrement(ref _idleCount);
            decoder.Dispose();
        }
    }

    private PocketSphinxDecoderHandle CreateDecoder()
    {
        foreach (var path in new[] { _options.AcousticModel, _options.LanguageModel, _options.Dictionary })
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new SpeechEngineException(EngineName, SpeechEngineErrorKind.Unavailable, $"model file {path} not found; install it with: apt-get install -y pocketsphinx-en-us");
            }
        }

        try
        {
            SilenceLogs();
            // pocketsphinx 5prealpha's front-end VAD (-remove_silence, on by default) drops frames it
            // calls silence and then misreports ps_seg_frames after a mid-utterance pause (jfk: words
            // shifted ~8 s, ending past the audio). The pipeline runs its own VAD, so keep every frame.
            string[] args = ["-hmm", _options.AcousticModel, "-lm", _options.LanguageModel, "-dict", _options.Dictionary, "-samprate", "16000", "-remove_silence", "no"];
            var argv = new nint[args.Length];
            try
            {
                for (var i = 0; i < args.Length; i++)
                {
                    argv[i] = Marshal.StringToCoTaskMemUTF8(args[i]);
                }

                var config = PocketSphinxNative.cmd_ln_parse_r(0, PocketSphinxNative.ps_args(), argv.Length, argv, 0);
                if (config == 0)
                {
                    throw new SpeechEngineException(EngineName, SpeechEngineErrorKind.Unavailable, "cmd_ln_parse_r rejected the configuration");
                }

                var ps = PocketSphinxNative.ps_init(config);
                PocketSphinxNative.cmd_ln_free_r(config); // ps_init retains its own reference
                if (ps == 0)
                {
                    throw new SpeechEngineException(EngineName, SpeechEngineErrorKind.Unavailable, $"ps_init failed to load the model from {_options.AcousticModel}");
                }

                return PocketSphinxDecoderHandle.FromPointer(ps);
            }
            finally
            {
                foreach (var p in argv)
                {
                    Marshal.FreeCoTaskMem(p);
                }
            }
        }
        catch (DllNotFoundException ex)
        {
            throw new SpeechEngineException(EngineName, SpeechEngineErrorKind.Unavailable, "libpocketsphinx.so.3 or libsphinxbase.so.3 not found; install them with: apt-get install -y libpocketsphinx3 libsphinxbase3 pocketsphinx-en-us", inner: ex);
        }
        catch (EntryPointNotFoundException ex)
        {
            throw new SpeechEngineException(EngineName, SpeechEngineErrorKind.Unavailable, "the installed pocketsphinx is not the 0.8+5prealpha API this engine binds to", inner: ex);
        }
    }

    private static void SilenceLogs()
    {
        lock (LogGate)
        {
            if (!_logSilenced)
            {
                PocketSphinxNative.err_set_logfp(0); // a NULL stream turns sphinxbase logging off
                _logSilenced = true;
            }
        }
    }

    private sealed class Stream(PocketSphinxSpeechToText owner, PocketSphinxDecoderHandle decoder) : SpeechRecognitionStream(EngineName)
    {
        private bool _decoderHealthy = true;

        protected override async Task<SpeechRecognitionResult> RunAsync(ChannelReader<PcmChunk> audio, CancellationToken cancellationToken)
        {
            var ps = decoder.DangerousGetHandle();
            // A new stream restarts segment times at zero for this utterance (they are stream-wide).
            Check(PocketSphinxNative.ps_start_stream(ps), "ps_start_stream");
            Check(PocketSphinxNative.ps_start_utt(ps), "ps_start_utt");
            var partialEvery = (long)(owner._options.PartialInterval.TotalSeconds * 16000);
            long sinceLastPartial = 0;
            string lastPartial = string.Empty;
            try
            {
                while (await audio.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (audio.TryRead(out var chunk))
                    {
                        try
                        {
                            Process(ps, chunk.Span);
                        }
                        finally
                        {
                            chunk.Return();
                        }

                        sinceLastPartial += chunk.Length;
                        if (sinceLastPartial >= partialEvery)
                        {
                            sinceLastPartial = 0;
                            var hyp = Hypothesis(ps);
                            if (hyp.Length > 0 && hyp != lastPartial)
                            {
                                lastPartial = hyp;
                                PublishPartial(new SpeechRecognitionResult(hyp, false, float.NaN, []));
                            }
                        }
                    }
                }
            }
            catch
            {
                _decoderHealthy = PocketSphinxNative.ps_end_utt(ps) >= 0;
                throw;
            }

            Check(PocketSphinxNative.ps_end_utt(ps), "ps_end_utt");
            var text = Hypothesis(ps);
            var logmath = PocketSphinxNative.ps_get_logmath(ps);
            var confidence = (float)PocketSphinxNative.logmath_exp(logmath, PocketSphinxNative.ps_get_prob(ps));
            return new SpeechRecognitionResult(text, true, confidence, Words(ps, logmath));
        }

        protected override ValueTask DisposeEngineAsync()
        {
            if (_decoderHealthy)
            {
                owner.ReturnDecoder(decoder);
            }
            else
            {
                decoder.Dispose();
            }

            return ValueTask.CompletedTask;
        }

        private static unsafe void Process(nint ps, ReadOnlySpan<short> samples)
        {
            fixed (short* p = samples)
            {
                Check(PocketSphinxNative.ps_process_raw(ps, p, (nuint)samples.Length, 0, 0), "ps_process_raw");
            }
        }

        private static string Hypothesis(nint ps)
        {
            var hyp = PocketSphinxNative.ps_get_hyp(ps, out _);
            return hyp == 0 ? string.Empty : (Marshal.PtrToStringUTF8(hyp) ?? string.Empty).Trim();
        }

        private static List<WordTiming> Words(nint ps, nint logmath)
        {
            var words = new List<WordTiming>();
            for (var seg = PocketSphinxNative.ps_seg_iter(ps); seg != 0; seg = PocketSphinxNative.ps_seg_next(seg))
            {
                var word = Marshal.PtrToStringUTF8(PocketSphinxNative.ps_seg_word(seg)) ?? string.Empty;
                if (word.Length == 0 || word[0] is '<' or '[' || word == "<sil>")
                {
                    continue; // <s>, </s>, <sil>, [NOISE]: fillers, not words
                }

                PocketSphinxNative.ps_seg_frames(seg, out var sf, out var ef);
                var prob = PocketSphinxNative.ps_seg_prob(seg, out _, out _, out _);
                var paren = word.IndexOf('(', StringComparison.Ordinal); // alternate pronunciations: word(2)
                words.Add(new WordTiming(
                    paren > 0 ? word[..paren] : word,
                    TimeSpan.FromSeconds((double)sf / FrameRate),
                    TimeSpan.FromSeconds((double)(ef + 1) / FrameRate),
                    (float)PocketSphinxNative.logmath_exp(logmath, prob)));
            }

            return words;
        }

        private static void Check(int rc, string call)
        {
            if (rc < 0)
            {
                throw new SpeechEngineException(EngineName, SpeechEngineErrorKind.EngineFailure, $"{call} failed ({rc})", rc);
            }
        }
    }
}
