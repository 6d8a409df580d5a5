using System.Buffers;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Moqt.Session;

/// <summary>A FETCH this side sent (draft-ietf-moq-transport-14 §9.16): objects arrive on one fetch stream.</summary>
internal sealed class MoqtFetch : IObjectTarget
{
    private readonly IMoqtObjectSink _sink;
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal MoqtFetch(ulong requestId, IMoqtObjectSink sink)
    {
        RequestId = requestId;
        _sink = sink;
    }

    /// <summary>Request id of the FETCH.</summary>
    public ulong RequestId { get; }

    /// <summary>The FETCH_OK received.</summary>
    public FetchOkMessage? Ok { get; private set; }

    /// <summary>Completes when the fetch stream has ended (FIN), or faults when it was reset or the session closed.</summary>
    public Task Completed => _completed.Task;

    internal MoqtFetch Accepted(FetchOkMessage ok)
    {
        Ok = ok;
        return this;
    }

    public void Deliver(in ReceivedObjectHeader header, ReadOnlySpan<byte> extensions, in ReadOnlySequence<byte> payload) =>
        _sink.OnObject(header, extensions, payload);

    internal void Complete() => _completed.TrySetResult();

    internal void Fail(Exception error)
    {
        _completed.TrySetException(error);
        _ = _completed.Task.Exception; // observed even when nobody awaits the fetch any more
    }
}
