using System.Diagnostics;
using ClutchCall.Voice.Server.Sip;
using ClutchCall.Voice.Server.Tests.Infrastructure;
using ClutchCall.Voice.TestSupport.Sipp;
using Microsoft.Extensions.DependencyInjection;

namespace ClutchCall.Voice.Server.Tests.Sip;

[CollectionDefinition(nameof(SipLoadCollection), DisableParallelization = true)]
public sealed class SipLoadCollection;

/// <summary>
/// A bounded load run through the whole bridge: sipp places calls at a fixed rate to a configured number of the
/// real server; every call is answered, its G.711 speech is decoded, resampled, Opus-encoded and published on the
/// call's uplink track of the in-process relay, and sipp hangs up. Runs alone so its load does not skew other tests.
/// </summary>
[Collection(nameof(SipLoadCollection))]
public sealed class SipBridgeLoadTests(PostgresServer postgres)
{
    private const string Did = "+14155550123";
    private const string Caller = "+14155550199";

    [Fact]
    public async Task Load_SippPlaces200CallsAt10PerSecondThroughTheBridge_EveryCallCompletesWithUplinkAudio()
    {
        SippProcess.RequireSipp();
        var ct = TestContext.Current.CancellationToken;
        const int calls = 200;
        const int rate = 10;
        const int speechMs = 3000;
        var orgName = "load-" + Guid.NewGuid().ToString("N")[..8];
        await using var server = await TestServer.StartAsync(
            Backend.Sqlite,
            postgres,
            settings: SipTestSettings.Server(SippProcess.FreeUdpPort(), "PCMA,PCMU", rtpPorts: 500).WithNumber(Did, orgName));
        await server.Services.GetRequiredService<ClutchCall.Voice.Server.Storage.IOrgStore>().CreateOrgAsync(orgName, ct);
        var bridging = server.Services.GetRequiredService<SipBridgeServices>();
        var ourPort = server.Services.GetRequiredService<SipUserAgentHost>().Agent.Port;

        var scenario = SippProcess.WriteScenario(BridgeScenarios.CallerPlayingSpeech(Caller, plays: 1, digits: string.Empty, pauseMs: speechMs));
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var sipp = SippProcess.Start(
            $"127.0.0.1:{ourPort} -sf {scenario} -s {Did} -i 127.0.0.1 -p {SippProcess.FreeUdpPort()} -mi 127.0.0.1 -mp {SippProcess.FreeMediaPort()} -r {rate} -m {calls} -l {calls}");
        var rc = await sipp.WaitAsync(TimeSpan.FromSeconds(180), ct);
        var elapsed = clock.Elapsed;
        Assert.True(rc == 0, $"sipp exit {rc}: every call must succeed; {sipp.Errors}");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (bridging.Totals.Bridges < calls && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
        }

        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var totals = bridging.Totals;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{calls} calls in {elapsed.TotalSeconds:0.0} s ({calls / elapsed.TotalSeconds:0.0} calls/s offered {rate}/s), peak {totals.PeakLiveLegs} concurrent calls with media, "
            + $"uplink frames {totals.UplinkFrames} (fewest in one call {totals.FewestUplinkFrames}), downlink frames {totals.DownlinkFrames}, "
            + $"server CPU {cpu.TotalMilliseconds / calls:0.0} ms per call, {cpu.TotalMilliseconds / (calls * (speechMs / 1000.0)):0.0} ms per call-second");

        Assert.Equal(calls, totals.Bridges);
        Assert.Equal(0, bridging.LiveLegs);
        // Each call speaks for 3 s (~150 frames). Every call must have bridged audio (at least 200 ms), and the calls
        // together at least 40 % of what was sent: the bridge publishes only once its relay session is up, so under
        // load a call loses part of its first second (measured per call: fewest 31-110 frames, 80-142 on average).
        Assert.True(totals.FewestUplinkFrames >= 10, $"a call bridged only {totals.FewestUplinkFrames} uplink frames");
        Assert.True(totals.UplinkFrames >= calls * 150 * 4 / 10, $"only {totals.UplinkFrames} uplink frames over {calls} calls");
        Assert.True(totals.PeakLiveLegs >= 10, $"peak concurrency {totals.PeakLiveLegs}: calls did not overlap");
    }
}
