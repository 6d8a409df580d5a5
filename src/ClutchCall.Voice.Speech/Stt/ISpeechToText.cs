namespace ClutchCall.Voice.Speech.Stt;

/// <summary>A speech-to-text engine. One instance serves many calls; each utterance gets its own stream.</summary>
internal interface ISpeechToText
{
    /// <summary>Short engine name for logs, metrics and errors.</summary>
    string Name { get; }

    /// <summary>The PCM16 mono rate the engine's streams take (normally 16000).</summary>
    int SampleRate { get; }

    /// <summary>Starts recognising one utterance. Fails with <see cref="SpeechEngineException"/> when the engine cannot run.</summary>
    ValueTask<ISpeechRecognitionStream> StartAsync(CancellationToken cancellationToken);
}

/// <summary>
/// One utterance being recognised: push audio as it arrives, read partial results as they come, and
/// complete to get the final result. Disposing cancels recognition and releases the engine.
/// </summary>
internal interface ISpeechRecognitionStream : IAsyncDisposable
{
    /// <summary>Queues PCM16 mono samples at the engine's rate. The stream copies them.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<short> samples, CancellationToken cancellationToken);

    /// <summary>Signals the end of audio and waits for the final result.</summary>
    /// <exception cref="SpeechEngineException">The engine failed or timed out.</exception>
    Task<SpeechRecognitionResult> CompleteAsync(CancellationToken cancellationToken);

    /// <summary>Partial results as they come, then the final one. Ends when recognition ends.</summary>
    IAsyncEnumerable<SpeechRecognitionResult> ReadResultsAsync(CancellationToken cancellationToken);
}
