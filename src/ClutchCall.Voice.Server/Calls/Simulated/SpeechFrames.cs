using ClutchCall.Voice.Media;
using ClutchCall.Voice.Speech;
using ClutchCall.Voice.Speech.Espeak;
using ClutchCall.Voice.Speech.Tts;
using Microsoft.Extensions.Logging;

namespace ClutchCall.Voice.Server.Calls.Simulated;

/// <summary>
/// The test line's prompts, synthesized once per process with espeak-ng at 48 kHz and encoded into 20 ms
/// Opus frames, so every call replays the same packets without encoding on the frame path. When espeak-ng
/// cannot start, a 440 Hz tone stands in (logged once).
/// </summary>
internal sealed partial class SpeechFrames(ILogger<SpeechFrames> logger)
{
    public const int FrameMs = 20;
    public const string SpeechText = "Hello from the ClutchCall test line. This is real synthesized speech, sent as Opus over MoQT, twenty milliseconds at a time.";
    public const string GreetingText = "Echo test line. Say something and you will hear it back.";

    private static readonly AudioFormat Format = new(48000, 1);
    private readonly Lazy<Task<byte[][]>> _speech = new(() => BuildAsync(SpeechText, logger));
    private readonly Lazy<Task<byte[][]>> _greeting = new(() => BuildAsync(GreetingText, logger));

    /// <summary>The <c>sim:speech</c> sentence, looped for the whole call.</summary>
    public Task<byte[][]> SpeechAsync() => _speech.Value;

    /// <summary>The <c>sim:echo</c> greeting, spoken once on answer.</summary>
    public Task<byte[][]> GreetingAsync() => _greeting.Value;

    private static async Task<byte[][]> BuildAsync(string text, ILogger logger)
    {
        short[] pcm;
        try
        {
            pcm = await new EspeakTextToSpeech(outputRate: Format.SampleRate).SynthesizeAllAsync(text, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SpeechEngineException ex)
        {
            LogToneFallback(logger, ex.Message);
            pcm = Tone(seconds: 2);
        }

        return Encode(pcm);
    }

    internal static byte[][] Encode(ReadOnlySpan<short> pcm)
    {
        var samples = Format.SamplesPerChannel(FrameMs);
        var frames = new List<byte[]>(pcm.Length / samples + 1);
        using var encoder = new OpusEncoder(Format);
        Span<short> frame = new short[samples];
        Span<byte> packet = new byte[OpusEncoder.MaxPacketBytes];
        for (var offset = 0; offset < pcm.Length; offset += samples)
        {
            var take = Math.Min(samples, pcm.Length - offset);
            frame.Clear();
            pcm.Slice(offset, take).CopyTo(frame);
            var length = encoder.Encode(frame, packet);
            frames.Add(packet[..length].ToArray());
        }

        return [.. frames];
    }

    private static short[] Tone(double seconds)
    {
        var pcm = new short[(int)(Format.SampleRate * seconds)];
        for (var i = 0; i < pcm.Length; i++)
        {
            pcm[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / Format.SampleRate));
        }

        return pcm;
    }

    [LoggerMessage(EventId = 4210, Level = LogLevel.Warning, Message = "espeak-ng is unavailable ({Reason}); the test line plays a 440 Hz tone instead of speech (install espeak-ng / libespeak-ng1)")]
    private static partial void LogToneFallback(ILogger logger, string reason);
}
