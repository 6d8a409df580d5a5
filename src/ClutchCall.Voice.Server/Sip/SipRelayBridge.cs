using ClutchCall.Voice.Media;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Audio;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Relay.Auth;
using ClutchCall.Voice.Server.Relay;
using ClutchCall.Voice.Sip.Media;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>
/// Bridges one SIP call's media to its relay tracks as the caller side of the call (a MoQT client of the
/// in-process relay with a caller-side token): far-end audio is published on <c>voice/&lt;sid&gt;/uplink</c>,
/// and <c>voice/&lt;sid&gt;/downlink</c> is played to the far end one frame per media-clock tick.
/// <para>
/// G.711 legs transcode: decoded PCM from the leg's jitter buffer → Opus 20 ms → uplink; downlink Opus → PCM →
/// <see cref="ISipCallMedia.SendPcm"/>. Opus legs pass payloads through untouched both ways. Nothing is
/// allocated per frame: the codecs, the encode buffer and the downlink slots are made once per call.
/// </para>
/// </summary>
internal sealed partial class SipRelayBridge : IMediaClockSubscriber, IAsyncDisposable
{
    /// <summary>Downlink frames held for playout; more than this means the far end is fed late, so the oldest go.</summary>
    internal const int DownlinkSlots = 8;

    /// <summary>Frames buffered before playout starts (and restarts after an underrun): 40 ms absorbs relay jitter.</summary>
    internal const int DownlinkPrefill = 2;

    private readonly ISipCallMedia _media;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _sid;
    private readonly bool _passThrough;
    private readonly Lock _downlinkGate = new();
    private readonly Lock _codecGate = new();
    private readonly byte[][] _slots = new byte[DownlinkSlots][];
    private readonly int[] _lengths = new int[DownlinkSlots];
    private readonly byte[] _playout = new byte[AudioDeliveryProfile.MaxFrameBytes];
    private readonly byte[] _encoded = new byte[AudioDeliveryProfile.MaxFrameBytes];
    private readonly short[] _pcm;
    private readonly short[] _silence;
    private IAudioEncoder? _encoder;
    private IAudioDecoder? _decoder;
    private MoqtClient? _client;
    private AudioTrackPublication? _uplink;
    private AudioTrackSubscription? _downlink;
    private IDisposable? _clockRegistration;
    private int _head;
    private int _count;
    private bool _playing;
    private long _uplinkFrames;
    private long _downlinkFrames;
    private long _downlinkDropped;
    private long _underruns;
    private int _disposed;

    private SipRelayBridge(string sid, ISipCallMedia media, TimeProvider time, ILogger logger)
    {
        _sid = sid;
        _media = media;
        _time = time;
        _logger = logger;
        _passThrough = media.SupportsPassThrough;
        for (var i = 0; i < DownlinkSlots; i++)
        {
            _slots[i] = new byte[AudioDeliveryProfile.MaxFrameBytes];
        }

        var samples = media.PcmFormat.InterleavedSamples(20);
        _pcm = new short[samples];
        _silence = new short[samples];
        if (!_passThrough)
        {
            _encoder = AudioCodecFactory.CreateEncoder(AudioCodec.Opus, media.PcmFormat, 20);
            _decoder = AudioCodecFactory.CreateDecoder(AudioCodec.Opus, media.PcmFormat);
        }
    }

    /// <summary>Frames published on uplink.</summary>
    public long UplinkFrames => Interlocked.Read(ref _uplinkFrames);

    /// <summary>Downlink frames played to the far end.</summary>
    public long DownlinkFrames => Interlocked.Read(ref _downlinkFrames);

    /// <summary>Downlink frames dropped because playout was more than <see cref="DownlinkSlots"/> frames behind.</summary>
    public long DownlinkDropped => Interlocked.Read(ref _downlinkDropped);

    /// <summary>Ticks with no downlink frame to play after playout had started.</summary>
    public long Underruns => Interlocked.Read(ref _underruns);

    /// <summary>True when the leg negotiated Opus and payloads pass through untranscoded.</summary>
    public bool PassThrough => _passThrough;

