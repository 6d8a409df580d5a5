using System.Buffers;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Session;

/// <summary>
/// A flow of objects this side receives: a SUBSCRIBE it sent or a PUBLISH it accepted. Objects go to the
/// sink; <see cref="Ended"/> completes with the PUBLISH_DONE status (or session close) once.
/// </summary>
internal sealed class MoqtSubscription : IObjectTarget
{
    private readonly IMoqtObjectSink _sink;
    private readonly TaskCompletionSource<MoqtPublishDoneCode> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _endedFlag;

    internal MoqtSubscription(MoqtSession session, ulong requestId, FullTrackName track, IMoqtObjectSink sink)
    {
        Session = session;
        RequestId = requestId;
        Track = track;
        _sink = sink;
    }

    /// <summary>The session it belongs to.</summary>
    public MoqtSession Session { get; }

    /// <summary>Request id of the SUBSCRIBE or PUBLISH.</summary>
    public ulong RequestId { get; }

    /// <summary>The track.</summary>
    public FullTrackName Track { get; }

    /// <summary>Alias the publisher chose (draft-ietf-moq-transport-14 §9.8, §9.13).</summary>
    public ulong TrackAlias { get; internal set; }

    /// <summary>Largest location the publisher reported when the flow started, if any.</summary>
    public Location? Largest { get; internal set; }

    /// <summary>Objects handed to the sink.</summary>
    public long ObjectsReceived => Interlocked.Read(ref _objects);

    /// <summary>Completes when the flow ends, with the PUBLISH_DONE status (InternalError when the session closed).</summary>
    public Task<MoqtPublishDoneCode> Ended => _ended.Task;

    private long _objects;

    public void Deliver(in ReceivedObjectHeader header, ReadOnlySpan<byte> extensions, in ReadOnlySequence<byte> payload)
    {
        if (Volatile.Read(ref _endedFlag) != 0)
        {
            return;
        }

        Interlocked.Increment(ref _objects);
        _sink.OnObject(header, extensions, payload);
    }

    internal void End(MoqtPublishDoneCode code, string reason, bool sessionClosed)
    {
        if (Interlocked.Exchange(ref _endedFlag, 1) != 0)
        {
            return;
        }

        try
        {
            _sink.OnEnded(code, reason, sessionClosed);
        }
        finally
        {
            _ended.TrySetResult(code);
        }
    }
}
