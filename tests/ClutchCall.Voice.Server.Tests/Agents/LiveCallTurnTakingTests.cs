using ClutchCall.Voice.Media;
using ClutchCall.Voice.Relay.Auth;
using ClutchCall.Voice.Server.Relay;
using ClutchCall.Voice.Server.Sip;
using ClutchCall.Voice.Server.Tests.Infrastructure;
using ClutchCall.Voice.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClutchCall.Voice.Server.Tests.Agents;

/// <summary>
/// Turn-taking on live calls through the real server: the echo agent (pocketsphinx → echo → espeak-ng) is the cloud
/// side of a <c>sim:echo</c> call; the phone side is a test MoQT client on the server's WebSocket relay transport
/// (<see cref="WebSocketCaller"/>) that speaks real LibriVox recordings as Opus on uplink. Covers caller DTMF reaching
/// the agent as a turn, barge-in (downlink stops, the turn is cut, the transcript keeps only what was played) and a
/// short acknowledgement that does not interrupt.
/// </summary>
[Collection(nameof(AgentCallCollection))]
public sealed class LiveCallTurnTakingTests
{
    private const long FrameUs = 20_000;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static ITestOutputHelper Out => TestContext.Current.TestOutputHelper!;

    [Fact]
    public async Task Dtmf_DigitsReceivedOnLiveCall_AgentAnswersTheDigitTurnAndTurnRecordHasThem()
    {
        var ct = TestContext.Current.CancellationToken;
        AgentDtmfTests.RequireEngines();
        await using var live = await LiveAgentCall.StartAsync(Deadline, ct);
        var (host, _, raw, call, caller) = live;
        var orgId = live.OrgId;
        await Poll.UntilAsync(() => host.Attacher.SessionFor(call.Sid)?.CallerFrames > 10, "the agent hearing the caller's uplink", Deadline);

        // Digits as the SIP leg hands them over (RFC 4733 events / INFO), one after another, through the server's path.
        var bridging = new SipBridgeServices(
            host.Services.GetRequiredService<RelayTokenIssuer>(),
            host.Services.GetRequiredService<InProcessRelay>(),
            TimeProvider.System,
            host.Services,
            NullLoggerFactory.Instance);
        foreach (var d in "42#")
        {
            await bridging.RecordDigitAsync(orgId, call.Sid, d);
        }

        var transcript = await LiveCallPolls.AgentReplyAsync(call, "the agent's answer to the digits", Deadline, ct);
        Assert.Equal("42#", string.Concat(transcript.Where(e => e.Speaker == "dtmf").Select(e => e.Text)));
        Assert.Equal("You pressed 4 2.", Assert.Single(transcript, e => e.Speaker == "agent").Text);
        Assert.DoesNotContain(transcript, e => e.Speaker == "caller");

        var stored = await LiveCallPolls.FirstTurnAsync(raw, call.Sid, "the digit turn stored", Deadline, ct);
        Assert.Equal("42", stored.GetProperty("digits").GetString());
        Assert.False(stored.GetProperty("interrupted").GetBoolean());
        Assert.False(stored.GetProperty("bargeIn").GetBoolean());
        Assert.True(stored.GetProperty("firstFrameMs").GetDouble() > 0);

        // The answer was spoken to the caller.
        await Poll.UntilAsync(() => caller.Downlink.Count >= 40, "the spoken answer on downlink", Deadline);
        await call.HangupAsync(ct);
    }

