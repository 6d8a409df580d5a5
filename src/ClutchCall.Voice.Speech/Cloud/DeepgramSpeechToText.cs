using System.Globalization;
using System.Text;
using ClutchCall.Voice.Speech.Stt;

namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>
/// Deepgram's live-streaming STT over a WebSocket
/// (https://developers.deepgram.com/reference/speech-to-text-api/listen-streaming): one socket per
/// utterance to <c>/v1/listen</c> with <c>encoding=linear16</c>, binary PCM16 LE frames,
/// <c>Authorization: Token &lt;key&gt;</c>; interim Results become partials, final Results are
/// joined into the final result with word timings. Every wait is bounded by
/// <see cref="HttpEngineOptions.Timeout"/>, so a silent or stuck server fails with a typed error.
/// </summary>
internal sealed class DeepgramSpeechToText(HttpEngineOptions options, DeepgramOptions? deepgram = null, TimeProvider? time = null) : ISpeechToText
{
    public const string EngineName = DeepgramMessageReader.EngineName;

    /// <summary>The production endpoint.</summary>
    public static readonly Uri DefaultUrl = new("wss://api.deepgram.com/");

    private readonly DeepgramOptions _deepgram = deepgram ?? new DeepgramOptions();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Name => EngineName;

    public int SampleRate => 16000;

    public ValueTask<ISpeechRecognitionStream> StartAsync(CancellationToken cancellationToken)
    {
        var stream = new DeepgramRecognitionStream(ListenUri(), options, _deepgram.KeepAliveInterval, _time);
        stream.Start();
        return ValueTask.FromResult<ISpeechRecognitionStream>(stream);
    }

    /// <summary>The <c>/v1/listen</c> URI with the query parameters of the streaming reference.</summary>
    internal Uri ListenUri()
    {
        var b = new UriBuilder(new Uri(options.BaseUrl, "v1/listen"));
        b.Scheme = b.Scheme switch
        {
            "https" => "wss",
            "http" => "ws",
            _ => b.Scheme,
        };
        if (b.Uri.IsDefaultPort)
        {
            b.Port = -1;
        }

        var q = new StringBuilder();
        q.Append("encoding=linear16");
        q.Append(CultureInfo.InvariantCulture, $"&sample_rate={SampleRate}&channels=1");
        q.Append("&interim_results=").Append(_deepgram.InterimResults ? "true" : "false");
        q.Append("&endpointing=").Append(_deepgram.EndpointingMs > 0 ? _deepgram.EndpointingMs.ToString(CultureInfo.InvariantCulture) : "false");
        q.Append("&punctuate=").Append(_deepgram.Punctuate ? "true" : "false");
        if ((options.Model ?? _deepgram.Model) is { Length: > 0 } model)
        {
            q.Append("&model=").Append(Uri.EscapeDataString(model));
        }

        if (_deepgram.Language is { Length: > 0 } language)
        {
            q.Append("&language=").Append(Uri.EscapeDataString(language));
        }

        b.Query = q.ToString();
        return b.Uri;
    }
}
