using System.Net;

namespace ClutchCall.Voice;

/// <summary>The API answered with an error (an RFC 9457 problem). Subclasses name the common statuses.</summary>
public class VoiceApiException : Exception
{
    /// <summary>Creates the exception from a problem response.</summary>
    public VoiceApiException(HttpStatusCode statusCode, string? title, string? detail, string? type)
        : base($"{(int)statusCode} {title ?? statusCode.ToString()}: {detail ?? "(no detail)"}")
    {
        StatusCode = statusCode;
        Title = title;
        Detail = detail;
        Type = type;
    }

    /// <summary>HTTP status.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Problem title (short, per kind of problem).</summary>
    public string? Title { get; }

    /// <summary>What exactly was wrong with this request.</summary>
    public string? Detail { get; }

    /// <summary>Problem type URI.</summary>
    public string? Type { get; }

    internal static VoiceApiException Create(HttpStatusCode status, string? title, string? detail, string? type) => (int)status switch
    {
        400 => new VoiceValidationException(title, detail, type),
        401 => new VoiceAuthenticationException(title, detail, type),
        403 => new VoicePermissionException(title, detail, type),
        404 => new VoiceNotFoundException(title, detail, type),
        409 => new VoiceConflictException(title, detail, type),
        _ => new VoiceApiException(status, title, detail, type),
    };
}

/// <summary>400: the request was malformed or a field was invalid; <see cref="VoiceApiException.Detail"/> says which.</summary>
public sealed class VoiceValidationException(string? title, string? detail, string? type)
    : VoiceApiException(HttpStatusCode.BadRequest, title, detail, type);

/// <summary>401: the API key is missing, malformed, unknown or revoked.</summary>
public sealed class VoiceAuthenticationException(string? title, string? detail, string? type)
    : VoiceApiException(HttpStatusCode.Unauthorized, title, detail, type);

/// <summary>403: the key lacks the scope for this operation, or belongs to another org.</summary>
public sealed class VoicePermissionException(string? title, string? detail, string? type)
    : VoiceApiException(HttpStatusCode.Forbidden, title, detail, type);

/// <summary>404: no such call (or webhook) in this org.</summary>
public sealed class VoiceNotFoundException(string? title, string? detail, string? type)
    : VoiceApiException(HttpStatusCode.NotFound, title, detail, type);

/// <summary>409: the request does not apply to the call's current state (e.g. hanging up an ended call).</summary>
public sealed class VoiceConflictException(string? title, string? detail, string? type)
    : VoiceApiException(HttpStatusCode.Conflict, title, detail, type);

/// <summary>The server answered something this SDK cannot read.</summary>
public sealed class VoiceProtocolException(string message, Exception? inner = null) : Exception(message, inner);
