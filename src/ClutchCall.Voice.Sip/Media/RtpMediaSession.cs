using System.Net;
using System.Net.Sockets;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Sip.Dtmf;
using ClutchCall.Voice.Sip.Rtp;
using ClutchCall.Voice.Sip.Sdp;
using ClutchCall.Voice.Sip.Srtp;

namespace ClutchCall.Voice.Sip.Media;

/// <summary>
/// The RTP leg of one call: a bound RTP/RTCP port pair, symmetric RTP latching, the receive path into the
/// jitter buffer (popped once per media-clock tick), the send path (one packet per <see cref="SendPcm"/>),
/// RFC 4733 DTMF both ways and RTCP SR/RR every <see cref="SipMediaSettings.RtcpInterval"/>. When the
/// negotiation carries SDES keys, every packet is protected/unprotected in place (RFC 3711) and failures are dropped and counted.
/// </summary>
internal sealed class RtpMediaSession : ISipCallMedia, IMediaClockSubscriber, IAsyncDisposable
{
    private const int ReceiveBufferBytes = 2048;
    private const int SrtpSpare = 32;

    private readonly Socket _rtp;
    private readonly Socket _rtcp;
    private readonly TimeProvider _time;
    private readonly SipMediaSettings _settings;
    private readonly Lock _receiveGate = new();
    private readonly Lock _sendGate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _sendBuffer = new byte[RtpAudioSender.MaxPacketBytes + SrtpSpare];
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
    private SdesKeys? _srtpKeys;
    private SrtpSession? _srtp;
    private long _srtpDropped;

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

    /// <summary>True when media is SRTP (SDES keys were negotiated).</summary>
    public bool IsSrtp => Volatile.Read(ref _srtp) is not null;

    /// <summary>Incoming SRTP/SRTCP packets dropped because they failed authentication, replay or format checks.</summary>
    public long SrtpDropped => Interlocked.Read(ref _srtpDropped);

    /// <summary>The SDES keys in use (null for plain RTP).</summary>
    internal SdesKeys? SrtpKeys => _srtpKeys;

    /// <summary>Counters of the context that unprotects incoming SRTP (null for plain RTP).</summary>
    internal SrtpCounters? SrtpReceiveCounters => Volatile.Read(ref _srtp)?.ReceiveRtp.Counters;

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

                ApplySrtpLocked(negotiation.Srtp);
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

    /// <summary>
    /// Sends RTP/RTCP to <paramref name="remote"/> instead of the negotiated address until the next re-latch
    /// (with symmetric RTP off it sticks): tests put a capturing relay in the media path this way.
    /// </summary>
    internal void Redirect(IPEndPoint remote)
    {
        lock (_sendGate)
        {
            RemoteEndPoint = remote;
            _remoteRtp = remote.Serialize();
            _remoteRtcp = new IPEndPoint(remote.Address, remote.Port + 1).Serialize();
            _latched = true;
        }
    }

    /// <summary>RFC 4568 §7.1.4: new keys (initial answer or a re-key by re-INVITE) replace the contexts; the same keys keep them.</summary>
    private void ApplySrtpLocked(SdesKeys? keys)
    {
        if (SameKeys(_srtpKeys, keys))
        {
            return;
        }

        var old = _srtp;
        _srtpKeys = keys;
        Volatile.Write(ref _srtp, keys is null ? null : new SrtpSession(keys));
        old?.Dispose();
    }

    private static bool SameKeys(SdesKeys? a, SdesKeys? b) =>
        a is null || b is null ? a is null && b is null : SameKey(a.Local, b.Local) && SameKey(a.Remote, b.Remote);

    private static bool SameKey(SdesCryptoAttribute a, SdesCryptoAttribute b) =>
        a.Suite == b.Suite && a.MasterKey.AsSpan().SequenceEqual(b.MasterKey) && a.MasterSalt.AsSpan().SequenceEqual(b.MasterSalt);

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

        if (_srtp is { } srtp)
        {
            // RFC 3711 §3.3: encrypt and authenticate in place; the buffer has room for the tag.
            if (!srtp.SendRtp.TryProtectRtp(_sendBuffer, length, out length))
            {
                PacketsDropped++;
                return;
            }
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

            if (Volatile.Read(ref _srtp) is not null && !TryUnprotect(buffer.AsSpan(0, n), rtcp: false, out n))
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

    /// <summary>RFC 3711 §3.3/§3.4: authenticates, checks replay and decrypts in place; a failure is dropped and counted.</summary>
    private bool TryUnprotect(Span<byte> packet, bool rtcp, out int length)
    {
        SrtpResult result;
        lock (_receiveGate)
        {
            if (_srtp is not { } srtp)
            {
                length = packet.Length;
                return true;
            }

            result = rtcp ? srtp.ReceiveRtcp.UnprotectRtcp(packet, out length) : srtp.ReceiveRtp.UnprotectRtp(packet, out length);
        }

        if (result != SrtpResult.Ok)
        {
            Interlocked.Increment(ref _srtpDropped);
            PacketsDropped++;
            return false;
        }

        return true;
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

            if (Volatile.Read(ref _srtp) is not null && !TryUnprotect(buffer.AsSpan(0, n), rtcp: true, out n))
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

        Span<byte> packet = stackalloc byte[320];
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
        if (!TryProtectRtcp(packet, ref n))
        {
            return;
        }

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

    /// <summary>RFC 3711 §3.4: SRTCP when keys were negotiated (E flag set, 31-bit index, tag appended).</summary>
    private bool TryProtectRtcp(Span<byte> packet, ref int length)
    {
        lock (_sendGate)
        {
            if (_srtp is not { } srtp)
            {
                return true;
            }

            return srtp.SendRtcp.TryProtectRtcp(packet, length, out length);
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
                var bye = new byte[8 + SrtpSpare];
                var n = Rtcp.WriteBye(bye, _ssrc);
                if (TryProtectRtcp(bye, ref n))
                {
                    _rtcp.SendTo(bye.AsSpan(0, n), SocketFlags.None, _remoteRtcp);
                }
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
                _srtp?.Dispose();
                _srtp = null;
            }
        }

        _stop.Dispose();
    }
}
