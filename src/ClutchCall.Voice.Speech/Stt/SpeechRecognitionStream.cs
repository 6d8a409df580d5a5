using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace ClutchCall.Voice.Speech.Stt;

/// <summary>A pooled chunk of PCM handed from <see cref="SpeechRecognitionStream.WriteAsync"/> to the engine worker.</summary>
internal readonly record struct PcmChunk(short[] Buffer, int Length)
{
    public ReadOnlySpan<short> Span => Buffer.AsSpan(0, Length);

    public ReadOnlyMemory<short> Memory => Buffer.AsMemory(0, Length);

    public void Return() => ArrayPool<short>.Shared.Return(Buffer);
}

/// <summary>
/// The plumbing every engine's stream shares: a bounded audio queue (backpressure on the writer),
/// one worker task running the engine, a results channel, and a final result or typed error.
/// Engines implement <see cref="RunAsync"/> only.
/// </summary>
internal abstract class SpeechRecognitionStream : ISpeechRecognitionStream
{
    private const int MaxQueuedChunks = 1000; // 20 s of 20 ms frames

    private readonly Channel<PcmChunk> _audio = Channel.CreateBounded<PcmChunk>(new BoundedChannelOptions(MaxQueuedChunks) { SingleReader = true, SingleWriter = true });
    private readonly Channel<SpeechRecognitionResult> _results = Channel.CreateUnbounded<SpeechRecognitionResult>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource<SpeechRecognitionResult> _final = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _worker;
    private int _disposed;

    protected SpeechRecognitionStream(string engine)
    {
        Engine = engine;
    }

    public string Engine { get; }

    /// <summary>Starts the worker; call once from the engine's StartAsync.</summary>
    public void Start() => _worker = Task.Run(WorkAsync);

    public async ValueTask WriteAsync(ReadOnlyMemory<short> samples, CancellationToken cancellationToken)
    {
        if (_final.Task.IsCompleted)
        {
            // The engine already failed (or finished): surface its error to the writer promptly.
            await _final.Task.ConfigureAwait(false);
            throw new InvalidOperationException("The recognition stream is complete.");
        }

        if (samples.IsEmpty)
        {
            return;
        }

        var buffer = ArrayPool<short>.Shared.Rent(samples.Length);
        samples.Span.CopyTo(buffer);
        try
        {
            await _audio.Writer.WriteAsync(new PcmChunk(buffer, samples.Length), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            ArrayPool<short>.Shared.Return(buffer);
            throw new InvalidOperationException("The recognition stream is complete.");
        }
    }

    public Task<SpeechRecognitionResult> CompleteAsync(CancellationToken cancellationToken)
    {
        _audio.Writer.TryComplete();
        return _final.Task.WaitAsync(cancellationToken);
    }

    public async IAsyncEnumerable<SpeechRecognitionResult> ReadResultsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var result in _results.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return result;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _audio.Writer.TryComplete();
        await _cts.CancelAsync().ConfigureAwait(false);
        if (_worker is not null)
        {
            try
            {
                await _worker.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The worker's outcome is already in _final.
            }
        }

        while (_audio.Reader.TryRead(out var chunk))
        {
            chunk.Return();
        }

        _final.TrySetCanceled();
        _cts.Dispose();
        await DisposeEngineAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the engine over the audio until the reader completes, publishing partial results with
    /// <see cref="PublishPartial"/>; returns the final result. Each chunk must be returned with
    /// <see cref="PcmChunk.Return"/> once consumed. Throw <see cref="SpeechEngineException"/> on failure.
    /// </summary>
    protected abstract Task<SpeechRecognitionResult> RunAsync(ChannelReader<PcmChunk> audio, CancellationToken cancellationToken);

    /// <summary>Releases engine resources after the worker has stopped.</summary>
    protected virtual ValueTask DisposeEngineAsync() => ValueTask.CompletedTask;

    protected void PublishPartial(SpeechRecognitionResult partial) => _results.Writer.TryWrite(partial);

    private async Task WorkAsync()
    {
        try
        {
            var final = await RunAsync(_audio.Reader, _cts.Token).ConfigureAwait(false);
            _results.Writer.TryWrite(final);
            _final.TrySetResult(final);
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
            _final.TrySetCanceled(_cts.Token);
        }
        catch (SpeechEngineException ex)
        {
            _final.TrySetException(ex);
        }
        catch (Exception ex)
        {
            _final.TrySetException(new SpeechEngineException(Engine, SpeechEngineErrorKind.EngineFailure, ex.Message, inner: ex));
        }
        finally
        {
            _results.Writer.TryComplete();
            _audio.Writer.TryComplete();
        }
    }
}
