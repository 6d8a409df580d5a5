using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClutchCall.Voice.Sip.Media;
using ClutchCall.Voice.Sip.Tests.UserAgent;
using ClutchCall.Voice.Sip.UserAgent;
using ClutchCall.Voice.TestSupport;

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
        var mic = Sox(TestData.Require("speech/librivox-0870.wav"), 8000, "trim 0 6");
        var port = Sipp.FreeUdpPort();
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
        var mic = Sox(TestData.Require("speech/librivox-0870.wav"), 8000, "trim 0 6");
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
        var basePort = 20000 + (Random.Shared.Next(0, 399) * 100);
        await using var ua = new SipUserAgent(
            new SipUserAgentOptions
            {
                BindAddress = IPAddress.Loopback,
                SipPort = 0,
                TlsPort = 0,
                RtpPortMin = basePort,
                RtpPortMax = basePort + 99,
                Media = new SipMediaSettings { PcmSampleRate = 16000 },
                DefaultRingTimeout = TimeSpan.FromSeconds(30),
            },
            [trunk],
            TimeProvider.System);
        ua.Start();

        await TalkBothWaysAsync(ua, baresip, mic, ct);
    }

    /// <summary>A port free for UDP and TCP whose next port is free for TCP (baresip's TLS listener).</summary>
    private static int FreeUdpAndNextTcpPort()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = Sipp.FreeUdpPort();
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
        var received = new List<short>();
        var answered = new TaskCompletionSource();
        var call = ua.PlaceCall("baresip", new SipCallRequest { To = "handset" });
        call.Answered += c =>
        {
            c.Media!.PcmReceived += (pcm, _, _) =>
            {
                lock (received)
                {
                    received.AddRange(pcm.ToArray());
                }
            };
            answered.TrySetResult();
        };
        var done = await Task.WhenAny(answered.Task, call.Completion).WaitAsync(TimeSpan.FromSeconds(15), ct);
        Assert.True(done == answered.Task, (call.Completion.IsCompleted ? (await call.Completion).Reason : "not answered") + "\n" + baresip.Log);
        var media = call.MediaSession!;
        Assert.True(media.IsSrtp, "the call negotiated SDES keys with baresip");

        var speech = SpeechSignal.Jfk16k(3.0);
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20)))
        {
            for (var offset = 0; offset + 320 <= speech.Length; offset += 320)
            {
                call.Media!.SendPcm(speech.AsSpan(offset, 320));
                await timer.WaitForNextTickAsync(ct);
            }
        }

        await Task.Delay(500, ct);
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

        short[] heardByUs;
        lock (received)
        {
            heardByUs = [.. received];
        }

        Assert.True(SpeechSignal.Rms(heardByUs) > 200, $"our side heard silence from baresip (rms {SpeechSignal.Rms(heardByUs):0})");
        var micReference = SpeechSignal.ReadWav(Sox(mic, 16000)).Pcm.AsSpan(8000, 16000 * 2).ToArray();
        var (usPeak, usLag) = SpeechSignal.CrossCorrelate(micReference, heardByUs, 16000);
        var usWindowed = SpeechSignal.WindowedCorrelation(micReference, heardByUs, usLag, 3200, 1600);
        TestContext.Current.TestOutputHelper?.WriteLine($"we heard {heardByUs.Length / 16000.0:0.00} s; correlation with baresip's microphone peak {usPeak:0.000} at {usLag / 16} ms, windowed median {usWindowed:0.000}");
        Assert.True(usWindowed > 0.8, $"what we decrypted does not match baresip's microphone: windowed {usWindowed:0.000}, peak {usPeak:0.000}");

        // baresip decoded our speech: it decrypted our SRTP (ciphertext played as G.711 would be noise).
        var dump = Directory.GetFiles(baresip.Directory, "*.wav").Where(f => f.Contains("dec", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(dump.Count > 0, "baresip wrote no decoded dump: " + string.Join(", ", Directory.GetFiles(baresip.Directory)) + "\n" + baresip.Log);
        var (rate, _, heardByBaresip) = SpeechSignal.ReadWav(dump[0]);
        Assert.True(SpeechSignal.Rms(heardByBaresip) > 200, $"baresip heard silence (rms {SpeechSignal.Rms(heardByBaresip):0})");
        var reference = SpeechSignal.ReadWav(Sox(TestData.Require("speech/jfk.wav"), 8000, "trim 0 3")).Pcm;
        var (peak, lag) = SpeechSignal.CrossCorrelate(reference, heardByBaresip, rate * 2);
        var windowed = SpeechSignal.WindowedCorrelation(reference, heardByBaresip, lag, rate / 5, rate / 10);
        TestContext.Current.TestOutputHelper?.WriteLine($"baresip heard {heardByBaresip.Length / (double)rate:0.00} s; correlation peak {peak:0.000} at {lag * 1000 / rate} ms, windowed median {windowed:0.000}");
        Assert.True(windowed > 0.8, $"baresip's decrypted audio does not match what we sent: windowed {windowed:0.000}, peak {peak:0.000}");
    }

    /// <summary>Converts a WAV to mono PCM16 at <paramref name="rate"/> with sox (skips when sox is missing).</summary>
    private static string Sox(string input, int rate, string effects = "")
    {
        if (!File.Exists("/usr/bin/sox"))
        {
            Assert.Skip("SKIPPED: sox is not installed (apt-get install sox)");
        }

        var output = Path.Combine(Directory.CreateTempSubdirectory("sox-").FullName, "out.wav");
        using var p = Process.Start(new ProcessStartInfo("/usr/bin/sox", $"{input} -r {rate} -c 1 -b 16 {output} {effects}") { RedirectStandardError = true })!;
        p.WaitForExit(10_000);
        Assert.Equal(0, p.ExitCode);
        return output;
    }
}
