using ClutchCall.Voice.Speech;
using ClutchCall.Voice.Speech.Engines;
using ClutchCall.Voice.Speech.Espeak;
using ClutchCall.Voice.Speech.PocketSphinx;
using ClutchCall.Voice.Speech.Stt;
using ClutchCall.Voice.Speech.Tts;
using Microsoft.Extensions.Options;

namespace ClutchCall.Voice.Server.Agents;

/// <summary>
/// The process's speech engines, shared by every call (each utterance gets its own engine stream), built
/// from the <c>Speech</c> configuration section (docs/configuration.md): pocketsphinx and espeak-ng at
/// 16 kHz by default, or a cloud engine with its fallback. Native resources are released on dispose.
/// </summary>
internal sealed class AgentEngines : IDisposable
{
    /// <summary>The pipeline's audio rate.</summary>
    public const int SampleRate = 16000;

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Lazy<Task> _warm;

    public AgentEngines(IOptions<SpeechEngineOptions> options, TimeProvider time)
    {
        var speech = options.Value;
        // A bad Speech section fails here, at the first attach, with a message naming the setting.
        SpeechToText = SpeechEngineFactory.CreateSpeechToText(speech.Stt, _http, time);
        TextToSpeech = SpeechEngineFactory.CreateTextToSpeech(speech.Tts, SampleRate, _http, time);
        _warm = new Lazy<Task>(() => Task.Run(Warm));
    }

    public ISpeechToText SpeechToText { get; }

    public ITextToSpeech TextToSpeech { get; }

    /// <summary>
    /// Loads the offline models once, in the background, when the first agent attaches (not at host start, so
    /// a server that never runs an agent never pays for them): the caller's first words then find a decoder ready.
    /// </summary>
    public Task WarmUpAsync() => _warm.Value;

    public void Dispose()
    {
        (SpeechToText as IDisposable)?.Dispose();
        (TextToSpeech as IDisposable)?.Dispose();
        _http.Dispose();
    }

    private void Warm()
    {
        try
        {
            if (SpeechToText is PocketSphinxSpeechToText sphinx)
            {
                sphinx.EnsureAvailable();
            }

            if (TextToSpeech is EspeakTextToSpeech)
            {
                EspeakTextToSpeech.EnsureAvailable();
            }
        }
        catch (SpeechEngineException)
        {
            // Reported per turn by the pipeline (apology, engine-failure metric) when a call needs the engine.
        }
    }
}
