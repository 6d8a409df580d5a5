using System.Collections.Concurrent;
using System.Diagnostics;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Transport.Qmux;

namespace ClutchCall.Voice.Server.Tests.Agents;

/// <summary>
/// The phone side of a live call, joined over the server's WebSocket relay transport with a caller-role audio token
/// from the public API: it publishes <c>voice/&lt;sid&gt;/uplink</c> one 20 ms Opus frame per tick of the server's media
/// clock (what it was told to say, silence otherwise, as a phone keeps sending) and records every downlink object
/// with its capture timestamp and arrival time.
/// </summary>
internal sealed class WebSocketCaller : IMediaClockSubscriber, IAsyncDisposable
{
    private readonly ConcurrentQueue<byte[]> _script = new();
    private readonly byte[] _silence;
    private MoqtClient? _client;
    private AudioTrackPublication? _uplink;
    private AudioTrackSubscription? _downlink;
    private IDisposable? _registration;
    private long _uplinkFrames;

    private WebSocketCaller(byte[] silence) => _silence = silence;

    public ConcurrentQueue<(byte[] Payload, long TimestampUs, long ArrivedAt)> Downlink { get; } = new();

    public long UplinkFrames => Interlocked.Read(ref _uplinkFrames);

    /// <summary>Frames told to say and not yet sent.</summary>
    public int Pending => _script.Count;

    public static async Task<WebSocketCaller> JoinAsync(Voice voice, string sid, MediaClock clock, CancellationToken ct)
    {
        var caller = new WebSocketCaller(LibriVoxCallee.Encode(new short[320])[0]);
        try
        {
            var token = await voice.AudioBridge.RequestTokenAsync(sid, AudioBridgeRole.Caller, ct);
            var url = token.RelayUrls.First(u => u.StartsWith("ws", StringComparison.Ordinal));
            caller._client = await MoqtClient.ConnectAsync(new MoqtClientOptions
            {
                Endpoints = [new MoqtClientEndpoint(new WebSocketTransportConnector(), new Uri(url))],
                AuthorizationToken = token.Token,
            }, ct);
            caller._downlink = await caller._client.SubscribeAudioAsync(
                FullTrackName.Downlink(sid),
                o => caller.Downlink.Enqueue((o.Payload.ToArray(), o.CaptureTimestampUs, Stopwatch.GetTimestamp())),
                ct);
            caller._uplink = await caller._client.PublishAudioAsync(FullTrackName.Uplink(sid), ct);
            caller._registration = clock.Register(caller);
            return caller;
        }
        catch
        {
            await caller.DisposeAsync();
            throw;
        }
    }

    /// <summary>Queues Opus frames to say, after whatever is still queued.</summary>
    public void Say(IEnumerable<byte[]> frames)
    {
        foreach (var f in frames)
        {
            _script.Enqueue(f);
        }
    }

    public void OnTick(in MediaClockTick tick)
    {
        if (_uplink is not { } uplink)
        {
            return;
        }

        var frame = _script.TryDequeue(out var f) ? f : _silence;
        uplink.Publish(frame, (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / 10);
        Interlocked.Increment(ref _uplinkFrames);
    }

    public async ValueTask DisposeAsync()
    {
        _registration?.Dispose();
        if (_downlink is not null)
        {
            await _downlink.DisposeAsync();
        }

        if (_uplink is not null)
        {
            await _uplink.DisposeAsync();
        }

        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }
}
