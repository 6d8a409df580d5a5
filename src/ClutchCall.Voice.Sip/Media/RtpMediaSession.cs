using System.Net;
using System.Net.Sockets;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Sip.Dtmf;
using ClutchCall.Voice.Sip.Rtp;
using ClutchCall.Voice.Sip.Sdp;

namespace ClutchCall.Voice.Sip.Media;

/// <summary>
/// The RTP leg of one call: a bound RTP/RTCP port pair, symmetric RTP latching, the receive path into the
/// jitter buffer (popped once per media-clock tick), the send path (one packet per <see cref="SendPcm"/>),
/// RFC 4733 DTMF both ways and RTCP SR/RR every <see cref="SipMediaSettings.RtcpInterval"/>.
/// </summary>
internal sealed class RtpMediaSession : ISipCallMedia, IMediaClockSubscriber, IAsyncDisposable
{
    private const int ReceiveBufferBytes = 2048;

    private readonly Socket _rtp;
    private readonly Socket _rtcp;
    private readonly TimeProvider _time;
    private readonly SipMediaSettings _settings;
    private readonly Lock _receiveGate = new();
    private readonly Lock _sendGate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _sendBuffer = new byte[RtpAudioSender.MaxPacketBytes];
    private readonly short[] _popFrame;
    private readonly DtmfReceiver _dtmf;
    private readonly uint _ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
    private readonly RtcpReceiverReportGenerator _reports;
    private readonly string _cname = Guid.NewGuid().ToString("N")[..12] + "@clutchcall";
    private RtpAudioReceiver? _receiver;
    private RtpAudioSender? _sender;
    private SdpNegotiation? _negotiation;
    private SocketAddress? _remoteRtp;
    private SocketAddress? _remoteRtcp;
    private bool _latched;
    private bool _mediaStarted;
    private volatile bool _sendingDigits;
    private RtpSourceStatistics? _stats;
    private long _frameIndex;
    private Task? _rtpLoop;
    private Task? _rtcpLoop;
    private ITimer? _rtcpTimer;
    private IDisposable? _clockRegistration;
    private int _disposed;

    public RtpMediaSession(Socket rtp, Socket rtcp, TimeProvider time, SipMediaSettings settings)
    {
        _rtp = rtp;
        _rtcp = rtcp;
        _time = time;
        _settings = settings;
        _reports = new RtcpReceiverReportGenerator(time);
        _dtmf = new DtmfReceiver(time);
        _dtmf.Digit += d => DigitReceived?.Invoke(d);
        PcmFormat = new AudioFormat(settings.PcmSampleRate, 1);
        PcmFormat.EnsureSupported();
        _popFrame = new short[PcmFormat.InterleavedSamples(20)];
    }

    public int LocalPort => ((IPEndPoint)_rtp.LocalEndPoint!).Port;

    public AudioCodec Codec { get; private set; } = AudioCodec.G711Ulaw;

    public AudioFormat PcmFormat { get; }

    public bool SupportsPassThrough => Codec == AudioCodec.Opus;

    /// <summary>Where RTP currently goes (the latched source once media arrived).</summary>
    public IPEndPoint? RemoteEndPoint { get; private set; }

    public SdpDirection Direction => _negotiation?.LocalDirection ?? SdpDirection.Inactive;

    public long PacketsReceived { get; private set; }

    public long PacketsDropped { get; private set; }

    public uint PacketsSent => _sender?.PacketsSent ?? 0;

    public long RtcpSent { get; private set; }

    public long RtcpReceived { get; private set; }

    public JitterBufferStats? JitterStats
    {
        get
        {
            lock (_receiveGate)
            {
                return _receiver?.Stats;
            }
        }
    }

    /// <summary>The jitter buffer's counters as text, for logs and test output.</summary>
    public string JitterSummary => JitterStats?.ToString() ?? "no receiver";

    public event SipPcmFrameHandler? PcmReceived;

    public event SipEncodedFrameHandler? EncodedReceived;

    public event Action<char>? DigitReceived;

    /// <summary>Applies an offer/answer result: codec, remote address and direction (initial, re-INVITE or UPDATE).</summary>
    public void Configure(SdpNegotiation negotiation)
    {
        if (!SipAudioCodecs.TryMap(negotiation.Codec, out var codec))
        {
            throw new NotSupportedException($"codec {negotiation.Codec.Encoding} is not supported by the media leg");
        }

        var remote = IPAddress.TryParse(negotiation.RemoteAddress, out var ip) ? new IPEndPoint(ip, negotiation.RemotePort) : null;
        lock (_receiveGate)
        {
            lock (_sendGate)
            {
                var codecChanged = _negotiation is null || _negotiation.Codec.PayloadType != negotiation.Codec.PayloadType || Codec != codec;
                var remoteChanged = _negotiation is null || _negotiation.RemoteAddress != negotiation.RemoteAddress || _negotiation.RemotePort != negotiation.RemotePort;
                _negotiation = negotiation;
                Codec = codec;
                if (codecChanged)
                {
                    _receiver?.Dispose();
                    _sender?.Dispose();
                    _receiver = new RtpAudioReceiver(codec, PcmFormat.SampleRate, _time, _settings.Jitter);
                    _sender = new RtpAudioSender(codec, (byte)negotiation.Codec.PayloadType, PcmFormat.SampleRate, _ssrc, _settings.Opus);
                    _stats = null;
                }

                if (remoteChanged && remote is not null && !remote.Address.Equals(IPAddress.Any))
                {
                    // A new remote address from signalling is used until the next packet re-latches (RFC 4961 §4).
                    RemoteEndPoint = remote;
                    _remoteRtp = remote.Serialize();
                    _remoteRtcp = new IPEndPoint(remote.Address, remote.Port + 1).Serialize();
                    _latched = false;
                }
            }
        }
    }

