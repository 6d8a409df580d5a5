namespace ClutchCall.Voice.Moqt.Transport;

/// <summary>How a transport connection ended.</summary>
/// <param name="ErrorCode">Application close code (MoQT's termination codes), or the transport's own code for protocol errors.</param>
/// <param name="Reason">Reason phrase sent with the close, possibly empty.</param>
/// <param name="IsLocal">True when this side closed (or detected the error); false when the peer did.</param>
/// <param name="IsTransportError">
/// True when the connection ended through a transport-level failure (protocol violation, lost socket,
/// handshake timeout) rather than an application close.
/// </param>
internal sealed record MoqtTransportCloseInfo(long ErrorCode, string Reason, bool IsLocal, bool IsTransportError = false);
