using System.Runtime.CompilerServices;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Moqt.Session;

/// <summary>
/// Sends the objects of one track this side publishes (an accepted SUBSCRIBE or a sent PUBLISH) on
/// subgroup streams: one unidirectional stream per group, opened when the group starts and finished when
/// the next one does (draft-ietf-moq-transport-14 §10.4.2). Only one caller writes at a time.
/// </summary>
internal sealed class MoqtTrackWriter
{
    private readonly MoqtSession _session;
    private readonly CancellationTokenSource _stop = new();
    private IMoqtStream? _stream;
    private MoqtSubgroupCursor _cursor;
    private ulong _group;
    private ulong _streams;
    private ulong? _skippedGroup;
    private volatile bool _forward = true;

    internal MoqtTrackWriter(MoqtSession session, ulong requestId, ulong trackAlias, FullTrackName track, byte publisherPriority)
    {
        _session = session;
        RequestId = requestId;
        TrackAlias = trackAlias;
        Track = track;
        PublisherPriority = publisherPriority;
    }

    /// <summary>Request id of the SUBSCRIBE or PUBLISH this writer serves.</summary>
    public ulong RequestId { get; }

    /// <summary>Alias carried in every stream header.</summary>
    public ulong TrackAlias { get; }

    /// <summary>The track.</summary>
    public FullTrackName Track { get; }

    /// <summary>Default publisher priority in stream headers.</summary>
    public byte PublisherPriority { get; }

    /// <summary>False while the subscriber asked not to be sent objects (Forward = 0, §9.7/§9.10).</summary>
    public bool Forward
    {
        get => _forward;
        internal set => _forward = value;
    }

    /// <summary>True once the subscription ended or the session closed.</summary>
    public bool IsStopped => _stop.IsCancellationRequested;

    /// <summary>Objects written.</summary>
    public long ObjectsWritten { get; private set; }

    /// <summary>
    /// Writes one object. Returns false once the flow has stopped (unsubscribed, session gone); a stream the
    /// peer stopped reading is dropped and the next group opens a new one.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> WriteObjectAsync(Location location, ReadOnlyMemory<byte> extensions, ReadOnlyMemory<byte> payload, byte priority)
    {
        if (_stop.IsCancellationRequested)
        {
            await CloseStreamAsync(abort: true).ConfigureAwait(false);
            return false;
        }

        if (!_forward)
        {
            return true;
        }

        try
        {
            if (_stream is null || location.Group != _group)
            {
                await CloseStreamAsync(abort: false).ConfigureAwait(false);
                if (_skippedGroup == location.Group)
                {
                    return true;
                }

                var stream = await _session.Connection.OpenUnidirectionalStreamAsync(_stop.Token).ConfigureAwait(false);
                var header = new MoqtSubgroupHeader(TrackAlias, location.Group, 0, priority, MoqtSubgroupIdMode.Zero, HasExtensions: true);
                _cursor = new MoqtSubgroupCursor(header);
                MoqtDataWriter.WriteSubgroupHeader(stream.Output!, header);
                _stream = stream;
                _group = location.Group;
                _streams++;
            }
            else if (_cursor.LastObjectId is { } last && location.Object <= last)
            {
                // §10.4.2: object ids rise within a subgroup; an out-of-order object is dropped.
                return true;
            }

            var output = _stream.Output!;
            MoqtDataWriter.WriteSubgroupObject(output, ref _cursor, location.Object, extensions.Span, payload.Span);
            var flush = await output.FlushAsync(_stop.Token).ConfigureAwait(false);
            if (flush.IsCompleted)
            {
                await CloseStreamAsync(abort: true).ConfigureAwait(false);
            }

            ObjectsWritten++;
            return true;
        }
        catch (MoqtStreamAbortedException)
        {
            // The subscriber stopped this group's stream (STOP_SENDING): drop the rest of the group.
            _skippedGroup = location.Group;
            await CloseStreamAsync(abort: true).ConfigureAwait(false);
            return !_stop.IsCancellationRequested;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            await CloseStreamAsync(abort: true).ConfigureAwait(false);
            return false;
        }
        catch (MoqtTransportException)
        {
            Stop();
            await CloseStreamAsync(abort: true).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>Stops the flow; a write in progress ends and later writes return false.</summary>
    internal void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped.
        }
    }

    internal void ApplyUpdate(SubscribeUpdateMessage update) => _forward = update.Forward;

    /// <summary>Finishes the open stream (FIN) and stops; returns how many streams the flow used (PUBLISH_DONE Stream Count).</summary>
    internal async ValueTask<ulong> FinishAsync()
    {
        await CloseStreamAsync(abort: false).ConfigureAwait(false);
        Stop();
        return _streams;
    }

    private async ValueTask CloseStreamAsync(bool abort)
    {
        var stream = _stream;
        if (stream is null)
        {
            return;
        }

        _stream = null;
        try
        {
            if (abort)
            {
                // §10.4.3: a stream abandoned mid-group is reset with CANCELLED.
                stream.Abort((long)MoqtStreamResetErrorCode.Cancelled);
            }
            else
            {
                await stream.CompleteWritesAsync().ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // The stream or connection is already gone.
        }
        finally
        {
            try
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Disposal of a dead stream may fail; nothing to do.
            }
        }
    }
}
