using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Server.Auth;
using ClutchCall.Voice.Server.Tests.Infrastructure;
using ClutchCall.Voice.Speech;
using ClutchCall.Voice.Speech.PocketSphinx;
using ClutchCall.Voice.Speech.Stt;

namespace ClutchCall.Voice.Server.Tests.Agents;

/// <summary>
/// Agents on live calls through the real HTTP server on loopback and the real in-process relay: the test line
/// speaks a LibriVox sentence on uplink, the echo agent (pocketsphinx → echo → espeak-ng) answers on downlink.
/// </summary>
[Collection(nameof(AgentCallCollection))]
public sealed class AgentAttachEndToEndTests
{
    // Measured on this machine (two runs): pocketsphinx heard "he was not an ill disposed young man", sent as 48 kHz
    // Opus and decoded at 16 kHz, as "he was not an illness those young man" (WER 0.25); the bound leaves room.
    private const double MaxWer = 0.40;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    private static ITestOutputHelper Out => TestContext.Current.TestOutputHelper!;

    [Fact]
    public async Task EchoAgent_SimSpeechLibriVoxSentence_TranscriptMatchesReplyRecognisableAndPaced()
    {
        var ct = TestContext.Current.CancellationToken;
        AgentDtmfTests.RequireEngines();
        var reference = AgentTestHost.SentenceText();
        await using var host = await AgentTestHost.StartAsync();
        var (_, key) = await host.CreateOrgAndKeyAsync();
        using var voice = host.Sdk(key);
        using var raw = host.Raw(key);

        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:speech", From = "+14155550100", Agent = "echo" }, ct);
        var transcript = await LiveCallPolls.AgentReplyAsync(call, "the agent's reply in the stored transcript", Deadline, ct);

        // The caller's words as stored for the call, against the LibriVox reference.
        var caller = Assert.Single(transcript, e => e.Speaker == "caller");
        var wer = WordErrorRate.Compute(reference, caller.Text);
        var agent = Assert.Single(transcript, e => e.Speaker == "agent");
        Out.WriteLine($"reference \"{reference}\" → caller \"{caller.Text}\" (WER {wer:F2}); agent \"{agent.Text}\"");
        Assert.True(wer <= MaxWer, $"WER {wer:F2} above {MaxWer} for \"{caller.Text}\"");
        Assert.Equal($"You said: {caller.Text}.", agent.Text); // fully played, so nothing was cut

        // The reply on downlink: wait until no new frame has arrived for half a second.
        var line = host.Callee.Lines[call.Sid];
        await PollAsync(async () =>
        {
            var before = line.Downlink.Count;
            await Task.Delay(500, ct);
            return before > 0 && line.Downlink.Count == before ? (object)before : null;
        }, "downlink reply to finish");
        var frames = line.Downlink.ToArray();
        Assert.True(frames.Length >= 75, $"a reply of at least 1.5 s; got {frames.Length} frames");

        // Paced: capture timestamps exactly one 20 ms deadline apart, arrivals spread over real time.
        var steps = frames.Zip(frames.Skip(1), (a, b) => b.TimestampUs - a.TimestampUs).ToArray();
        Assert.All(steps, d => Assert.True(d >= 19_900, $"timestamps {d} µs apart: frames overlap"));
        var exact = steps.Count(d => Math.Abs(d - 20_000) <= 100);
        Assert.True(exact >= steps.Length * 0.95, $"{exact}/{steps.Length} steps are 20 ms (largest {steps.Max()} µs)");
        var nominal = TimeSpan.FromMilliseconds(20 * (frames.Length - 1));
        var spread = Stopwatch.GetElapsedTime(frames[0].ArrivedAt, frames[^1].ArrivedAt);
        Out.WriteLine($"{frames.Length} downlink frames over {spread.TotalMilliseconds:F0} ms (nominal {nominal.TotalMilliseconds:F0} ms); {exact}/{steps.Length} steps exactly 20 ms");
        Assert.True(spread >= nominal * 0.6, $"{frames.Length} frames arrived within {spread.TotalMilliseconds:F0} ms: a burst, not real-time pacing");

        // What the caller heard, decoded and recognised, has the sentence's key words.
        var heard = await RecogniseDownlinkAsync(frames.Select(f => f.Payload), ct);
        var keys = WordErrorRate.Normalise(reference).Where(w => w.Length >= 3).Distinct().ToList();
        var found = keys.Where(k => WordErrorRate.Normalise(heard).Contains(k)).ToList();
        Out.WriteLine($"downlink heard \"{heard}\"; key words {found.Count}/{keys.Count}: {string.Join(',', found)}");
        Assert.True(found.Count >= 1, $"downlink \"{heard}\" has none of {string.Join(',', keys)}");

        // Timings stored on the call, in order.
        var turns = await raw.GetFromJsonAsync<JsonElement>($"/v1/calls/{call.Sid}/turns", ct);
        var turn = Assert.Single(turns.GetProperty("turns").EnumerateArray());
        Out.WriteLine(turn.ToString());
        var stt = turn.GetProperty("sttFinalMs").GetDouble();
        var first = turn.GetProperty("agentFirstTextMs").GetDouble();
        var frame = turn.GetProperty("firstFrameMs").GetDouble();
        Assert.True(stt <= first && first <= frame, $"stages out of order: stt {stt}, agent {first}, frame {frame}");
        Assert.True(turn.GetProperty("engineOverheadMs").GetDouble() >= 0);
        Assert.True(turn.GetProperty("endpointingMs").GetDouble() >= 300, "the trailing-silence wait is part of the turn");
        Assert.False(turn.GetProperty("interrupted").GetBoolean());

        // Hangup detaches: the session is released and publishes nothing more.
        var session = host.Attacher.SessionFor(call.Sid);
        Assert.NotNull(session);
        await call.HangupAsync(ct);
        Assert.Null(host.Attacher.SessionFor(call.Sid));
        Assert.True(session.IsDisposed);
        var sent = session.FramesSent;
        await Task.Delay(300, ct);
        Assert.Equal(sent, session.FramesSent);
        Assert.Equal(0, host.Attacher.ActiveSessions);
    }

