using ClutchCall.Voice.Sip.Transactions;
using ClutchCall.Voice.Sip.UserAgent;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>
/// User agents on loopback whose timers (transactions, session timer, reliable 18x, media clock) run on a
/// <see cref="FakeTimeProvider"/>, so tests of minute-long RFC 4028 intervals move the clock instead of waiting.
/// </summary>
internal static class FakeClockAgents
{
    public static SipUserAgent Create(TimeProvider time, IEnumerable<SipTrunkOptions> trunks, bool acceptUnknown = false, SipTimers? timers = null) =>
        TestAgents.Start(
            TestAgents.Loopback() with
            {
                AcceptUnknownSources = acceptUnknown,
                DefaultRingTimeout = TimeSpan.FromSeconds(30),
                Timers = timers ?? SipTimers.Default,
                TcpEnabled = false,
            },
            trunks,
            time);

    /// <summary>Accepts every incoming call on <paramref name="ua"/> at once; completes with the first one.</summary>
    public static Task<SipCall> AcceptEachCall(SipUserAgent ua)
    {
        var accepted = new TaskCompletionSource<SipCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        ua.IncomingCall += call =>
        {
            _ = call.AcceptAsync().AsTask();
            accepted.TrySetResult(call);
        };
        return accepted.Task;
    }

    /// <summary>
    /// Waits until something listens on UDP <paramref name="port"/> (read from /proc/net/udp, so nothing is bound in the
    /// way): a request sent before sipp is up would be lost, and a frozen clock never retransmits it.
    /// </summary>
    public static async Task WaitForUdpListenerAsync(int port, CancellationToken ct)
    {
        var hex = ":" + port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture) + " ";
        await WaitUntilAsync(
            () => new[] { "/proc/net/udp", "/proc/net/udp6" }.Any(f => File.Exists(f) && File.ReadLines(f).Skip(1).Any(l => l.Length > 20 && l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].EndsWith(hex.TrimEnd(), StringComparison.Ordinal))),
            $"sipp listening on UDP {port}",
            ct,
            60);
    }

    /// <summary>
    /// Declared right after the agents (so it is disposed just before them): from then on the fake clock runs on by
    /// itself for a while, so that a test failing mid-call cannot leave disposal waiting forever on a transaction
    /// timer or ring timeout that only a moving clock ends.
    /// </summary>
    public static IAsyncDisposable RunClockOnDispose(FakeTimeProvider time) => new ClockPump(time);

    /// <summary>Polls (in real time) until <paramref name="condition"/> holds, failing with <paramref name="what"/> after a generous deadline.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken ct, double seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting: " + what);
            await Task.Delay(20, ct);
        }
    }

    private sealed class ClockPump(FakeTimeProvider time) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            _ = Task.Run(async () =>
            {
                for (var i = 0; i < 600; i++)
                {
                    time.Advance(TimeSpan.FromSeconds(1));
                    await Task.Delay(20);
                }
            });
            return ValueTask.CompletedTask;
        }
    }
}
