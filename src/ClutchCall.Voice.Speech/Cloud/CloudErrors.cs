namespace ClutchCall.Voice.Speech.Cloud;

/// <summary>Helpers that classify cloud engine failures beyond <see cref="SpeechEngineErrorKind"/>.</summary>
public static class CloudErrors
{
    /// <summary>
    /// True when the engine rejected the credentials: an HTTP 401/403 (RFC 9110 §15.5.2, §15.5.4) on
    /// the request or on the WebSocket upgrade. Such errors are <see cref="SpeechEngineErrorKind.ServerError"/>
    /// carrying the status; retrying will not help, a fallback engine will.
    /// </summary>
    public static bool IsAuthFailure(this SpeechEngineException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Kind == SpeechEngineErrorKind.ServerError && error.StatusCode is { } status && IsAuthStatus(status);
    }

    internal static bool IsAuthStatus(int status) => status is 401 or 403;
}
