using System.Buffers;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Session;

/// <summary>Header fields of a received object (draft-ietf-moq-transport-14 §10.2.1).</summary>
internal readonly record struct ReceivedObjectHeader(Location Location, ulong SubgroupId, byte PublisherPriority, MoqtObjectStatus Status);

/// <summary>
/// Receives the objects of one subscription (or accepted PUBLISH). Called on the session's receive loops,
/// possibly concurrently for different groups; the spans are only valid during the call.
/// </summary>
internal interface IMoqtObjectSink
{
    /// <summary>One object: header, its raw extension-header block and its payload.</summary>
    void OnObject(in ReceivedObjectHeader header, ReadOnlySpan<byte> extensions, in ReadOnlySequence<byte> payload);

    /// <summary>The flow ended: PUBLISH_DONE with <paramref name="code"/>, or the session closed (<paramref name="sessionClosed"/>).</summary>
    void OnEnded(MoqtPublishDoneCode code, string reason, bool sessionClosed);
}
