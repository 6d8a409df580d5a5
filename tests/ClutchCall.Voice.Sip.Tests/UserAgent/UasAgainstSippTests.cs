using ClutchCall.Voice.Media;
using ClutchCall.Voice.Sip.Tests.Interop;
using ClutchCall.Voice.Sip.UserAgent;
using ClutchCall.Voice.TestSupport.Sipp;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>Our UAS taking a call from a real sipp UAC that plays G.711 A-law audio and RFC 2833 digits.</summary>
public sealed class UasAgainstSippTests
{
    [Fact]
    public async Task IncomingCall_SippPlaysPcmaRfc2833AndInfoDigits_AudioDecodedDigitsOnceEach_ByeFromSipp()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ua = TestAgents.Create([TestAgents.Trunk(5060)]);
        var received = new List<short>();
        var digits = new List<char>();
        SipCall? incoming = null;
        var rang = new TaskCompletionSource();
        ua.IncomingCall += call =>
        {
            incoming = call;
            _ = Task.Run(async () =>
            {
                // Ring a little, as a handset would, then answer.
                await Task.Delay(200, ct);
                await call.AcceptAsync();
                call.Media!.PcmReceived += (pcm, _, _) =>
                {
                    lock (received)
                    {
                        received.AddRange(pcm.ToArray());
                    }
                };
                call.Media.DigitReceived += d =>
                {
                    lock (digits)
                    {
                        digits.Add(d);
                    }
                };
                rang.TrySetResult();
            }, ct);
        };

        var scenario = SippScenarios.Write(SippScenarios.UacPlayingPcaps("12#", 7300));
        using var sipp = SippProcess.Start($"127.0.0.1:{ua.Port} -sf {scenario} -s +14155550100 -i 127.0.0.1 -p {SippProcess.FreeUdpPort()} -mi 127.0.0.1 -mp {SippProcess.FreeUdpPort()} -m 1");
        var rc = await sipp.WaitAsync(TimeSpan.FromSeconds(30), ct);
        var media = incoming?.MediaSession;
        var diag = $"rtp in {media?.PacketsReceived} dropped {media?.PacketsDropped}, jitter {media?.JitterSummary}, end {incoming?.EndInfo}";
        TestContext.Current.TestOutputHelper?.WriteLine(diag);

        Assert.True(rc == 0, $"sipp exit {rc}: {sipp.Errors}");
        var end = await incoming!.Completion.WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.Equal(SipCallOutcome.Completed, end.Outcome);
        Assert.True(end.ByRemote);
        Assert.Equal("+14155550199", incoming.RemoteParty);
        Assert.Equal("+14155550100", incoming.LocalParty);
        Assert.Equal(AudioCodec.G711Alaw, incoming.MediaSession!.Codec);
        short[] got;
        lock (received)
        {
            got = [.. received];
        }

        // The sample recording is about 7 s of speech: most of it must arrive decoded and non-silent.
        Assert.True(got.Length >= 8000 * 5, $"only {got.Length / 8000.0:0.0} s of audio received; {diag}");
        Assert.True(SpeechSignal.Rms(got) > 200, $"received audio is silent (rms {SpeechSignal.Rms(got):0})");
        lock (digits)
        {
            Assert.Equal("12#9", new string([.. digits]));
        }
    }

    [Fact]
    public async Task IncomingCall_SippSessionTimerUpdateRefreshAndSendonlyReInvite_AnsweredPerRfc4028And3264()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ua = TestAgents.Create([TestAgents.Trunk(5060)]);
        SipCall? incoming = null;
        var holds = new List<bool>();
        ua.IncomingCall += call =>
        {
            incoming = call;
            call.HoldChanged += (_, hold) => holds.Add(hold);
            _ = call.AcceptAsync().AsTask();
        };

        using var sipp = SippProcess.Start($"127.0.0.1:{ua.Port} -sf {SippScenarios.Write(SippScenarios.UacSessionTimerUpdateAndHold())} -s +14155550100 -i 127.0.0.1 -p {SippProcess.FreeUdpPort()} -mi 127.0.0.1 -mp {SippProcess.FreeUdpPort()} -m 1");
        var rc = await sipp.WaitAsync(TimeSpan.FromSeconds(20), ct);

        Assert.True(rc == 0, $"sipp exit {rc}: {sipp.Errors}");
        Assert.Equal(TimeSpan.FromSeconds(90), incoming!.SessionInterval);
        Assert.Equal([true], holds);
        var end = await incoming.Completion.WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.Equal(SipCallOutcome.Completed, end.Outcome);
    }
}
