using System.Diagnostics;
using ClutchCall.Voice.Moqt.Audio;
using ClutchCall.Voice.Moqt.Client;

namespace ClutchCall.Voice;

/// <summary>
/// An open audio bridge for one call: the handle the product documentation calls "AudioBridge"
/// (named <c>AudioBridgeSession</c> here because <see cref="Voice.AudioBridge"/> is the helper that opens it).
/// Hold it for the call's lifetime. The underlying MoQT session reconnects and replays its publish and
/// subscribe on link loss by itself. Returned by <see cref="AudioBridgeClient.AttachAsync"/> (server side:
/// receive uplink, publish downlink) and <see cref="AudioBridgeClient.AttachCallerAsync"/> (caller side:
/// publish uplink, receive downlink).
/// </summary>
public sealed class AudioBridgeSession : IAsyncDisposable
{
    private static readonly long EpochAnchorUs = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
    private static readonly long StopwatchAnchor = Stopwatch.GetTimestamp();

    private readonly MoqtClient _client;
    private readonly AudioTrackPublication _publication;
    private readonly AudioTrackSubscription _subscription;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<AudioFrameReceived>? _onFrame;
    private int _closing;

    private AudioBridgeSession(string callSid, AudioBridgeRole role, MoqtClient client, AudioTrackPublication publication, AudioTrackSubscription subscription, Action<AudioFrameReceived>? onFrame)
    {
        CallSid = callSid;
        Role = role;
        _client = client;
        _publication = publication;
        _subscription = subscription;
        _onFrame = onFrame;
    }

    /// <summary>The sid this bridge belongs to.</summary>
    public string CallSid { get; }

    /// <summary>Which side of the call this bridge is.</summary>
    public AudioBridgeRole Role { get; }

    /// <summary>The transport carrying the session now (<c>websocket</c>, <c>quic</c>), or null while reconnecting.</summary>
    public string? TransportName => _client.TransportName;

    /// <summary>Frames published so far.</summary>
    public long FramesPublished => _publication.Published;

    /// <summary>Frames received so far.</summary>
    public long FramesReceived => _subscription.Received;

    /// <summary>Completes once <see cref="CloseAsync"/> has torn the bridge down.</summary>
    public Task Completion => _closed.Task;

    /// <summary>
    /// Server side: pushes one encoded frame (e.g. 20 ms of Opus) to the caller on <c>downlink</c>.
    /// <paramref name="timestampUs"/> is the capture time in microseconds since the Unix epoch; when omitted
    /// the SDK stamps a monotonic microsecond clock. Never blocks; returns false once the bridge is closed.
    /// </summary>
    public bool PublishDownlink(ReadOnlySpan<byte> frame, long? timestampUs = null) => Publish(AudioBridgeRole.Server, frame, timestampUs);

    /// <inheritdoc cref="PublishDownlink(ReadOnlySpan{byte}, long?)"/>
    public bool PublishDownlink(ReadOnlyMemory<byte> frame, long? timestampUs = null) => Publish(AudioBridgeRole.Server, frame.Span, timestampUs);

    /// <summary>
    /// Caller side: pushes one encoded microphone frame to the cloud on <c>uplink</c>. Timestamps as in
    /// <see cref="PublishDownlink(ReadOnlySpan{byte}, long?)"/>.
    /// </summary>
    public bool PublishUplink(ReadOnlySpan<byte> frame, long? timestampUs = null) => Publish(AudioBridgeRole.Caller, frame, timestampUs);

    /// <inheritdoc cref="PublishUplink(ReadOnlySpan{byte}, long?)"/>
    public bool PublishUplink(ReadOnlyMemory<byte> frame, long? timestampUs = null) => Publish(AudioBridgeRole.Caller, frame.Span, timestampUs);

    /// <summary>Server side: swaps the consumer of the caller's audio mid-call (null drops frames).</summary>
    public void OnUplink(Action<AudioFrameReceived>? handler) => Swap(AudioBridgeRole.Server, handler);

    /// <summary>Caller side: swaps the consumer of the cloud's audio mid-call (null drops frames).</summary>
    public void OnDownlink(Action<AudioFrameReceived>? handler) => Swap(AudioBridgeRole.Caller, handler);

    /// <summary>The SDK's monotonic capture clock: microseconds since the Unix epoch, never going backwards.</summary>
    public static long NowUs() => EpochAnchorUs + (long)Stopwatch.GetElapsedTime(StopwatchAnchor).TotalMicroseconds;

    /// <summary>Tears down both tracks and the underlying MoQT session. Safe to call more than once.</summary>
    public async Task CloseAsync()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            await _closed.Task.ConfigureAwait(false);
            return;
        }

        Volatile.Write(ref _onFrame, null);
        try
        {
            await _subscription.DisposeAsync().ConfigureAwait(false);
            await _publication.DisposeAsync().ConfigureAwait(false);
            await _client.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    /// <summary>Same as <see cref="CloseAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    internal static async Task<AudioBridgeSession> OpenAsync(string callSid, AudioBridgeRole role, MoqtClient client, Action<AudioFrameReceived>? onFrame, CancellationToken cancellationToken)
    {
        var (publish, subscribe) = role == AudioBridgeRole.Server
            ? (Moqt.FullTrackName.Downlink(callSid), Moqt.FullTrackName.Uplink(callSid))
            : (Moqt.FullTrackName.Uplink(callSid), Moqt.FullTrackName.Downlink(callSid));
        AudioTrackPublication? publication = null;
        try
        {
            publication = await client.PublishAudioAsync(publish, cancellationToken).ConfigureAwait(false);
            AudioBridgeSession? session = null;
            var subscription = await client.SubscribeAudioAsync(subscribe, o => session?.Deliver(o), cancellationToken).ConfigureAwait(false);
            session = new AudioBridgeSession(callSid, role, client, publication, subscription, onFrame);
            return session;
        }
        catch (Exception)
        {
            if (publication is not null)
            {
                await publication.DisposeAsync().ConfigureAwait(false);
            }

            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Deliver(in AudioObject received)
    {
        if (Volatile.Read(ref _onFrame) is { } handler)
        {
            handler(new AudioFrameReceived(received.Payload, received.CaptureTimestampUs, received.Location.Group, received.Location.Object, received.LostBefore));
        }
    }

    private bool Publish(AudioBridgeRole side, ReadOnlySpan<byte> frame, long? timestampUs)
    {
        RequireRole(side);
        return _publication.Publish(frame, timestampUs ?? NowUs());
    }

    private void Swap(AudioBridgeRole side, Action<AudioFrameReceived>? handler)
    {
        RequireRole(side);
        Volatile.Write(ref _onFrame, handler);
    }

    private void RequireRole(AudioBridgeRole side)
    {
        if (Role != side)
        {
            throw new InvalidOperationException(side == AudioBridgeRole.Server
                ? "This bridge was opened with AttachCallerAsync (caller side): use PublishUplink / OnDownlink."
                : "This bridge was opened with AttachAsync (server side): use PublishDownlink / OnUplink.");
        }
    }
}
