using System.Runtime.CompilerServices;
using ClutchCall.Voice.Speech.Stt;

namespace ClutchCall.Voice.Speech.Fallback;

/// <summary>
/// Uses <c>primary</c> and, when it fails (start error, error mid-stream, timeout, garbage), replays
/// the utterance's audio into <c>fallback</c> so the caller's words are not lost. Both engines must
/// take the same sample rate. <see cref="FallbackCount"/> counts switches.
/// </summary>
internal sealed class FallbackSpeechToText(ISpeechToText primary, ISpeechToText fallback) : ISpeechToText
{
    private readonly ISpeechToText _fallback = fallback;
    private long _fallbackCount;

    public string Name => $"{primary.Name}|{_fallback.Name}";

    public int SampleRate => primary.SampleRate == _fallback.SampleRate
        ? primary.SampleRate
        : throw new InvalidOperationException("Fallback engines must share a sample rate.");

    public long FallbackCount => Interlocked.Read(ref _fallbackCount);

    /// <summary>The last primary failure, for logs and metrics.</summary>
    public SpeechEngineException? LastPrimaryError { get; private set; }

    public async ValueTask<ISpeechRecognitionStream> StartAsync(CancellationToken cancellationToken)
    {
        _ = SampleRate;
        ISpeechRecognitionStream? inner = null;
        try
        {
            inner = await primary.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SpeechEngineException ex)
        {
            LastPrimaryError = ex;
        }

        return new Stream(this, inner);
    }

    private sealed class Stream(FallbackSpeechToText owner, ISpeechRecognitionStream? primaryStream) : ISpeechRecognitionStream
    {
        private readonly List<short> _audio = [];
        private ISpeechRecognitionStream? _primary = primaryStream;

        public async ValueTask WriteAsync(ReadOnlyMemory<short> samples, CancellationToken cancellationToken)
        {
            _audio.AddRange(samples.Span);
            if (_primary is null)
            {
                return;
            }

            try
            {
                await _primary.WriteAsync(samples, cancellationToken).ConfigureAwait(false);
            }
            catch (SpeechEngineException ex)
            {
                await DropPrimaryAsync(ex).ConfigureAwait(false);
            }
        }

        public async Task<SpeechRecognitionResult> CompleteAsync(CancellationToken cancellationToken)
        {
            if (_primary is not null)
            {
                try
                {
                    return await _primary.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (SpeechEngineException ex)
                {
                    await DropPrimaryAsync(ex).ConfigureAwait(false);
                }
            }

            Interlocked.Increment(ref owner._fallbackCount);
            await using var stream = await owner._fallback.StartAsync(cancellationToken).ConfigureAwait(false);
            var all = _audio.ToArray();
            var step = owner.SampleRate / 50;
            for (var i = 0; i < all.Length; i += step)
            {
                await stream.WriteAsync(all.AsMemory(i, Math.Min(step, all.Length - i)), cancellationToken).ConfigureAwait(false);
            }

            return await stream.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        public async IAsyncEnumerable<SpeechRecognitionResult> ReadResultsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (_primary is null)
            {
                yield break;
            }

            var e = _primary.ReadResultsAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (e.ConfigureAwait(false))
            {
                while (true)
                {
                    try
                    {
                        if (!await e.MoveNextAsync().ConfigureAwait(false))
                        {
                            yield break;
                        }
                    }
                    catch (SpeechEngineException)
                    {
                        yield break;
                    }

                    if (!e.Current.IsFinal)
                    {
                        yield return e.Current; // finals come from CompleteAsync
                    }
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_primary is not null)
            {
                await _primary.DisposeAsync().ConfigureAwait(false);
            }
        }

        private async ValueTask DropPrimaryAsync(SpeechEngineException ex)
        {
            owner.LastPrimaryError = ex;
            var p = _primary;
            _primary = null;
            if (p is not null)
            {
                await p.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
