using System.Buffers;
using ClutchCall.Voice.Moqt.Audio;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Moqt.Client;

/// <summary>
/// An audio track this client receives. Objects reach the callback as they arrive with their capture
/// timestamp: a group-boundary straggler inside the reorder window still comes, duplicates and older ones do
/// not, and gaps are counted. The subscription is replayed on every reconnect; it ends only when the
/// publisher ends the track or the application disposes it.
/// </summary>
internal sealed class AudioTrackSubscription : IAsyncDisposable
{
    private readonly MoqtClient _client;
    private readonly Action<AudioObject> _onObject;
    private readonly Lock _deliverGate = new();
    private readonly AudioReassembler _reassembler = new();
    private readonly TaskCompletionSource<MoqtPublishDoneCode> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _scratch = new byte[AudioDeliveryProfile.MaxFrameBytes];
    private MoqtSubscription? _current;
    private Attachment? _attachment;
    private long _received;
    private long _callbackErrors;
    private int _disposed;

    internal AudioTrackSubscription(MoqtClient client, FullTrackName track, Action<AudioObject> onObject)
    {
        _client = client;
        Track = track;
        _onObject = onObject;
    }

    /// <summary>The track.</summary>
    public FullTrackName Track { get; }

    /// <summary>Objects handed to the callback.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Objects known missing (gaps in object ids).</summary>
    public long Lost
    {
        get
        {
            lock (_deliverGate)
            {
                return _reassembler.Lost;
            }
        }
    }

    /// <summary>Exceptions thrown by the application callback (each is swallowed).</summary>
    public long CallbackErrors => Interlocked.Read(ref _callbackErrors);

    /// <summary>Completes when the publisher ends the track (PUBLISH_DONE TRACK_ENDED).</summary>
    public Task<MoqtPublishDoneCode> Ended => _ended.Task;

    /// <summary>The last error replaying the subscription after a reconnect, if any.</summary>
    public Exception? LastError { get; private set; }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _client.Remove(this);
        Volatile.Write(ref _attachment, null);
        if (Interlocked.Exchange(ref _current, null) is { } current)
        {
            try
            {
                await current.Session.UnsubscribeAsync(current).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Session gone: nothing to unsubscribe from.
            }
        }
    }

    internal async ValueTask AttachAsync(MoqtSession session, CancellationToken cancellationToken)
    {
        var attachment = new Attachment(this);
        Volatile.Write(ref _attachment, attachment);
        lock (_deliverGate)
        {
            _reassembler.Reset();
        }

        var subscription = await session.SubscribeAsync(Track, MoqtSubscriptionFilter.LargestObject, attachment, cancellationToken, AudioDeliveryProfile.PublisherPriority).ConfigureAwait(false);
        Volatile.Write(ref _current, subscription);
        LastError = null;
    }

    internal void OnReplayFailed(Exception error) => LastError = error;

    private void OnObject(Attachment from, in ReceivedObjectHeader header, ReadOnlySpan<byte> extensions, in ReadOnlySequence<byte> payload)
    {
        if (header.Status != MoqtObjectStatus.Normal)
        {
            return;
        }

        lock (_deliverGate)
        {
            if (!ReferenceEquals(from, _attachment) || !_reassembler.Accept(header.Location, out var lost))
            {
                return;
            }

            var timestamp = MoqtExtensionHeaders.TryGetCaptureTimestamp(extensions, out var micros) ? (long)micros : -1;
            ReadOnlyMemory<byte> memory;
            if (payload.IsSingleSegment)
            {
                memory = payload.First;
            }
            else
            {
                if (_scratch.Length < payload.Length)
                {
                    _scratch = new byte[payload.Length];
                }

                payload.CopyTo(_scratch);
                memory = _scratch.AsMemory(0, (int)payload.Length);
            }

            Interlocked.Increment(ref _received);
            try
            {
                _onObject(new AudioObject(header.Location, timestamp, memory, lost));
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _callbackErrors);
            }
        }
    }

    private void OnEnded(Attachment from, MoqtPublishDoneCode code, bool sessionClosed)
    {
        if (!ReferenceEquals(from, Volatile.Read(ref _attachment)) || sessionClosed || Volatile.Read(ref _disposed) != 0)
        {
            // A lost session is the client's to repair: it replays this subscription after reconnecting.
            return;
        }

        if (code == MoqtPublishDoneCode.TrackEnded)
        {
            _ended.TrySetResult(code);
            return;
        }

        // Ended for another reason (relay going away, expired): subscribe again once a session is there.
        _ = ResubscribeAsync(from);
    }

    private async Task ResubscribeAsync(Attachment from)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), _client.Time).ConfigureAwait(false);
            if (ReferenceEquals(from, Volatile.Read(ref _attachment)) && _client.Session is { } session && Volatile.Read(ref _disposed) == 0)
            {
                await AttachAsync(session, session.Aborted).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            LastError = ex;
        }
    }

    private sealed class Attachment(AudioTrackSubscription owner) : IMoqtObjectSink
    {
        public void OnObject(in ReceivedObjectHeader header, ReadOnlySpan<byte> extensions, in ReadOnlySequence<byte> payload) =>
            owner.OnObject(this, header, extensions, payload);

        public void OnEnded(MoqtPublishDoneCode code, string reason, bool sessionClosed) => owner.OnEnded(this, code, sessionClosed);
    }
}
