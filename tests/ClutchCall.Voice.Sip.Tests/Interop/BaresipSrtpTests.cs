using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClutchCall.Voice.Sip.Tests.UserAgent;
using ClutchCall.Voice.Sip.UserAgent;
using ClutchCall.Voice.TestSupport;
using ClutchCall.Voice.TestSupport.Sipp;

namespace ClutchCall.Voice.Sip.Tests.Interop;

/// <summary>
/// SDES-SRTP (RFC 4568, RFC 3711) against a third-party peer: our user agent calls baresip (Debian baresip, module
/// srtp) directly, baresip talks a recording from its aufile source and dumps what it decodes with sndfile. Audio
/// must match both ways while our receive context authenticates every packet baresip sent (plain RTP would fail
/// the HMAC) and baresip decodes our speech (so it decrypted it).
/// </summary>
public sealed class BaresipSrtpTests
{
    [Fact]
    public async Task Call_SrtpOptionalOverUdpToBaresipBestEffortSrtp_AudioBothWaysEncrypted()
    {
        // Over UDP our trunk may only say "optional" (SipTrunkOptions.Validate keeps "required" for TLS): RTP/AVP with
        // a=crypto lines, which baresip's best-effort mode (mediaenc=srtp) accepts and answers with its own key.
        var ct = TestContext.Current.CancellationToken;
        var mic = BaresipAudio.Sox(TestData.Require("speech/librivox-0870.wav"), 8000, "trim 0 6");
        var port = SippProcess.FreeUdpPort();
        using var baresip = Baresip.Start(
            $"<sip:handset@127.0.0.1:{port}>;regint=0;answermode=auto;audio_codecs=PCMA;mediaenc=srtp",
            mic,
            10,
            ["srtp.so"],
            string.Empty,
            port);
        Assert.True(await baresip.WaitForOutputAsync("baresip is ready", TimeSpan.FromSeconds(10), ct), "baresip did not start: " + baresip.Log);
        var trunk = new SipTrunkOptions
        {
            Id = "baresip",
            Host = "127.0.0.1",
            Port = port,
            Codecs = "PCMA",
            Srtp = "optional",
            KeepAliveSeconds = 0,
            DefaultCallerId = "+14155550100",
        };
        await using var ua = TestAgents.Create([trunk], pcmRate: 16000);

        await TalkBothWaysAsync(ua, baresip, mic, ct);
    }

    [Fact]
    public async Task Call_SrtpRequiredOverTlsToBaresipMandatorySrtp_AudioBothWaysEncrypted()
    {
        // Required SRTP keeps the SDES keys off the wire in clear (RFC 4568 §8.3): SIP over TLS to baresip's TLS
        // listener (its sip_listen port + 1) with its self-signed certificate pinned, RTP/SAVP offered, and baresip
        // with mediaenc=srtp-mand, which accepts nothing but RTP/SAVP.
        var ct = TestContext.Current.CancellationToken;
        var mic = BaresipAudio.Sox(TestData.Require("speech/librivox-0870.wav"), 8000, "trim 0 6");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=handset.test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("handset.test");
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var pem = Path.Combine(Directory.CreateTempSubdirectory("baresip-tls-").FullName, "handset.pem");
        await File.WriteAllTextAsync(pem, key.ExportPkcs8PrivateKeyPem() + "\n" + cert.ExportCertificatePem() + "\n", ct);
        var port = FreeUdpAndNextTcpPort();
        using var baresip = Baresip.Start(
            $"<sip:handset@127.0.0.1:{port + 1};transport=tls>;regint=0;answermode=auto;audio_codecs=PCMA;mediaenc=srtp-mand",
            mic,
            10,
            ["srtp.so"],
            $"sip_certificate\t\t{pem}",
            port);
        Assert.True(await baresip.WaitForOutputAsync("baresip is ready", TimeSpan.FromSeconds(10), ct), "baresip did not start: " + baresip.Log);
        var trunk = new SipTrunkOptions
        {
            Id = "baresip",
            Host = "127.0.0.1",
            Port = port + 1,
            Transport = "tls",
            TlsServerName = "handset.test",
            TlsCertificateThumbprint = cert.GetCertHashString(HashAlgorithmName.SHA256),
            Codecs = "PCMA",
            Srtp = "required",
            KeepAliveSeconds = 0,
            DefaultCallerId = "+14155550100",
        };
        await using var ua = TestAgents.Start(
            TestAgents.Loopback(pcmRate: 16000) with { TlsPort = 0, DefaultRingTimeout = TimeSpan.FromSeconds(30) },
            [trunk],
            TimeProvider.System);

        await TalkBothWaysAsync(ua, baresip, mic, ct);
    }

    /// <summary>A port free for UDP and TCP whose next port is free for TCP (baresip's TLS listener).</summary>
    private static int FreeUdpAndNextTcpPort()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = SippProcess.FreeUdpPort();
            if (port >= 65535)
            {
                continue;
            }

            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                using var tls = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tls.Bind(new IPEndPoint(IPAddress.Loopback, port + 1));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no free port pair");
    }

    private static async Task TalkBothWaysAsync(SipUserAgent ua, Baresip baresip, string mic, CancellationToken ct)
    {
        var listening = BaresipAudio.PlaceListeningCall(ua, "baresip", "handset");
        var call = listening.Call;
        var done = await Task.WhenAny(listening.Answered, call.Completion).WaitAsync(TimeSpan.FromSeconds(15), ct);
        Assert.True(done == listening.Answered, (call.Completion.IsCompleted ? (await call.Completion).Reason : "not answered") + "\n" + baresip.Log);
        var media = call.MediaSession!;
        Assert.True(media.IsSrtp, "the call negotiated SDES keys with baresip");

        await BaresipAudio.SpeakJfkAsync(call, ct);
        var counters = media.SrtpReceiveCounters!;
        var unprotected = Interlocked.Read(ref counters.Unprotected);
        var authFailures = Interlocked.Read(ref counters.AuthenticationFailures);
        var sent = media.PacketsSent;
        await call.HangupAsync(ct);
        Assert.Equal(SipCallOutcome.Completed, (await call.Completion).Outcome);
        await baresip.WaitForExitAsync(TimeSpan.FromSeconds(20), ct);

        // baresip's packets all passed our HMAC-SHA1 check: they were SRTP under the key it answered with.
        TestContext.Current.TestOutputHelper?.WriteLine($"SRTP from baresip: {unprotected} packets authenticated and decrypted, {authFailures} failed; we sent {sent}");
        Assert.True(unprotected >= 100, $"only {unprotected} SRTP packets from baresip were unprotected ({authFailures} failed authentication)\n{baresip.Log}");
        Assert.Equal(0, authFailures);

        // What we heard passed our SRTP check; baresip decoding our speech shows it decrypted our SRTP (ciphertext
        // played as G.711 would be noise).
        BaresipAudio.AssertSpeechBothWays(listening.Heard(), mic, baresip, maxLagUs: 16000);
    }
}