    [Fact]
    public async Task AttachAgent_RefusalsThenReattachReplacesAndHangupDetaches()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await AgentTestHost.StartAsync();
        var (orgId, key) = await host.CreateOrgAndKeyAsync();
        var (_, otherKey) = await host.CreateOrgAndKeyAsync();
        var (callsOnlyOrg, callsOnly) = (orgId, await CreateKeyAsync(host, orgId, Scopes.Calls));
        Assert.Equal(orgId, callsOnlyOrg);
        using var voice = host.Sdk(key);
        using var other = host.Sdk(otherKey);
        using var limited = host.Sdk(callsOnly);

        var unknownAgent = await Assert.ThrowsAsync<VoiceValidationException>(() =>
            voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100", Agent = "nosuch" }, ct));
        Assert.Contains("unknown agent 'nosuch'", unknownAgent.Detail);

        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);
        await Poll.UntilAsync(async () => (await voice.Calls.GetAsync(call.Sid, ct)).Status == CallStatus.InProgress, "in_progress", Deadline, interval: 100);

        await Assert.ThrowsAsync<VoiceNotFoundException>(() => voice.Agents.AttachAsync("CA" + new string('0', 32), "echo", ct));
        await Assert.ThrowsAsync<VoiceNotFoundException>(() => other.Agents.AttachAsync(call.Sid, "echo", ct));
        var denied = await Assert.ThrowsAsync<VoicePermissionException>(() => limited.Agents.AttachAsync(call.Sid, "echo", ct));
        Assert.Contains("voice:agents", denied.Detail);
        var bad = await Assert.ThrowsAsync<VoiceValidationException>(() => voice.Agents.AttachAsync(call.Sid, "nosuch", ct));
        Assert.Contains("'echo'", bad.Detail);
        Assert.Null(host.Attacher.SessionFor(call.Sid));
        using (var raw = host.Raw(otherKey))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await raw.GetAsync($"/v1/calls/{call.Sid}/turns", ct)).StatusCode);
        }

        // Attached while in progress: the session is up when the request returns; attaching again replaces it.
        await voice.Agents.AttachAsync(call.Sid, "echo", ct);
        var first = host.Attacher.SessionFor(call.Sid);
        Assert.NotNull(first);
        await voice.Agents.AttachAsync(call.Sid, "echo", ct);
        var second = host.Attacher.SessionFor(call.Sid);
        Assert.NotNull(second);
        Assert.NotSame(first, second);
        Assert.True(first.IsDisposed);
        Assert.False(second.IsDisposed);
        Assert.Equal(1, host.Attacher.ActiveSessions);
        Assert.Equal("echo", (await voice.Calls.GetAsync(call.Sid, ct)).Agent);

        await call.HangupAsync(ct);
        Assert.True(second.IsDisposed);
        Assert.Null(host.Attacher.SessionFor(call.Sid));
        Assert.Equal(0, host.Attacher.ActiveSessions);
    }

    private static async Task<string> CreateKeyAsync(AgentTestHost host, string orgId, params string[] scopes)
    {
        var (k, _) = await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<ApiKeys>(host.Services).CreateAsync(orgId, scopes, CancellationToken.None);
        return k;
    }

    private static async Task<string> RecogniseDownlinkAsync(IEnumerable<byte[]> packets, CancellationToken ct)
    {
        var pcm = new List<short>();
        using (var decoder = new OpusDecoder(new AudioFormat(16000, 1)))
        {
            var buffer = new short[decoder.MaxFrameSamplesPerChannel];
            foreach (var p in packets)
            {
                pcm.AddRange(buffer.AsSpan(0, decoder.Decode(p, buffer)));
            }
        }

        var audio = pcm.ToArray();
        using var listener = new PocketSphinxSpeechToText(new PocketSphinxOptions { MaxIdleDecoders = 1 });

        // One pass over the synthetic voice first adapts pocketsphinx's live cepstral mean normalisation.
        _ = await RecogniseAsync(listener, audio, ct);
        return await RecogniseAsync(listener, audio, ct);
    }

    private static async Task<string> RecogniseAsync(ISpeechToText stt, short[] audio, CancellationToken ct)
    {
        await using var stream = await stt.StartAsync(ct);
        for (var i = 0; i < audio.Length; i += 320)
        {
            await stream.WriteAsync(audio.AsMemory(i, Math.Min(320, audio.Length - i)), ct);
        }

        return (await stream.CompleteAsync(ct)).Text;
    }

    private static Task<T> PollAsync<T>(Func<Task<T?>> probe, string what)
        where T : class => Poll.ForAsync(probe, what, Deadline, interval: 100);
}
