using System.Buffers;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>
/// The control-message layout of one MoQT draft. The session and relay speak the version-neutral
/// <see cref="MoqtControlMessage"/> model; the negotiated version picks the codec, so a later draft slots in
/// as another implementation.
/// </summary>
internal interface IMoqtWireCodec
{
    MoqtVersion Version { get; }

    /// <summary>True when <paramref name="wireType"/> is a control message this draft defines.</summary>
    bool IsKnownType(ulong wireType);

    /// <summary>The wire type code for a message.</summary>
    ulong GetWireType(MoqtControlMessage message);

    /// <summary>
    /// Decodes one complete payload. Throws <see cref="MoqtProtocolException"/> when it is malformed, including
    /// when it is shorter or longer than its fields.
    /// </summary>
    MoqtControlMessage ReadPayload(ulong wireType, ReadOnlySpan<byte> payload);

    /// <summary>Encodes the payload of <paramref name="message"/> (no type, no length).</summary>
    void WritePayload(IBufferWriter<byte> writer, MoqtControlMessage message);
}
