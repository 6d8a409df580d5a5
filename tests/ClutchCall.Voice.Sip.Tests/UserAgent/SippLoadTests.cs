using System.Diagnostics;
using ClutchCall.Voice.Sip.Tests.Interop;
using ClutchCall.Voice.Sip.UserAgent;
using ClutchCall.Voice.TestSupport.Sipp;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>A bounded load run: sipp places calls at a fixed rate into our UAS, which answers each with an RTP leg.</summary>
public sealed class SippLoadTests
{
    [Fact]
    public async Task Load_SippPlaces200CallsAt50PerSecond_EveryCallCompletes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var ua = TestAgents.Create([TestAgents.Trunk(5060)], rtpPorts: 400);
        var answered = 0;
        var peak = 0;
        var frame = new short[160];
        ua.IncomingCall += call =>
        {
            call.AcceptAsync().AsTask().GetAwaiter().GetResult();
            Interlocked.Increment(ref answered);
            var now = ua.ActiveCalls;
            int seen;
            while ((seen = Volatile.Read(ref peak)) < now && Interlocked.CompareExchange(ref peak, now, seen) != seen)
            {
            }

            // Every answered call sends one frame of audio so its RTP leg is exercised, not just allocated.
            call.Media!.SendPcm(frame);
        };

        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var sipp = SippProcess.Start($"127.0.0.1:{ua.Port} -sn uac -s +14155550100 -i 127.0.0.1 -p {SippProcess.FreeUdpPort()} -mp {SippProcess.FreeUdpPort()} -r 50 -m 200 -d 1000");
        var rc = await sipp.WaitAsync(TimeSpan.FromSeconds(60), ct);
        clock.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

        Assert.True(rc == 0, $"sipp exit {rc}: {sipp.Errors}");
        Assert.Equal(200, answered);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (ua.ActiveCalls > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, ct);
        }

        Assert.Equal(0, ua.ActiveCalls);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"200 calls in {clock.Elapsed.TotalSeconds:0.0} s ({200 / clock.Elapsed.TotalSeconds:0.0} calls/s), peak {peak} concurrent, CPU {cpu.TotalMilliseconds / 200:0.0} ms per call (whole test process)");
    }
}
