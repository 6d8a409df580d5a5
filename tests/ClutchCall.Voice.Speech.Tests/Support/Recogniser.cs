using ClutchCall.Voice.Speech.Stt;

namespace ClutchCall.Voice.Speech.Tests.Support;

internal static class Recogniser
{
    /// <summary>Streams audio in 20 ms frames, collects partials and the final result.</summary>
    public static async Task<(SpeechRecognitionResult Final, List<SpeechRecognitionResult> Partials)> RecogniseAsync(ISpeechToText stt, short[] audio, CancellationToken ct)
    {
        await using var stream = await stt.StartAsync(ct);
        var partials = new List<SpeechRecognitionResult>();
        var reader = Task.Run(async () =>
        {
            await foreach (var r in stream.ReadResultsAsync(ct))
            {
                if (!r.IsFinal)
                {
                    partials.Add(r);
                }
            }
        }, ct);
        var frame = stt.SampleRate / 50;
        for (var i = 0; i < audio.Length; i += frame)
        {
            await stream.WriteAsync(audio.AsMemory(i, Math.Min(frame, audio.Length - i)), ct);
        }

        var final = await stream.CompleteAsync(ct);
        await reader;
        return (final, partials);
    }
}
