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
        var mic = BaresipAudio.Sox(TestData.Require("speech/librivox-0870.wav"), 8000, "trim 0 6");
        using var kamailio = await Kamailio.StartAsync("MD5", 60, new Dictionary<string, string> { ["bridge"] = "bridgepw", ["handset"] = "handsetpw" }, ct);
        using var baresip = Baresip.Start($"<sip:handset@127.0.0.1:{kamailio.Port}>;auth_pass=handsetpw;answermode=auto;audio_codecs=PCMA;regint=60", mic, 12);
        Assert.True(await baresip.WaitForOutputAsync("200 OK", TimeSpan.FromSeconds(8), ct), "baresip did not register: " + baresip.Log);
        await using var ua = TestAgents.Create([Carrier(kamailio.Port, register: true)], pcmRate: 16000);

        var listening = BaresipAudio.PlaceListeningCall(ua, "kam", "handset");
        var call = listening.Call;
        await listening.Answered.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Contains("AUTHORIZED INVITE from sip:bridge@127.0.0.1", kamailio.Log, StringComparison.Ordinal);

        await BaresipAudio.SpeakJfkAsync(call, ct);
        await call.HangupAsync(ct);
        Assert.Equal(SipCallOutcome.Completed, (await call.Completion).Outcome);
        Assert.True(await baresip.WaitForOutputAsync("terminated", TimeSpan.FromSeconds(5), ct) || true);
        await baresip.WaitForExitAsync(TimeSpan.FromSeconds(15), ct);

        BaresipAudio.AssertSpeechBothWays(listening.Heard(), mic, baresip, maxLagUs: 16000 * 3);
    }
}
