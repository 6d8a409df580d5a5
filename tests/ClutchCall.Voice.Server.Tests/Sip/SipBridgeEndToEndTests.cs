using System.Collections.Concurrent;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Server.Sip;
using ClutchCall.Voice.Server.Storage;
using ClutchCall.Voice.Server.Tests.Infrastructure;
using ClutchCall.Voice.TestSupport.Sipp;
using Microsoft.Extensions.DependencyInjection;

namespace ClutchCall.Voice.Server.Tests.Sip;

/// <summary>
/// SIP trunk calls through the real server on loopback (HTTP API, in-process relay, SDK audio bridge over
/// WebSocket) with real sipp as the carrier's far end: outbound with RTP echo, inbound to a configured DID,
/// allow-list rejection, ring timeout and busy.
/// </summary>
public sealed class SipBridgeEndToEndTests(PostgresServer postgres)
{
    private const string Did = "+14155550123";
    private const string RefusedDid = "+14155550124";
    private const string Caller = "+14155550199";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Originate_SippAnswersWithEcho_BridgesAudioBothWaysDigitsAndHangup()
    {
        SippProcess.RequireSipp();
        var ct = TestContext.Current.CancellationToken;
        var sippPort = SippProcess.FreeUdpPort();
        using var sipp = SippProcess.Start(
            $"-sf {SippProcess.WriteScenario(BridgeScenarios.AnswerAfterRinging(ringMs: 2000))} -i 127.0.0.1 -p {sippPort} -mi 127.0.0.1 -mp {SippProcess.FreeMediaPort()} -rtp_echo -m 1");
        await using var server = await StartServerAsync(sippPort, orgName: null);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);

        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "+14155550100", From = "+14155550111", TrunkId = "lab" }, ct);
        Assert.Equal(CallStatus.Dialing, call.Status);
        var seen = await WatchStatusesAsync(voice, call.Sid, call.Status, CallStatus.InProgress);
        Assert.Equal([CallStatus.Dialing, CallStatus.Ringing, CallStatus.InProgress], seen);

        // Whatever goes down to sipp comes back up: first the bridge's silence, then a loud tone we publish.
        var uplink = new ConcurrentQueue<(byte[] Payload, long TimestampUs)>();
        await using var bridge = await voice.AudioBridge.AttachAsync(call.Sid, new AudioBridgeOptions
        {
            OnUplink = f => uplink.Enqueue((f.Payload.ToArray(), f.TimestampUs)),
        }, ct);
        await WaitUntilAsync(() => uplink.Count >= 10, "uplink frames from the SIP leg");
        Assert.All(uplink, f => Assert.True(f.TimestampUs > 0, "uplink frames carry capture timestamps"));

        var tone = EncodeTone(frames: 100, hz: 440);
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20)))
        {
            foreach (var frame in tone)
            {
                Assert.True(bridge.PublishDownlink(frame));
                await timer.WaitForNextTickAsync(ct);
            }
        }

        await WaitUntilAsync(() => OpusLevels.LoudestRms(uplink.ToArray().Select(f => f.Payload)) > 2000, "the downlink tone echoed by sipp back onto uplink");

        // Digits go out as RFC 4733 events; sipp's RTP echo returns them, and the bridge records each once.
        await call.SendDigitsAsync("12#", ct);
        var digits = string.Empty;
        await WaitUntilAsync(async () =>
        {
            digits = string.Concat((await call.GetTranscriptAsync(ct)).Where(e => e.Speaker == "dtmf").Select(e => e.Text));
            return digits.Length >= 3;
        }, "echoed digits in the transcript");
        Assert.Equal("12#", digits);

        await call.HangupAsync(ct);
        Assert.True(await sipp.WaitAsync(Deadline, ct) == 0, "sipp should receive our BYE and finish cleanly: " + sipp.Errors);
        var ended = await voice.Calls.GetAsync(call.Sid, ct);
        Assert.Equal(CallStatus.Completed, ended.Status);
        Assert.Equal("hangup", ended.EndReason);
        Assert.True(ended.DurationSeconds >= 1, $"duration {ended.DurationSeconds}");
        await WaitUntilAsync(() => server.Services.GetRequiredService<SipBridgeServices>().LiveLegs == 0, "the SIP leg and its bridge released");
    }

    [Fact]
    public async Task Inbound_AllowedCallerDialsDid_InProgressWithSpeechOnUplinkDigitsAndRemoteBye()
    {
        SippProcess.RequireSipp();
        var ct = TestContext.Current.CancellationToken;
        var orgName = "sip-org-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await StartServerAsync(SippProcess.FreeUdpPort(), orgName);
        var org = await server.Services.GetRequiredService<IOrgStore>().CreateOrgAsync(orgName, ct);
        var key = await server.CreateKeyAsync(org.Id, "voice:*");
        using var voice = server.Sdk(key);
        var ourPort = server.Services.GetRequiredService<SipUserAgentHost>().Agent.Port;

        var scenario = SippProcess.WriteScenario(BridgeScenarios.CallerPlayingSpeech(Caller, plays: 2, digits: "4#"));
        using var sipp = SippProcess.Start($"127.0.0.1:{ourPort} -sf {scenario} -s {Did} -i 127.0.0.1 -p {SippProcess.FreeUdpPort()} -mi 127.0.0.1 -mp {SippProcess.FreeMediaPort()} -m 1");

        Call? call = null;
        await WaitUntilAsync(async () =>
        {
            var page = await voice.Calls.ListAsync(new ListCallsOptions { Direction = CallDirection.Inbound }, ct);
            call = page.Items.FirstOrDefault();
            return call?.Status == CallStatus.InProgress;
        }, "the inbound call in progress");
        Assert.Equal(Did, call!.To);
        Assert.Equal(Caller, call.From);
        Assert.Equal("lab", call.TrunkId);
        Assert.Equal(CallDirection.Inbound, call.Direction);
        Assert.Equal("inbound-agent", call.Agent);

        // The caller's G.711 speech arrives on uplink as Opus.
        var uplink = new ConcurrentQueue<byte[]>();
        await using (await voice.AudioBridge.AttachAsync(call.Sid, new AudioBridgeOptions { OnUplink = f => uplink.Enqueue(f.Payload.ToArray()) }, ct))
        {
            await WaitUntilAsync(() => uplink.Count >= 100 && OpusLevels.LoudestRms(uplink.ToArray()) > 300, "the caller's speech on uplink");
        }

        // RFC 2833 digits from the pcaps arrive once each; then sipp hangs up.
        Assert.True(await sipp.WaitAsync(Deadline, ct) == 0, "sipp caller should finish cleanly: " + sipp.Errors);
        var ended = await WaitForStatusAsync(voice, call.Sid, CallStatus.Completed);
        Assert.Equal("hangup", ended.EndReason);
        var digits = string.Concat((await ended.GetTranscriptAsync(ct)).Where(e => e.Speaker == "dtmf").Select(e => e.Text));
        Assert.Equal("4#", digits);
    }

    [Fact]
    public async Task Inbound_CallerNotOnAllowList_RejectedWithConfiguredStatusBeforeMediaAndNoCall()
    {
        SippProcess.RequireSipp();
        var ct = TestContext.Current.CancellationToken;
        var orgName = "sip-org-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await StartServerAsync(SippProcess.FreeUdpPort(), orgName);
        var org = await server.Services.GetRequiredService<IOrgStore>().CreateOrgAsync(orgName, ct);
        using var voice = server.Sdk(await server.CreateKeyAsync(org.Id, "voice:*"));
        var ourPort = server.Services.GetRequiredService<SipUserAgentHost>().Agent.Port;

        // The scenario fails on anything but an optional 100 before the 603, so no 180/183 (and no media) was sent.
        var scenario = SippProcess.WriteScenario(BridgeScenarios.CallerRefused(Caller, 603));
        using var sipp = SippProcess.Start($"127.0.0.1:{ourPort} -sf {scenario} -s {RefusedDid} -i 127.0.0.1 -p {SippProcess.FreeUdpPort()} -mi 127.0.0.1 -mp {SippProcess.FreeMediaPort()} -m 1");
        Assert.True(await sipp.WaitAsync(Deadline, ct) == 0, "sipp should see exactly 603: " + sipp.Errors);

        var page = await voice.Calls.ListAsync(new ListCallsOptions { Direction = CallDirection.Inbound }, ct);
        Assert.Empty(page.Items);
        Assert.Equal(0, server.Services.GetRequiredService<SipBridgeServices>().LiveLegs);
    }

    [Fact]
    public async Task Originate_SippNeverAnswers_CancelOnRingTimeoutNoAnswer()
    {
        SippProcess.RequireSipp();
        var ct = TestContext.Current.CancellationToken;
        var sippPort = SippProcess.FreeUdpPort();
        using var sipp = SippProcess.Start($"-sf {SippProcess.WriteScenario(BridgeScenarios.RingForever())} -i 127.0.0.1 -p {sippPort} -m 1");
        await using var server = await StartServerAsync(sippPort, orgName: null);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);

        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "+14155550100", From = "+14155550111", TrunkId = "lab", RingTimeoutSeconds = 5 }, ct);
        var ended = await WaitForStatusAsync(voice, call.Sid, CallStatus.NoAnswer);
        Assert.Equal("ring_timeout", ended.EndReason);
        Assert.Equal(0, ended.DurationSeconds);
        Assert.True(await sipp.WaitAsync(Deadline, ct) == 0, "sipp should receive CANCEL and ACK its 487: " + sipp.Errors);
    }

    [Fact]
    public async Task Originate_SippBusy_FailedWithSipReason()
    {
        SippProcess.RequireSipp();
        var ct = TestContext.Current.CancellationToken;
        var sippPort = SippProcess.FreeUdpPort();
        using var sipp = SippProcess.Start($"-sf {SippProcess.WriteScenario(BridgeScenarios.Reject(486, "Busy Here"))} -i 127.0.0.1 -p {sippPort} -m 1");
        await using var server = await StartServerAsync(sippPort, orgName: null);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);

        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "+14155550100", From = "+14155550111", TrunkId = "lab" }, ct);
        var ended = await WaitForStatusAsync(voice, call.Sid, CallStatus.Failed);
        Assert.Equal("sip_486: 486 Busy Here", ended.EndReason);
        Assert.True(await sipp.WaitAsync(Deadline, ct) == 0, "sipp should get the ACK for its 486: " + sipp.Errors);

        var conflict = await Assert.ThrowsAsync<VoiceConflictException>(() => call.SendDigitsAsync("1", ct));
        Assert.Contains("in progress", conflict.Message, StringComparison.Ordinal);
    }

    private async Task<TestServer> StartServerAsync(int trunkPort, string? orgName)
    {
        var settings = SipTestSettings.Server(trunkPort, "PCMU,PCMA");
        if (orgName is not null)
        {
            settings.WithNumber(Did, orgName, "inbound-agent");
            settings["Sip:Numbers:0:AllowedCallers:0"] = Caller;
            settings["Sip:Numbers:1:Did"] = RefusedDid;
            settings["Sip:Numbers:1:OrgId"] = orgName;
            settings["Sip:Numbers:1:AllowedCallers:0"] = "+19995550000";
            settings["Sip:Numbers:1:RejectStatus"] = "603";
        }

        return await TestServer.StartAsync(Backend.Sqlite, postgres, settings: settings);
    }

    /// <summary>Polls the call and returns the distinct statuses seen in order from <paramref name="first"/> up to <paramref name="until"/>.</summary>
    private static async Task<List<CallStatus>> WatchStatusesAsync(Voice voice, string sid, CallStatus first, CallStatus until)
    {
        var seen = new List<CallStatus> { first };
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            var status = (await voice.Calls.GetAsync(sid, TestContext.Current.CancellationToken)).Status;
            if (seen.Count == 0 || seen[^1] != status)
            {
                seen.Add(status);
            }

            if (status == until || CallStatusNames.IsTerminal(status))
            {
                return seen;
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"call {sid} never reached {until}; seen {string.Join(", ", seen)}");
        return seen;
    }

    private static async Task<Call> WaitForStatusAsync(Voice voice, string sid, CallStatus status)
    {
        Call? call = null;
        await WaitUntilAsync(async () => (call = await voice.Calls.GetAsync(sid, TestContext.Current.CancellationToken)).Status == status, $"call {sid} {status}");
        return call!;
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => Poll.UntilAsync(condition, what, Deadline);

    private static byte[][] EncodeTone(int frames, double hz)
    {
        using var encoder = new OpusEncoder(AudioFormat.Opus48Mono);
        var pcm = new short[960];
        var packet = new byte[1500];
        var result = new byte[frames][];
        for (var f = 0; f < frames; f++)
        {
            for (var i = 0; i < pcm.Length; i++)
            {
                pcm[i] = (short)(12000 * Math.Sin(2 * Math.PI * hz * ((f * 960) + i) / 48000));
            }

            result[f] = packet.AsSpan(0, encoder.Encode(pcm, packet)).ToArray();
        }

        return result;
    }
}