    [Fact]
    public async Task Dtmf_DigitsPressedWhileTheAgentIsJoining_KeptAndAnsweredInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        AgentDtmfTests.RequireEngines();
        await using var host = await AgentTestHost.StartAsync();
        var (orgId, key) = await host.CreateOrgAndKeyAsync();
        using var voice = host.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);
        await Poll.UntilAsync(async () => (await voice.Calls.GetAsync(call.Sid, ct)).Status == CallStatus.InProgress, "the call in progress", Deadline);

        // The attach is not awaited: its slot exists at once, its session only after the relay connection is up.
        var attaching = host.Attacher.AttachAsync(orgId, call.Sid, "echo", ct).AsTask();
        Assert.Null(host.Attacher.SessionFor(call.Sid));
        Assert.All("42#", d => Assert.True(host.Attacher.DeliverDigit(call.Sid, d), $"digit {d} refused while the agent joins"));
        await attaching;

        var transcript = await LiveCallPolls.AgentReplyAsync(call, "the agent's answer to the early digits", Deadline, ct);
        Assert.Equal("You pressed 4 2.", Assert.Single(transcript, e => e.Speaker == "agent").Text);
        await call.HangupAsync(ct);
    }

    [Fact]
    public async Task BargeIn_CallerSpeaksOverLongReply_DownlinkStopsWithinTwoFramesTurnCutTranscriptTruncated()
    {
        var ct = TestContext.Current.CancellationToken;
        AgentDtmfTests.RequireEngines();
        var question = LibriVoxCallee.Encode(Wav("librivox-0870"));
        var interruption = LibriVoxCallee.Encode(Wav("librivox-0890")).Take(100).ToArray(); // 2 s of speech
        await using var live = await LiveAgentCall.StartAsync(Deadline, ct);
        var (host, _, raw, call, caller) = live;
        var session = host.Attacher.SessionFor(call.Sid)!;

        // A 7 s question gets a long echo; one second into the reply the caller talks over it.
        caller.Say(question);
        await Poll.UntilAsync(() => caller.Downlink.Count >= 50, "a second of the agent's reply on downlink", Deadline);
        Assert.Null(session.Pipeline.LastBargeIn);
        caller.Say(interruption);
        var report = await Poll.ForAsync(() => Task.FromResult(session.Pipeline.LastBargeIn), "the barge-in", Deadline);
        await Poll.UntilAsync(() => caller.Pending == 0, "the interruption sent", Deadline);
        await Task.Delay(1000, ct);

        // Downlink: the reply ran up to the detection and nothing of it came after two more frames.
        var detectedUs = (report.DetectedUtc - DateTimeOffset.UnixEpoch).Ticks / 10;
        var frames = caller.Downlink.ToArray();
        var before = frames.Count(f => f.TimestampUs <= detectedUs);
        var after = frames.Where(f => f.TimestampUs > detectedUs).ToArray();
        var tail = after.Where(f => f.TimestampUs < detectedUs + (1000 * 1000)).ToArray();
        Out.WriteLine($"barge-in decided at capture {report.DetectedUs} µs (speech from {report.SpeechStartUs} µs); {report.FramesDropped} queued frames dropped, " +
            $"{report.FramesSentAfter} sent after; downlink {before} frames up to the decision, {tail.Length} within the next second; played \"{report.PlayedText}\"");
        Assert.True(frames.Any(f => f.TimestampUs > detectedUs - (200 * 1000)), "the agent was still speaking when the caller barged in");
        Assert.True(report.FramesDropped > 0, "queued reply audio was dropped");
        Assert.InRange(report.FramesSentAfter, 0, 2);
        Assert.All(tail, f => Assert.True(f.TimestampUs <= detectedUs + (2 * FrameUs), $"downlink frame {(f.TimestampUs - detectedUs) / 1000.0:F1} ms after the barge-in decision"));
        Assert.Equal(report.SpeechStartUs + new Speech.Turns.TurnOptions().BargeInMinSpeech.Ticks / 10, report.DetectedUs);

        // The stored turn is marked cut by a barge-in; the transcript keeps only what the caller heard.
        var stored = await LiveCallPolls.FirstTurnAsync(raw, call.Sid, "the interrupted turn stored", Deadline, ct);
        Assert.Equal(report.TurnId, stored.GetProperty("turnId").GetInt64());
        Assert.True(stored.GetProperty("interrupted").GetBoolean());
        Assert.True(stored.GetProperty("bargeIn").GetBoolean());

        var transcript = await call.GetTranscriptAsync(ct);
        var question1 = transcript.First(e => e.Speaker == "caller").Text;
        var full = $"You said: {question1}.".Split(' ');
        var heard = transcript.First(e => e.Speaker == "agent").Text;
        Out.WriteLine($"caller \"{question1}\"; full reply {full.Length} words; transcript keeps \"{heard}\"");
        Assert.True(report.Truncated);
        Assert.Equal(report.PlayedText, heard);
        var words = heard.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(words.Length < full.Length, "the transcript shows a cut reply, not the whole of it");
        Assert.Equal(full.Take(words.Length), words);
        await call.HangupAsync(ct);
    }

    [Fact]
    public async Task Backchannel_ShortOkayOverReply_DoesNotInterruptAndReplyPlaysInFull()
    {
        var ct = TestContext.Current.CancellationToken;
        AgentDtmfTests.RequireEngines();
        var question = LibriVoxCallee.Encode(Wav("librivox-0880"));
        var okay = LibriVoxCallee.Encode(LoudestBurst(Wav("librivox-0890"), frames: 12)); // 240 ms, an "okay"
        await using var live = await LiveAgentCall.StartAsync(Deadline, ct);
        var (host, _, raw, call, caller) = live;
        var session = host.Attacher.SessionFor(call.Sid)!;

        caller.Say(question);
        await Poll.UntilAsync(() => caller.Downlink.Count >= 25, "half a second of the agent's reply", Deadline);
        caller.Say(okay);
        var stored = await LiveCallPolls.FirstTurnAsync(raw, call.Sid, "the reply finished and stored", Deadline, ct);
        Assert.Equal(0, caller.Pending);
        Assert.Null(session.Pipeline.LastBargeIn);
        Assert.Equal(0, session.Pipeline.BargeIns);
        Assert.False(stored.GetProperty("interrupted").GetBoolean());
        Assert.False(stored.GetProperty("bargeIn").GetBoolean());

        var transcript = await call.GetTranscriptAsync(ct);
        var said = Assert.Single(transcript, e => e.Speaker == "caller").Text;
        Assert.Equal($"You said: {said}.", Assert.Single(transcript, e => e.Speaker == "agent").Text);
        await call.HangupAsync(ct);
    }

    private static short[] Wav(string name) => WavFile.Read(TestData.Require($"speech/{name}.wav")).Samples;

    /// <summary>The loudest run of <paramref name="frames"/> 20 ms frames: a word-length burst of real speech.</summary>
    private static short[] LoudestBurst(short[] pcm, int frames)
    {
        var n = frames * 320;
        var best = 0;
        var bestEnergy = -1.0;
        for (var start = 0; start + n <= pcm.Length; start += 160)
        {
            var e = 0.0;
            for (var i = start; i < start + n; i++)
            {
                e += (double)pcm[i] * pcm[i];
            }

            if (e > bestEnergy)
            {
                (best, bestEnergy) = (start, e);
            }
        }

        return pcm.AsSpan(best, n).ToArray();
    }
}

/// <summary>
/// Server tests that run pocketsphinx and espeak-ng on live calls take turns with each other (still in parallel with
/// the rest of the suite), so their recognisers do not starve one another into engine timeouts on a loaded machine.
/// </summary>
[CollectionDefinition(nameof(AgentCallCollection))]
public sealed class AgentCallCollection;
