namespace ClutchCall.Voice.Moqt.Transport;

/// <summary>A transport-level failure; <see cref="ErrorCode"/> is the wire code involved, when there is one.</summary>
internal class MoqtTransportException : Exception
{
    public MoqtTransportException(string message, long errorCode = 0, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Wire error code (QUIC transport error code for protocol violations, application code otherwise).</summary>
    public long ErrorCode { get; }
}

/// <summary>The connection is closed; <see cref="CloseInfo"/> says how.</summary>
internal sealed class MoqtTransportClosedException : MoqtTransportException
{
    public MoqtTransportClosedException(MoqtTransportCloseInfo closeInfo)
        : base($"Transport connection closed ({(closeInfo.IsLocal ? "local" : "remote")}, code {closeInfo.ErrorCode}): {closeInfo.Reason}", closeInfo.ErrorCode)
    {
        CloseInfo = closeInfo;
    }

    public MoqtTransportCloseInfo CloseInfo { get; }
}

/// <summary>The peer reset the stream (read side) or asked us to stop sending (write side).</summary>
internal sealed class MoqtStreamAbortedException : MoqtTransportException
{
    public MoqtStreamAbortedException(long errorCode, bool stopSending)
        : base(stopSending ? $"Peer stopped reading the stream (code {errorCode})." : $"Peer reset the stream (code {errorCode}).", errorCode)
    {
        IsStopSending = stopSending;
    }

    /// <summary>True for STOP_SENDING (thrown on write), false for RESET_STREAM (thrown on read).</summary>
    public bool IsStopSending { get; }
}

/// <summary>The peer broke the transport's framing rules; the connection is closed with <see cref="MoqtTransportException.ErrorCode"/>.</summary>
internal sealed class MoqtTransportProtocolException : MoqtTransportException
{
    public MoqtTransportProtocolException(long errorCode, string message)
        : base(message, errorCode)
    {
    }
}
