using System.Threading.Channels;
using ClutchCall.Voice.Speech.Stt;

namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>
/// A stream for request/response engines (OpenAI-compatible, Azure short audio): collects the
/// utterance's audio and sends it in one request when the audio ends. No partial results.
/// </summary>
internal sealed class BufferedRecognitionStream(string engine, int maxSeconds, int sampleRate, Func<short[], CancellationToken, Task<SpeechRecognitionResult>> recognise)
    : SpeechRecognitionStream(engine)
{
    protected override async Task<SpeechRecognitionResult> RunAsync(ChannelReader<PcmChunk> audio, CancellationToken cancellationToken)
    {
        var samples = new List<short>(sampleRate * 4);
        var limit = maxSeconds * sampleRate;
        await foreach (var chunk in audio.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (samples.Count + chunk.Length > limit)
                {
                    throw new SpeechEngineException(Engine, SpeechEngineErrorKind.InvalidInput, $"utterance longer than {maxSeconds} s");
                }

                foreach (var s in chunk.Span)
                {
                    samples.Add(s);
                }
            }
            finally
            {
                chunk.Return();
            }
        }

        return samples.Count == 0 ? SpeechRecognitionResult.EmptyFinal : await recognise([.. samples], cancellationToken).ConfigureAwait(false);
    }
}
