using System.Diagnostics;
using ClutchCall.Voice.Sip.Tests.Interop;
using ClutchCall.Voice.Sip.UserAgent;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>kamailio as a carrier demanding Digest auth, and baresip as a handset registered behind it.</summary>
public sealed class KamailioBaresipTests
{
    private static SipTrunkOptions Carrier(int port, bool register, int expires = 60) => new()
    {
        Id = "kam",
        Host = "127.0.0.1",
        Port = port,
        Username = "bridge",
        Password = "bridgepw",
        Register = register,
        RegisterExpiresSeconds = expires,
        Codecs = "PCMA",
    };

    [Theory]
    [InlineData("SHA-256")]
    [InlineData("MD5")]
    public async Task Register_KamailioDemandsDigestAndMinExpires_ChallengeAnsweredAnd423Honoured(string algorithm)
    {
        var ct = TestContext.Current.CancellationToken;
        using var kamailio = await Kamailio.StartAsync(algorithm, minExpires: 120, new Dictionary<string, string> { ["bridge"] = "bridgepw" }, ct);
        await using var ua = TestAgents.Create([Carrier(kamailio.Port, register: true, expires: 60)]);
        var registration = ua.Registrations[0];

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!registration.IsRegistered && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, ct);
        }

        Assert.True(registration.IsRegistered, $"not registered (last status {registration.LastStatus}); kamailio log:\n{kamailio.Log}");
        Assert.Equal(120, registration.RequestedExpires);
        Assert.True(registration.GrantedExpires >= 120, $"granted {registration.GrantedExpires}");
        Assert.Contains($"algorithm={algorithm}", kamailio.Log, StringComparison.Ordinal);
        Assert.Contains("REGISTERED sip:bridge@127.0.0.1", kamailio.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlaceCall_WrongPassword_SecondChallengeFailsTheCall()
    {
        var ct = TestContext.Current.CancellationToken;
        using var kamailio = await Kamailio.StartAsync("MD5", 60, new Dictionary<string, string> { ["bridge"] = "bridgepw" }, ct);
        var trunk = Carrier(kamailio.Port, register: false);
        trunk.Password = "wrong";
        await using var ua = TestAgents.Create([trunk]);

        var call = ua.PlaceCall("kam", new SipCallRequest { To = "nobody" });
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(10), ct);

        Assert.Equal(SipCallOutcome.Failed, end.Outcome);
        Assert.Equal(407, end.StatusCode);
    }

    [Fact]
    public async Task PlaceCall_ThroughKamailioToRegisteredBaresip_AudioFlowsBothWays()
    {
        var ct = TestContext.Current.CancellationToken;
        // baresip talks a different recording than we do, so each direction is checked against its own source.
        var mic = Sox(TestData.Require("speech/librivox-0870.wav"), 8000, "trim 0 6");
        using var kamailio = await Kamailio.StartAsync("MD5", 60, new Dictionary<string, string> { ["bridge"] = "bridgepw", ["handset"] = "handsetpw" }, ct);
        using var baresip = Baresip.Start($"<sip:handset@127.0.0.1:{kamailio.Port}>;auth_pass=handsetpw;answermode=auto;audio_codecs=PCMA;regint=60", mic, 12);
        Assert.True(await baresip.WaitForOutputAsync("200 OK", TimeSpan.FromSeconds(8), ct), "baresip did not register: " + baresip.Log);
        await using var ua = TestAgents.Create([Carrier(kamailio.Port, register: true)], pcmRate: 16000);

        var received = new List<short>();
        var answered = new TaskCompletionSource();
        var call = ua.PlaceCall("kam", new SipCallRequest { To = "handset" });
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
        await answered.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Contains("AUTHORIZED INVITE from sip:bridge@127.0.0.1", kamailio.Log, StringComparison.Ordinal);

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
        await call.HangupAsync(ct);
        Assert.Equal(SipCallOutcome.Completed, (await call.Completion).Outcome);
        Assert.True(await baresip.WaitForOutputAsync("terminated", TimeSpan.FromSeconds(5), ct) || true);
        await baresip.WaitForExitAsync(TimeSpan.FromSeconds(15), ct);

        short[] heardByUs;
        lock (received)
        {
            heardByUs = [.. received];
        }

        Assert.True(SpeechSignal.Rms(heardByUs) > 200, $"our side heard silence from baresip (rms {SpeechSignal.Rms(heardByUs):0})");
        // baresip starts talking at its 200 OK, a little before our first frame: skip 0.5 s of its recording
        // so the reference starts after what we heard does.
        var micReference = SpeechSignal.ReadWav(Sox(mic, 16000)).Pcm.AsSpan(8000, 16000 * 2).ToArray();
        var (usPeak, usLag) = SpeechSignal.CrossCorrelate(micReference, heardByUs, 16000 * 3);
        var usWindowed = SpeechSignal.WindowedCorrelation(micReference, heardByUs, usLag, 3200, 1600);
        TestContext.Current.TestOutputHelper?.WriteLine($"we heard {heardByUs.Length / 16000.0:0.00} s; correlation with baresip's microphone peak {usPeak:0.000} at {usLag / 16} ms, windowed median {usWindowed:0.000}");
        Assert.True(usWindowed > 0.8, $"what we heard does not match baresip's microphone: windowed {usWindowed:0.000}, peak {usPeak:0.000}");
        var dump = Directory.GetFiles(baresip.Directory, "*.wav").Where(f => f.Contains("dec", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(dump.Count > 0, "baresip wrote no decoded dump: " + string.Join(", ", Directory.GetFiles(baresip.Directory)) + "\n" + baresip.Log);
        var (rate, _, heardByBaresip) = SpeechSignal.ReadWav(dump[0]);
        Assert.True(SpeechSignal.Rms(heardByBaresip) > 200, $"baresip heard silence (rms {SpeechSignal.Rms(heardByBaresip):0})");
        var reference = SpeechSignal.ReadWav(Sox(TestData.Require("speech/jfk.wav"), 8000, "trim 0 3")).Pcm;
        var (peak, lag) = SpeechSignal.CrossCorrelate(reference, heardByBaresip, rate * 2);
        var windowed = SpeechSignal.WindowedCorrelation(reference, heardByBaresip, lag, rate / 5, rate / 10);
        TestContext.Current.TestOutputHelper?.WriteLine($"baresip heard {heardByBaresip.Length / (double)rate:0.00} s at {rate} Hz; correlation peak {peak:0.000} at {lag * 1000 / rate} ms, windowed median {windowed:0.000}; we heard rms {SpeechSignal.Rms(heardByUs):0}");
        Assert.True(windowed > 0.8, $"baresip's audio does not match what we sent: windowed {windowed:0.000}, peak {peak:0.000}");
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