    /// <summary>Starts the receive loops, the RTCP timer and pacing of the receive side by <paramref name="clock"/>.</summary>
    public void Start(MediaClock clock)
    {
        _rtpLoop = Task.Run(() => RtpLoopAsync(_stop.Token));
        _rtcpLoop = Task.Run(() => RtcpLoopAsync(_stop.Token));
        _rtcpTimer = _time.CreateTimer(static s => ((RtpMediaSession)s!).SendRtcpReport(), this, _settings.RtcpInterval, _settings.RtcpInterval);
        _clockRegistration = clock.Register(this);
    }

    public void SendPcm(ReadOnlySpan<short> pcm20Ms)
    {
        lock (_sendGate)
        {
            if (_sender is null || _remoteRtp is null || !CanSend)
            {
                return;
            }

            if (_sendingDigits)
            {
                // RFC 4733 §2.5.1.1: audio of the event's duration is not sent alongside it.
                _sender.SkipFrame();
                return;
            }

            var n = _sender.WritePcm(pcm20Ms, _sendBuffer);
            SendRtpLocked(n);
        }
    }

    public void SendEncoded(ReadOnlySpan<byte> payload)
    {
        lock (_sendGate)
        {
            if (_sender is null || _remoteRtp is null || !CanSend || _sendingDigits)
            {
                _sender?.SkipFrame();
                return;
            }

            SendRtpLocked(_sender.WriteEncoded(payload, _sendBuffer));
        }
    }

