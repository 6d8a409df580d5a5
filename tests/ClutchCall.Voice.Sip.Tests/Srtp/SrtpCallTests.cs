using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClutchCall.Voice.Sip.Media;
using ClutchCall.Voice.Sip.Srtp;
using ClutchCall.Voice.Sip.Tests.Tls;
using ClutchCall.Voice.Sip.Tests.UserAgent;
using ClutchCall.Voice.Sip.UserAgent;

namespace ClutchCall.Voice.Sip.Tests.Srtp;

/// <summary>
/// SRTP with SDES keys (RFC 4568) on live calls between two of our user agents over TLS: audio both ways through a
/// capturing UDP relay (the wire carries ciphertext), a tampered packet dropped and counted, and required SRTP
/// against a plain peer failing with a clear 488.
/// </summary>
public sealed class SrtpCallTests
{
    private const int Rate = 8000;

    private static SipUserAgent Agent(IEnumerable<SipTrunkOptions> trunks, X509Certificate2? certificate, bool symmetricRtp = true)
    {
        var basePort = 30000 + (Random.Shared.Next(0, 300) * 20);
        var ua = new SipUserAgent(
            new SipUserAgentOptions
            {
                BindAddress = IPAddress.Loopback,
                SipPort = 0,
                TlsPort = 0,
                TlsCertificate = certificate,
                RtpPortMin = basePort,
                RtpPortMax = basePort + 19,
                Media = new SipMediaSettings { PcmSampleRate = Rate, SymmetricRtp = symmetricRtp },
                AcceptUnknownSources = true,
                DefaultRingTimeout = TimeSpan.FromSeconds(20),
            },
            trunks,
            TimeProvider.System);
        ua.Start();
        return ua;
    }

    private static SipTrunkOptions Trunk(int port, X509Certificate2 cert, string srtp, string id = "secure") => new()
    {
        Id = id,
        Host = "127.0.0.1",
        Port = port,
        Transport = "tls",
        TlsServerName = "sip.carrier.test",
        TlsCertificateThumbprint = cert.GetCertHashString(HashAlgorithmName.SHA256),
        Codecs = "PCMU",
        DefaultCallerId = "+14155550100",
        Srtp = srtp,
    };

    private static short[] Tone(double hz, int frame)
    {
        var pcm = new short[Rate / 50];
        for (var i = 0; i < pcm.Length; i++)
        {
            pcm[i] = (short)(8000 * Math.Sin(2 * Math.PI * hz * ((frame * pcm.Length) + i) / Rate));
        }

        return pcm;
    }

    /// <summary>Goertzel power of <paramref name="hz"/> relative to the signal's energy (1 for a pure tone).</summary>
    private static double ToneShare(short[] pcm, double hz)
    {
        var w = 2 * Math.PI * hz / Rate;
        double s1 = 0, s2 = 0, energy = 0;
        foreach (var x in pcm)
        {
            var s = x + (2 * Math.Cos(w) * s1) - s2;
            s2 = s1;
            s1 = s;
            energy += (double)x * x;
        }

        var power = (s1 * s1) + (s2 * s2) - (2 * Math.Cos(w) * s1 * s2);
        return energy == 0 ? 0 : power * 2 / pcm.Length / energy;
    }