    /// <summary>
    /// Joins the relay as the caller side of <paramref name="sid"/> and starts moving audio. The returned bridge
    /// runs until disposed.
    /// </summary>
    public static async Task<SipRelayBridge> StartAsync(
        string orgId,
        string sid,
        ISipCallMedia media,
        MediaClock clock,
        RelayTokenIssuer issuer,
        InProcessRelay relay,
        TimeProvider time,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var bridge = new SipRelayBridge(sid, media, time, logger);
        try
        {
            // The bridge lives as long as the call; the token only has to outlive reconnects, so take the longest allowed.
            var token = issuer.Issue(orgId, RelayTrackGrant.CallerSide(sid), RelayTokenIssuer.MaxTtl).Token;
            bridge._client = await MoqtClient.ConnectAsync(new MoqtClientOptions
            {
                Endpoints = [new MoqtClientEndpoint(relay.Network.CreateConnector(), relay.Uri)],
                AuthorizationToken = token,
            }, cancellationToken).ConfigureAwait(false);
            bridge._uplink = await bridge._client.PublishAudioAsync(FullTrackName.Uplink(sid), cancellationToken).ConfigureAwait(false);
            bridge._downlink = await bridge._client.SubscribeAudioAsync(FullTrackName.Downlink(sid), bridge.OnDownlink, cancellationToken).ConfigureAwait(false);
            if (bridge._passThrough)
            {
                media.EncodedReceived += bridge.OnEncodedFromFarEnd;
            }
            else
            {
                media.PcmReceived += bridge.OnPcmFromFarEnd;
            }

            bridge._clockRegistration = clock.Register(bridge);
            LogStarted(logger, sid, media.Codec.ToString(), bridge._passThrough);
            return bridge;
        }
        catch
        {
            await bridge.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>RFC 3550 §5.1 payloads come in as the jitter buffer plays them out: one 20 ms PCM frame per tick.</summary>
    private void OnPcmFromFarEnd(ReadOnlySpan<short> pcm, SipFrameKind kind, long frameIndex)
    {
        if (_uplink is not { } uplink)
        {
            return;
        }

        int n;
        lock (_codecGate)
        {
            if (_encoder is not { } encoder || pcm.Length != _pcm.Length)
            {
                return;
            }

            n = encoder.Encode(pcm, _encoded);
            uplink.Publish(_encoded.AsSpan(0, n), UnixMicros(_time));
        }

        Interlocked.Increment(ref _uplinkFrames);
    }

    /// <summary>RFC 7587 §4.2: one Opus packet per RTP payload, which is exactly one relay object.</summary>
    private void OnEncodedFromFarEnd(ReadOnlySpan<byte> payload, ushort sequence, uint rtpTimestamp)
    {
        if (_uplink is { } uplink && payload.Length > 0 && uplink.Publish(payload, UnixMicros(_time)))
        {
            Interlocked.Increment(ref _uplinkFrames);
        }
    }

    /// <summary>A downlink object from the relay (relay thread): copied into the next playout slot.</summary>
    private void OnDownlink(AudioObject received)
    {
        var payload = received.Payload.Span;
        if (payload.Length == 0 || payload.Length > AudioDeliveryProfile.MaxFrameBytes)
        {
            return;
        }

        lock (_downlinkGate)
        {
            if (_count == DownlinkSlots)
            {
                // Keep latency bounded: the oldest frame is the least useful one.
                _head = (_head + 1) % DownlinkSlots;
                _count--;
                Interlocked.Increment(ref _downlinkDropped);
            }

            var slot = (_head + _count) % DownlinkSlots;
            payload.CopyTo(_slots[slot]);
            _lengths[slot] = payload.Length;
            _count++;
        }
    }

    /// <summary>One downlink frame per media-clock tick (absolute 20 ms deadlines shared with the RTP legs).</summary>
    void IMediaClockSubscriber.OnTick(in MediaClockTick tick)
    {
        var length = 0;
        lock (_downlinkGate)
        {
            if (!_playing && _count >= DownlinkPrefill)
            {
                _playing = true;
            }

            if (_playing)
            {
                if (_count == 0)
                {
                    _playing = false;
                    Interlocked.Increment(ref _underruns);
                }
                else
                {
                    length = _lengths[_head];
                    _slots[_head].AsSpan(0, length).CopyTo(_playout);
                    _head = (_head + 1) % DownlinkSlots;
                    _count--;
                }
            }
        }

        if (_passThrough)
        {
            if (length > 0)
            {
                _media.SendEncoded(_playout.AsSpan(0, length));
                Interlocked.Increment(ref _downlinkFrames);
            }

            return;
        }

        lock (_codecGate)
        {
            if (_decoder is not { } decoder)
            {
                return;
            }

            if (length > 0 && decoder.TryDecode(_playout.AsSpan(0, length), _pcm, out var samples) && samples == _pcm.Length)
            {
                _media.SendPcm(_pcm);
                Interlocked.Increment(ref _downlinkFrames);
            }
            else
            {
                // Keep RTP flowing while the downlink is quiet: carriers drop calls whose media stops.
                _media.SendPcm(_silence);
            }
        }
    }

    private static long UnixMicros(TimeProvider time) => (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _clockRegistration?.Dispose();
        _media.PcmReceived -= OnPcmFromFarEnd;
        _media.EncodedReceived -= OnEncodedFromFarEnd;
        lock (_codecGate)
        {
            _encoder?.Dispose();
            _decoder?.Dispose();
            _encoder = null;
            _decoder = null;
        }

        if (_downlink is { } downlink)
        {
            await downlink.DisposeAsync().ConfigureAwait(false);
        }

        if (_uplink is { } uplink)
        {
            await uplink.DisposeAsync().ConfigureAwait(false);
        }

        if (_client is { } client)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }

        LogStopped(_logger, _sid, UplinkFrames, DownlinkFrames, DownlinkDropped, Underruns);
    }

    [LoggerMessage(EventId = 5110, Level = LogLevel.Information, Message = "SIP bridge for call {CallSid} joined the relay ({Codec}, pass-through {PassThrough})")]
    private static partial void LogStarted(ILogger logger, string callSid, string codec, bool passThrough);

    [LoggerMessage(EventId = 5111, Level = LogLevel.Information, Message = "SIP bridge for call {CallSid} closed: {Uplink} uplink frames, {Downlink} downlink frames played, {Dropped} dropped, {Underruns} underruns")]
    private static partial void LogStopped(ILogger logger, string callSid, long uplink, long downlink, long dropped, long underruns);
}
