namespace ClutchCall.Voice;

/// <summary>
/// The audio bridge could not be opened or a track request was refused by the relay. <see cref="ErrorCode"/>
/// carries the MoQT error code when the relay answered with one (see <see cref="IsUnauthorized"/>).
/// </summary>
public sealed class AudioBridgeException : Exception
{
    /// <summary>The request error code <c>UNAUTHORIZED</c> of SUBSCRIBE_ERROR / PUBLISH_ERROR (draft-ietf-moq-transport-14).</summary>
    public const ulong UnauthorizedCode = 0x1;

    /// <summary>Creates the exception.</summary>
    public AudioBridgeException(string message, ulong? errorCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The relay's MoQT error code, when the failure was a refused request.</summary>
    public ulong? ErrorCode { get; }

    /// <summary>True when the relay refused the request because the token does not grant it.</summary>
    public bool IsUnauthorized => ErrorCode == UnauthorizedCode;
}