    public async ValueTask SendDigitsAsync(string digits, CancellationToken cancellationToken)
    {
        if (_negotiation?.TelephoneEventPayloadType is not { } pt)
        {
            throw new InvalidOperationException("the far end did not negotiate telephone-event (RFC 4733); digits cannot be sent in-band");
        }

        var packets = DtmfSender.Build(digits);
        var start = _time.GetTimestamp();
        uint baseTs;
        lock (_sendGate)
        {
            baseTs = _sender!.Timestamp;
            _sendingDigits = true;
        }

        try
        {
            var payload = new byte[TelephoneEvent.Length];
            foreach (var p in packets)
            {
                var wait = TimeSpan.FromMilliseconds(p.SendAtMs) - _time.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }

                p.Event.Write(payload);
                lock (_sendGate)
                {
                    if (_sender is not null && _remoteRtp is not null)
                    {
                        SendRtpLocked(_sender.WriteOther((byte)pt, p.Marker, baseTs + p.TimestampOffset, payload, _sendBuffer));
                    }
                }
            }
        }
        finally
        {
            _sendingDigits = false;
        }
    }

    /// <summary>A digit from a SIP INFO application/dtmf-relay body.</summary>
    internal void OnInfoDigit(char digit) => DigitReceived?.Invoke(digit);

    private bool CanSend => _negotiation?.LocalDirection is SdpDirection.SendRecv or SdpDirection.SendOnly;

    private void SendRtpLocked(int length)
    {
        if (length <= 0)
        {
            return;
        }

        try
        {
            _rtp.SendTo(_sendBuffer.AsSpan(0, length), SocketFlags.None, _remoteRtp!);
        }
        catch (SocketException)
        {
            PacketsDropped++;
        }
        catch (ObjectDisposedException)
        {
        }
    }

    void IMediaClockSubscriber.OnTick(in MediaClockTick tick)
    {
        _dtmf.Poll();
        SipFrameKind kind;
        lock (_receiveGate)
        {
            if (_receiver is null || !_mediaStarted)
            {
                return;
            }

            kind = _receiver.Pop(_popFrame);
        }

        PcmReceived?.Invoke(_popFrame, kind, _frameIndex++);
    }

    private async Task RtpLoopAsync(CancellationToken ct)
    {
        var buffer = GC.AllocateArray<byte>(ReceiveBufferBytes, pinned: true);
        var from = new SocketAddress(_rtp.AddressFamily);
        while (!ct.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await _rtp.ReceiveFromAsync(buffer, SocketFlags.None, from, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            OnRtp(buffer.AsSpan(0, n), from);
        }
    }

    private void OnRtp(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (!RtpPacket.TryRead(datagram, out var header, out var payload) || _negotiation is not { } neg)
        {
            PacketsDropped++;
            return;
        }

        PacketsReceived++;
        if (_settings.SymmetricRtp && !_latched)
        {
            // Symmetric RTP (RFC 4961): answer to where the media really comes from.
            lock (_sendGate)
            {
                var ep = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(from);
                RemoteEndPoint = ep;
                _remoteRtp = ep.Serialize();
                _latched = true;
            }
        }

        if (neg.TelephoneEventPayloadType is { } te && header.PayloadType == te)
        {
            _dtmf.OnPacket(header.Ssrc, header.Timestamp, payload);
            return;
        }

        if (header.PayloadType != neg.Codec.PayloadType)
        {
            // Comfort noise and anything not negotiated is dropped and counted.
            PacketsDropped++;
            return;
        }

        EncodedReceived?.Invoke(payload, header.SequenceNumber, header.Timestamp);
        lock (_receiveGate)
        {
            if (_stats is null || _stats.Ssrc != header.Ssrc)
            {
                // RFC 3550 §8.2: a new SSRC is a new source; the jitter buffer restarts with it.
                _stats = new RtpSourceStatistics(header.Ssrc, header.SequenceNumber);
                _receiver?.Reset();
            }

            _stats.UpdateSequence(header.SequenceNumber);
            var clock = SipAudioCodecs.ClockRate(Codec);
            _stats.UpdateJitter(header.Timestamp, _time.GetTimestamp() * clock / _time.TimestampFrequency);
            _receiver?.Push(header.SequenceNumber, header.Timestamp, payload);
            _mediaStarted = true;
        }
    }

    private async Task RtcpLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[ReceiveBufferBytes];
        var from = new SocketAddress(_rtcp.AddressFamily);
        while (!ct.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await _rtcp.ReceiveFromAsync(buffer, SocketFlags.None, from, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            if (!Rtcp.TryRead(buffer.AsSpan(0, n), out var compound))
            {
                PacketsDropped++;
                continue;
            }

            RtcpReceived++;
            if (_settings.SymmetricRtp)
            {
                _remoteRtcp = from;
            }

            if (compound!.SenderInfo is { } sr)
            {
                lock (_receiveGate)
                {
                    _reports.OnSenderReport(sr);
                }
            }
        }
    }

    /// <summary>RFC 3550 §6.4: an SR when we sent since the last report, else an RR; always with SDES CNAME (§6.1).</summary>
    private void SendRtcpReport()
    {
        var target = _remoteRtcp;
        if (target is null)
        {
            return;
        }

        Span<byte> packet = stackalloc byte[256];
        RtcpReportBlock? block = null;
        lock (_receiveGate)
        {
            if (_stats is not null)
            {
                block = _reports.CreateBlock(_stats);
            }
        }

        RtcpSenderInfo? sender = null;
        lock (_sendGate)
        {
            if (_sender is { PacketsSent: > 0 } s)
            {
                sender = new RtcpSenderInfo(NtpNow(), s.Timestamp, s.PacketsSent, s.OctetsSent);
            }
        }

        ReadOnlySpan<RtcpReportBlock> blocks = block is { } b ? [b] : [];
        var n = Rtcp.WriteReport(packet, _ssrc, sender, blocks);
        n += Rtcp.WriteSdesCname(packet[n..], _ssrc, _cname);
        try
        {
            _rtcp.SendTo(packet[..n], SocketFlags.None, target);
            RtcpSent++;
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private ulong NtpNow()
    {
        // RFC 3550 §4: NTP format, seconds since 1900 in the high 32 bits.
        var now = _time.GetUtcNow();
        var seconds = (ulong)(now.ToUnixTimeMilliseconds() / 1000) + 2_208_988_800UL;
        var fraction = (ulong)(now.ToUnixTimeMilliseconds() % 1000 * 4_294_967_296L / 1000);
        return (seconds << 32) | fraction;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _clockRegistration?.Dispose();
        if (_rtcpTimer is not null)
        {
            await _rtcpTimer.DisposeAsync().ConfigureAwait(false);
        }

        if (_remoteRtcp is not null)
        {
            try
            {
                var bye = new byte[8];
                Rtcp.WriteBye(bye, _ssrc);
                _rtcp.SendTo(bye, SocketFlags.None, _remoteRtcp);
            }
            catch (SocketException)
            {
            }
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _rtp.Dispose();
        _rtcp.Dispose();
        foreach (var t in new[] { _rtpLoop, _rtcpLoop })
        {
            if (t is not null)
            {
                await t.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        lock (_receiveGate)
        {
            lock (_sendGate)
            {
                _receiver?.Dispose();
                _sender?.Dispose();
                _receiver = null;
                _sender = null;
            }
        }

        _stop.Dispose();
    }
}
