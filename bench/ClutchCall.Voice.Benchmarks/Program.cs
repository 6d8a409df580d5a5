using BenchmarkDotNet.Running;
using ClutchCall.Voice.Benchmarks.PerfGuard;

namespace ClutchCall.Voice.Benchmarks;

internal static class Program
{
    /// <summary>
    /// <c>--perf-guard</c> runs the frame-path budget check (<see cref="PerfGuardRunner"/>); <c>--ws-latency</c> the
    /// loopback WebSocket latency run at many concurrent tracks (<see cref="Relay.WebSocketLatencyRun"/>); anything else goes
    /// to BenchmarkDotNet's switcher (<c>--filter '*Resampler*' --job short</c>, <c>--list flat</c>, ...).
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Contains("--perf-guard"))
        {
            return PerfGuardRunner.Run(args);
        }

        if (args.Contains("--ws-latency"))
        {
            return Relay.WebSocketLatencyRun.RunAsync(args).GetAwaiter().GetResult();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
