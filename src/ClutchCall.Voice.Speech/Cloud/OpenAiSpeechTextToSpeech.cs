using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>
/// Client for OpenAI-compatible <c>POST /v1/audio/speech</c> with <c>response_format: "pcm"</c>
/// (raw 24 kHz signed 16-bit little-endian mono), streamed as it arrives, one request per sentence.
/// A response that stalls longer than the timeout between reads fails with a Timeout error.
/// </summary>
internal sealed class OpenAiSpeechTextToSpeech(HttpClient http, HttpEngineOptions options, int outputRate = 16000, TimeProvider? time = null)
    : Tts.SentenceTextToSpeech(outputRate)
{
    public const string EngineName = "openai-speech";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public override string Name => EngineName;

    protected override int EngineRate => 24000;

    protected override IAsyncEnumerable<short[]> SynthesizeSentenceAsync(string sentence, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["model"] = options.Model ?? "tts-1",
            ["input"] = sentence,
            ["voice"] = options.Voice ?? "alloy",
            ["response_format"] = "pcm",
        });
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.BaseUrl, "v1/audio/speech"))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (options.ApiKey is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return PcmHttpStream.ReadAsync(EngineName, http, request, options.Timeout, _time, expectWav: false, cancellationToken);
    }
}

/// <summary>Sends a request and streams its raw PCM16 (or WAV) body as sample chunks, with an idle timeout.</summary>
internal static class PcmHttpStream
{
    // The canonical RIFF/WAVE header (RIFF, fmt and data chunk headers) that wav responses start with.
    private const int CanonicalWavHeaderLength = 44;

    public static async IAsyncEnumerable<short[]> ReadAsync(string engine, HttpClient http, HttpRequestMessage request, TimeSpan timeout, TimeProvider time, bool expectWav, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var _ = request;
        using var idle = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        var response = await Guard(engine, timeout, idle, cancellationToken, () => http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token)).ConfigureAwait(false);
        using (response)
        {
            await HttpEngineErrors.EnsureSuccessAsync(engine, response, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var buffer = new byte[8192];
                var carry = -1; // odd trailing byte from the previous read
                var header = expectWav ? new List<byte>(64) : null;
                while (true)
                {
                    idle.CancelAfter(timeout);
                    var n = await Guard(engine, timeout, idle, cancellationToken, () => body.ReadAsync(buffer, linked.Token).AsTask()).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    var span = buffer.AsSpan(0, n);
                    if (header is not null)
                    {
                        // Skip a 44-byte canonical WAV header (checked for RIFF/WAVE).
                        var need = CanonicalWavHeaderLength - header.Count;
                        var take = Math.Min(need, span.Length);
                        header.AddRange(span[..take].ToArray());
                        span = span[take..];
                        if (header.Count < CanonicalWavHeaderLength)
                        {
                            continue;
                        }

                        var h = header.ToArray();
                        if (!h.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !h.AsSpan(8, 4).SequenceEqual("WAVE"u8))
                        {
                            throw new SpeechEngineException(engine, SpeechEngineErrorKind.Protocol, "response is not a WAV file");
                        }

                        header = null;
                    }

                    var samples = new short[(span.Length + (carry >= 0 ? 1 : 0)) / 2];
                    var si = 0;
                    var i = 0;
                    if (carry >= 0 && span.Length > 0)
                    {
                        samples[si++] = (short)(carry | (span[0] << 8));
                        i = 1;
                        carry = -1;
                    }

                    for (; i + 1 < span.Length; i += 2)
                    {
                        samples[si++] = (short)(span[i] | (span[i + 1] << 8));
                    }

                    if (i < span.Length)
                    {
                        carry = span[i];
                    }

                    if (si > 0)
                    {
                        yield return si == samples.Length ? samples : samples[..si];
                    }
                }
            }
        }
    }

    private static async Task<T> Guard<T>(string engine, TimeSpan timeout, CancellationTokenSource idle, CancellationToken cancellationToken, Func<Task<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new SpeechEngineException(engine, SpeechEngineErrorKind.Timeout, $"no audio within {timeout.TotalMilliseconds:F0} ms");
        }
        catch (HttpRequestException ex)
        {
            throw new SpeechEngineException(engine, SpeechEngineErrorKind.ConnectionLost, ex.Message, (int?)ex.StatusCode, ex);
        }
        catch (IOException ex)
        {
            throw new SpeechEngineException(engine, SpeechEngineErrorKind.ConnectionLost, ex.Message, inner: ex);
        }
    }
}
