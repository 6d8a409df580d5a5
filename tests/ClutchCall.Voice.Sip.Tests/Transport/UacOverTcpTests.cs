using System.Net;
using System.Net.Sockets;
using ClutchCall.Voice.Sip.Tests.Interop;
using ClutchCall.Voice.Sip.Tests.UserAgent;
using ClutchCall.Voice.Sip.Transport;
using ClutchCall.Voice.Sip.UserAgent;
using ClutchCall.Voice.TestSupport.Sipp;

namespace ClutchCall.Voice.Sip.Tests.Transport;

/// <summary>Our UAC over TCP (RFC 3261 §18) against a real sipp UAS started with <c>-t t1</c>.</summary>
public sealed class UacOverTcpTests
{
    internal static int FreeTcpPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fact]
    public async Task PlaceCall_TcpTrunkToSipp_AudioEchoedAndByeOverOneConnection()
    {
        var ct = TestContext.Current.CancellationToken;
        var speech = SpeechSignal.Jfk16k(1.5);
        var sippPort = FreeTcpPort();
        var scenario = SippScenarios.Write(SippScenarios.Answer(8, "PCMA"));
        using var sipp = SippProcess.Start($"-sf {scenario} -t t1 -i 127.0.0.1 -p {sippPort} -mi 127.0.0.1 -mp {SippProcess.FreeUdpPort()} -rtp_echo -m 1");
        var trunk = TestAgents.Trunk(sippPort, "PCMA");
        trunk.Transport = "tcp";
        await using var ua = TestAgents.Create([trunk], pcmRate: 16000);

        // sipp needs a moment to listen; the first INVITE is retried by a fresh call if it was refused.
        SipCall call = null!;
        var answered = new TaskCompletionSource();
        var received = new List<short>();
        for (var attempt = 0; attempt < 20 && !answered.Task.IsCompleted; attempt++)
        {
            await Task.Delay(250, ct);
            call = ua.PlaceCall("t1", new SipCallRequest { To = "+14155550123" });
            var c = call;
            call.Answered += _ =>
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
            var done = await Task.WhenAny(answered.Task, call.Completion);
            if (done != answered.Task)
            {
                Assert.Contains("TCP connection", (await call.Completion).Reason, StringComparison.Ordinal);
            }
        }

        await answered.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        await ClockPacedSpeech.SendAsync(call.Media!, speech, ct);

        await Task.Delay(500, ct);
        var tcp = (SipTcpTransport)ua.Signalling.Get(SipTransportKind.Tcp)!;
        await call.HangupAsync(ct);
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(SipCallOutcome.Completed, end.Outcome);
        Assert.Equal(0, await sipp.WaitAsync(TimeSpan.FromSeconds(10), ct));

        // INVITE, ACK and BYE (and every response) travelled over TCP; nothing arrived over UDP.
        Assert.True(tcp.Counters.Received >= 3, $"TCP received {tcp.Counters.Received}");
        Assert.Equal(0, ua.Counters.Received);
        Assert.Equal(0, tcp.Counters.Malformed);
        short[] got;
        lock (received)
        {
            got = [.. received];
        }

        Assert.True(SpeechSignal.Rms(got) > 300, $"echoed audio is silent (rms {SpeechSignal.Rms(got):0})");
        // This test is about signalling over TCP; the audio check only proves the echo is our speech (the
        // RTP leg is the same as over UDP, where UacAgainstSippTests checks content strictly). Playout
        // underruns on a loaded CI machine insert concealment that lowers both figures, so the bounds
        // sit well above chance (unrelated speech correlates below 0.1) rather than near a quiet run's 1.0.
        var (peak, lag) = SpeechSignal.CrossCorrelate(speech, got, 16000);
        var windowed = SpeechSignal.WindowedCorrelation(speech, got, lag, 3200, 1600);
        Assert.True(windowed > 0.6, $"echo windowed correlation {windowed:0.000} (global {peak:0.000})");
        Assert.True(peak > 0.25, $"echo correlation {peak:0.000}");
    }
}
