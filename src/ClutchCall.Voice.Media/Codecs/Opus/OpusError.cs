namespace ClutchCall.Voice.Media;

/// <summary>libopus return codes (<c>opus_defines.h</c>).</summary>
internal enum OpusError
{
    Ok = 0,
    BadArgument = -1,
    BufferTooSmall = -2,
    InternalError = -3,
    InvalidPacket = -4,
    Unimplemented = -5,
    InvalidState = -6,
    AllocFail = -7,
}

/// <summary>Turns libopus error codes into messages a person can act on.</summary>
internal static class OpusErrors
{
    public static string Describe(int code) => (OpusError)code switch
    {
        OpusError.Ok => "OPUS_OK: no error",
        OpusError.BadArgument => "OPUS_BAD_ARG: an argument was invalid or out of range",
        OpusError.BufferTooSmall => "OPUS_BUFFER_TOO_SMALL: the output buffer is too small",
        OpusError.InternalError => "OPUS_INTERNAL_ERROR: libopus hit an internal error",
        OpusError.InvalidPacket => "OPUS_INVALID_PACKET: the compressed data is corrupt or of an unsupported type",
        OpusError.Unimplemented => "OPUS_UNIMPLEMENTED: request not implemented by this libopus",
        OpusError.InvalidState => "OPUS_INVALID_STATE: the encoder or decoder state is invalid or was freed",
        OpusError.AllocFail => "OPUS_ALLOC_FAIL: libopus could not allocate memory",
        _ => $"libopus error {code}",
    };

    public static InvalidOperationException Failure(string operation, int code) =>
        new($"{operation} failed: {Describe(code)} ({code}).");
}
