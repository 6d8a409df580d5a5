namespace ClutchCall.Voice.Speech.Engines;

/// <summary>
/// Which speech engines a server uses; bound from the configuration section <c>Speech</c>
/// (see docs/configuration.md). Defaults are the offline engines.
/// </summary>
public sealed class SpeechEngineOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Speech";

    /// <summary>Speech-to-text engine.</summary>
    public SttEngineOptions Stt { get; set; } = new();

    /// <summary>Text-to-speech engine.</summary>
    public TtsEngineOptions Tts { get; set; } = new();
}

/// <summary>Settings shared by STT and TTS engine entries.</summary>
public abstract class EngineOptionsBase
{
    /// <summary>Base URL of the engine's API; null uses the engine's public endpoint (or the <see cref="Region"/> one for Azure).</summary>
    public Uri? Url { get; set; }

    /// <summary>API key, sent in the engine's documented header. Required by the cloud engines unless <see cref="Url"/> points at a server without auth.</summary>
    public string? Key { get; set; }

    /// <summary>Azure region (e.g. <c>westeurope</c>); used when <see cref="Url"/> is null.</summary>
    public string? Region { get; set; }

    /// <summary>Model name, when the engine takes one.</summary>
    public string? Model { get; set; }

    /// <summary>BCP-47 language.</summary>
    public string Language { get; set; } = "en-US";

    /// <summary>Longest wait for the engine to answer (or to send the next piece of a streamed answer).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>One STT engine: <c>pocketsphinx</c> (offline default), <c>openai</c>, <c>deepgram</c> or <c>azure</c>.</summary>
public sealed class SttEngineOptions : EngineOptionsBase
{
    /// <summary>Engine name: <c>pocketsphinx</c>, <c>openai</c>, <c>deepgram</c> or <c>azure</c> (case-insensitive).</summary>
    public string Engine { get; set; } = "pocketsphinx";

    /// <summary>Deepgram <c>endpointing</c> in ms (0 disables it).</summary>
    public int EndpointingMs { get; set; } = 300;

    /// <summary>pocketsphinx: every utterance starts from the model's cepstral mean (see <c>PocketSphinxOptions.IsolateStreams</c>).</summary>
    public bool IsolateStreams { get; set; }

    /// <summary>Engine that takes over when this one fails (error, timeout, closed socket); null for none.</summary>
    public SttEngineOptions? Fallback { get; set; }
}

/// <summary>One TTS engine: <c>espeak</c> (offline default), <c>openai</c>, <c>elevenlabs</c> or <c>azure</c>.</summary>
public sealed class TtsEngineOptions : EngineOptionsBase
{
    /// <summary>Engine name: <c>espeak</c> (or <c>espeak-ng</c>), <c>openai</c>, <c>elevenlabs</c> or <c>azure</c> (case-insensitive).</summary>
    public string Engine { get; set; } = "espeak";

    /// <summary>Voice: an espeak-ng voice, an OpenAI voice, an ElevenLabs voice id or an Azure voice name.</summary>
    public string? Voice { get; set; }

    /// <summary>Rate the engine is asked to produce, where it offers a choice (ElevenLabs <c>pcm_*</c>); audio is resampled to the call's rate either way.</summary>
    public int? EngineRate { get; set; }

    /// <summary>espeak-ng speaking rate in words per minute.</summary>
    public int EspeakRate { get; set; } = 130;

    /// <summary>espeak-ng pitch, 0–100.</summary>
    public int EspeakPitch { get; set; } = 50;

    /// <summary>Engine that takes over when this one fails; null for none.</summary>
    public TtsEngineOptions? Fallback { get; set; }
}