    /// <summary>Forwards caller ↔ callee datagrams and keeps a copy of each (RTP only; RTCP goes direct).</summary>
    private sealed class Relay : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Relay(int callerPort, int calleePort)
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _loop = Task.Run(async () =>
            {
                var buffer = new byte[2048];
                var caller = new IPEndPoint(IPAddress.Loopback, callerPort);
                var callee = new IPEndPoint(IPAddress.Loopback, calleePort);
                while (!_stop.IsCancellationRequested)
                {
                    SocketReceiveFromResult r;
                    try
                    {
                        r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                    }
                    catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                    {
                        if (_stop.IsCancellationRequested)
                        {
                            return;
                        }

                        continue;
                    }

                    var fromCallee = ((IPEndPoint)r.RemoteEndPoint).Port == calleePort;
                    lock (Captured)
                    {
                        Captured.Add((fromCallee, buffer[..r.ReceivedBytes]));
                    }

                    await _socket.SendToAsync(buffer.AsMemory(0, r.ReceivedBytes), SocketFlags.None, fromCallee ? caller : callee);
                }
            });
        }

        public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

        public List<(bool FromCallee, byte[] Packet)> Captured { get; } = [];

        public void Dispose()
        {
            _stop.Cancel();
            _socket.Dispose();
            _loop.Wait(TimeSpan.FromSeconds(5));
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Call_SrtpRequired_AudioBothWaysEncryptedOnTheWireAndTamperingDropped()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cert = TestCertificates.SelfSigned();
        await using var callee = Agent([], cert);
        var inbound = new TaskCompletionSource<SipCall>();
        callee.IncomingCall += c => _ = Task.Run(async () =>
        {
            await c.AcceptAsync();
            inbound.TrySetResult(c);
        }, ct);
        await using var caller = Agent([Trunk(callee.Signalling.TlsEndPoint!.Port, cert, "required")], null, symmetricRtp: false);

        var call = caller.PlaceCall("secure", new SipCallRequest { To = "+14155550123" });
        var answered = new TaskCompletionSource();
        call.Answered += _ => answered.TrySetResult();
        var done = await Task.WhenAny(answered.Task, call.Completion).WaitAsync(TimeSpan.FromSeconds(15), ct);
        Assert.True(done == answered.Task, call.Completion.IsCompleted ? (await call.Completion).Reason : "not answered");
        var calleeCall = await inbound.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        var callerMedia = call.MediaSession!;
        var calleeMedia = calleeCall.MediaSession!;
        Assert.True(callerMedia.IsSrtp && calleeMedia.IsSrtp, "both legs negotiated SDES keys");

        // The caller's RTP goes through the relay; the callee latches to the relay (symmetric RTP) and answers there.
        using var relay = new Relay(callerMedia.LocalPort, calleeMedia.LocalPort);
        callerMedia.Redirect(new IPEndPoint(IPAddress.Loopback, relay.Port));

        var atCallee = new List<short[]>();
        var atCaller = new List<short[]>();
        calleeCall.Media!.PcmReceived += (pcm, kind, _) =>
        {
            lock (atCallee)
            {
                atCallee.Add(pcm.ToArray());
            }
        };
        call.Media!.PcmReceived += (pcm, kind, _) =>
        {
            lock (atCaller)
            {
                atCaller.Add(pcm.ToArray());
            }
        };

        for (var i = 0; i < 60; i++)
        {
            call.Media.SendPcm(Tone(1000, i));
            calleeCall.Media.SendPcm(Tone(600, i));
            await Task.Delay(20, ct);
        }

        await Task.Delay(300, ct);
        static bool Heard(List<short[]> frames, double hz)
        {
            lock (frames)
            {
                return frames.Count(f => SpeechSignal.Rms(f) > 2000 && ToneShare(f, hz) > 0.8) >= 20;
            }
        }

        Assert.True(Heard(atCallee, 1000), $"callee decoded the caller's 1 kHz tone ({atCallee.Count} frames)");
        Assert.True(Heard(atCaller, 600), $"caller decoded the callee's 600 Hz tone ({atCaller.Count} frames)");

        // On the wire: SRTP packets are the RTP packet plus a 10-byte tag, and the payload is not the plain G.711.
        List<(bool FromCallee, byte[] Packet)> wire;
        lock (relay.Captured)
        {
            wire = [.. relay.Captured];
        }

        Assert.Contains(wire, w => w.FromCallee);
        var keys = callerMedia.SrtpKeys!;
        using var decrypt = keys.Local.CreateContext();
        var checkedPackets = 0;
        foreach (var (fromCallee, packet) in wire.Where(w => !w.FromCallee))
        {
            Assert.Equal(12 + 160 + 10, packet.Length);
            var plain = packet.ToArray();
            Assert.Equal(SrtpResult.Ok, decrypt.UnprotectRtp(plain, out var plainLength));
            Assert.Equal(12 + 160, plainLength);
            Assert.False(packet.AsSpan(12, 160).SequenceEqual(plain.AsSpan(12, 160)), "payload on the wire is ciphertext");
            checkedPackets++;
        }

        Assert.True(checkedPackets >= 40, $"{checkedPackets} caller packets captured");

        // A tampered copy of a real packet (one payload bit flipped) and a plain G.711 packet are dropped and counted.
        var dropped = calleeMedia.SrtpDropped;
        var received = calleeMedia.PacketsReceived;
        var tampered = wire.Last(w => !w.FromCallee).Packet.ToArray();
        tampered[12 + 20] ^= 0x01;
        BitConverterSeq(tampered, 1000);
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var target = new IPEndPoint(IPAddress.Loopback, calleeMedia.LocalPort);
        await attacker.SendToAsync(tampered, SocketFlags.None, target, ct);
        var plainRtp = new byte[12 + 160];
        plainRtp[0] = 0x80;
        await attacker.SendToAsync(plainRtp, SocketFlags.None, target, ct);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (calleeMedia.SrtpDropped < dropped + 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, ct);
        }

        Assert.Equal(dropped + 2, calleeMedia.SrtpDropped);
        Assert.True(calleeMedia.SrtpReceiveCounters!.AuthenticationFailures >= 2);
        Assert.Equal(received, calleeMedia.PacketsReceived);
        Assert.Equal(relay.Port, calleeMedia.RemoteEndPoint!.Port); // no re-latch to the attacker

        await call.HangupAsync(ct);
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(SipCallOutcome.Completed, end.Outcome);
    }

    /// <summary>Moves the sequence number forward so the tampered copy is not a replay but fails authentication.</summary>
    private static void BitConverterSeq(byte[] packet, int add)
    {
        var seq = (ushort)((packet[2] << 8 | packet[3]) + add);
        packet[2] = (byte)(seq >> 8);
        packet[3] = (byte)seq;
    }

    [Fact]
    public async Task Call_SrtpRequiredToPlainOnlyPeer_Fails488()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cert = TestCertificates.SelfSigned();
        // The callee's trunk for 127.0.0.1 has SRTP off: it rejects the RTP/SAVP offer.
        await using var callee = Agent([Trunk(5061, cert, "off", "plain")], cert);
        var offered = false;
        callee.IncomingCall += _ => offered = true;
        await using var caller = Agent([Trunk(callee.Signalling.TlsEndPoint!.Port, cert, "required")], null);

        var call = caller.PlaceCall("secure", new SipCallRequest { To = "+14155550123" });
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(15), ct);

        Assert.Equal(SipCallOutcome.Failed, end.Outcome);
        Assert.Equal(488, end.StatusCode);
        Assert.False(offered);
    }

    [Fact]
    public async Task Inbound_SrtpRequiredTrunkPlainOffer_Rejected488WithReason()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cert = TestCertificates.SelfSigned();
        await using var callee = Agent([Trunk(5061, cert, "required", "secure-in")], cert);
        var offered = false;
        callee.IncomingCall += _ => offered = true;
        await using var caller = Agent([Trunk(callee.Signalling.TlsEndPoint!.Port, cert, "off")], null);

        var call = caller.PlaceCall("secure", new SipCallRequest { To = "+14155550123" });
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(15), ct);

        Assert.Equal(SipCallOutcome.Failed, end.Outcome);
        Assert.Equal(488, end.StatusCode);
        Assert.False(offered);
    }

    [Fact]
    public async Task Call_SrtpOptionalToPlainPeer_FallsBackToPlainRtp()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cert = TestCertificates.SelfSigned();
        await using var callee = Agent([Trunk(5061, cert, "off", "plain")], cert);
        var inbound = new TaskCompletionSource<SipCall>();
        callee.IncomingCall += c => _ = Task.Run(async () =>
        {
            await c.AcceptAsync();
            inbound.TrySetResult(c);
        }, ct);
        await using var caller = Agent([Trunk(callee.Signalling.TlsEndPoint!.Port, cert, "optional")], null);

        var call = caller.PlaceCall("secure", new SipCallRequest { To = "+14155550123" });
        var answered = new TaskCompletionSource();
        call.Answered += _ => answered.TrySetResult();
        var done = await Task.WhenAny(answered.Task, call.Completion).WaitAsync(TimeSpan.FromSeconds(15), ct);
        Assert.True(done == answered.Task, call.Completion.IsCompleted ? (await call.Completion).Reason : "not answered");
        var calleeCall = await inbound.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.False(call.MediaSession!.IsSrtp);
        Assert.False(calleeCall.MediaSession!.IsSrtp);
        await call.HangupAsync(ct);
        await call.Completion.WaitAsync(TimeSpan.FromSeconds(10), ct);
    }
}
