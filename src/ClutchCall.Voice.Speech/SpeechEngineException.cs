namespace ClutchCall.Voice.Speech;

/// <summary>Why a speech engine failed.</summary>
public enum SpeechEngineErrorKind
{
    /// <summary>The engine cannot run here (native library or model missing, bad configuration).</summary>
    Unavailable = 0,

    /// <summary>The engine did not answer, or stopped answering mid-stream, in time.</summary>
    Timeout,

    /// <summary>The engine answered with an HTTP or WebSocket error status.</summary>
    ServerError,

    /// <summary>The engine's answer could not be understood.</summary>
    Protocol,

    /// <summary>The connection closed before the answer was complete.</summary>
    ConnectionLost,

    /// <summary>The input cannot be processed (wrong sample rate, text too long).</summary>
    InvalidInput,

    /// <summary>The engine itself reported an internal failure.</summary>
    EngineFailure,
}

/// <summary>A speech engine failed; <see cref="Kind"/> says how and <see cref="StatusCode"/> carries the wire status.</summary>
public sealed class SpeechEngineException : Exception
{
    /// <summary>Creates the error.</summary>
    public SpeechEngineException(string engine, SpeechEngineErrorKind kind, string message, int? statusCode = null, Exception? inner = null)
        : base($"{engine}: {message}", inner)
    {
        Engine = engine;
        Kind = kind;
        StatusCode = statusCode;
    }

    /// <summary>The engine's name (e.g. <c>pocketsphinx</c>, <c>deepgram</c>).</summary>
    public string Engine { get; }

    /// <summary>The kind of failure.</summary>
    public SpeechEngineErrorKind Kind { get; }

    /// <summary>The HTTP status or WebSocket close status, when there was one.</summary>
    public int? StatusCode { get; }
}
