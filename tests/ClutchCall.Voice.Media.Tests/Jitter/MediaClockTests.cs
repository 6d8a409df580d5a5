using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Media.Tests.Jitter;

public class MediaClockTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Start_OneSecond_TicksFiftyTimesOnTheTwentyMsGrid()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time);
        var recorder = new Recorder();
        using var registration = clock.Register(recorder);
        clock.Start();

        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(50, recorder.Ticks.Count);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(i + 1, recorder.Ticks[i].Index);
            Assert.Equal(20 * Ms * (i + 1), recorder.Ticks[i].Deadline);
            Assert.Equal(TimeSpan.Zero, recorder.Ticks[i].Lateness);
        }

        Assert.Equal(new MediaClockStats(50, 0, 0, 0, TimeSpan.Zero, 1), clock.Stats);
    }

    [Fact]
    public void LateTick_DoesNotShiftLaterDeadlines()
    {
        var time = new ManualTimerProvider();
        using var clock = new MediaClock(time);
        var recorder = new Recorder();
        clock.Register(recorder);
        clock.Start();
        Assert.Equal((20 * Ms).Ticks, time.RequestedDueTicks);

        time.FireAt(20 * Ms);
        Assert.Equal((40 * Ms).Ticks, time.RequestedDueTicks);

        // The thread stalls: tick 2 (due at 40 ms) runs at 47 ms. Tick 3 is still due at 60 ms, not 67.
        time.FireAt(47 * Ms);
        Assert.Equal((60 * Ms).Ticks, time.RequestedDueTicks);
        time.FireAt(60 * Ms);

        Assert.Equal([1L, 2, 3], recorder.Ticks.Select(t => t.Index));
        Assert.Equal([TimeSpan.Zero, 7 * Ms, TimeSpan.Zero], recorder.Ticks.Select(t => t.Lateness));
        Assert.Equal(1, clock.Stats.LateTicks);
        Assert.Equal(7 * Ms, clock.Stats.MaxLateness);
    }

    [Fact]
    public void Stall_ShorterThanCatchUpLimit_DeliversMissedTicksBackToBack()
    {
        var time = new ManualTimerProvider();
        using var clock = new MediaClock(time);
        var recorder = new Recorder();
        clock.Register(recorder);
        clock.Start();

        // Stalled from 20 ms to 85 ms: deadlines 20, 40, 60, 80 are all due.
        time.FireAt(85 * Ms);

        Assert.Equal([1L, 2, 3, 4], recorder.Ticks.Select(t => t.Index));
        Assert.Equal([65 * Ms, 45 * Ms, 25 * Ms, 5 * Ms], recorder.Ticks.Select(t => t.Lateness));
        Assert.Equal((100 * Ms).Ticks, time.RequestedDueTicks);
        Assert.Equal(3, clock.Stats.LateTicks);
        Assert.Equal(0, clock.Stats.SkippedTicks);
    }

    [Fact]
    public void Stall_LongerThanCatchUpLimit_SkipsOldestDeadlinesAndCountsThem()
    {
        var time = new ManualTimerProvider();
        using var clock = new MediaClock(time);
        var recorder = new Recorder();
        clock.Register(recorder);
        clock.Start();

        // One second stall: 50 deadlines passed; only the newest MaxCatchUpTicks are delivered.
        time.FireAt(TimeSpan.FromSeconds(1));

        Assert.Equal([46L, 47, 48, 49, 50], recorder.Ticks.Select(t => t.Index));
        Assert.Equal(45, clock.Stats.SkippedTicks);
        Assert.Equal((1020 * Ms).Ticks, time.RequestedDueTicks);
    }

    [Fact]
    public void EarlyWakeUp_DeliversNothingAndRearmsForTheDeadline()
    {
        var time = new ManualTimerProvider();
        using var clock = new MediaClock(time);
        var recorder = new Recorder();
        clock.Register(recorder);
        clock.Start();

        time.FireAt(19 * Ms);

        Assert.Empty(recorder.Ticks);
        Assert.Equal((20 * Ms).Ticks, time.RequestedDueTicks);
    }

    [Fact]
    public void Unregister_StopsTicksForThatSubscriberOnly()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time);
        var a = new Recorder();
        var b = new Recorder();
        var registrationA = clock.Register(a);
        using var registrationB = clock.Register(b);
        clock.Start();

        time.Advance(60 * Ms);
        registrationA.Dispose();
        registrationA.Dispose();
        time.Advance(60 * Ms);

        Assert.Equal(3, a.Ticks.Count);
        Assert.Equal(6, b.Ticks.Count);
        Assert.Equal(1, clock.Stats.Subscribers);
    }

    [Fact]
    public void SubscriberThrows_OthersStillTickAndFaultIsCounted()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time);
        var good = new Recorder();
        clock.Register(new Thrower());
        clock.Register(good);
        clock.Start();

        time.Advance(100 * Ms);

        Assert.Equal(5, good.Ticks.Count);
        Assert.Equal(5, clock.Stats.SubscriberFaults);
    }

    [Fact]
    public void Tick_SteadyState_AllocatesNothing()
    {
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time);
        var counters = new Counter[100];
        for (var i = 0; i < counters.Length; i++)
        {
            counters[i] = new Counter();
            clock.Register(counters[i]);
        }

        clock.Start();
        time.Advance(100 * Ms);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++)
        {
            time.Advance(20 * Ms);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.All(counters, c => Assert.Equal(55, c.Count));
    }

    [Fact]
    public void Dispose_StopsTicking()
    {
        var time = new FakeTimeProvider();
        var clock = new MediaClock(time);
        var recorder = new Recorder();
        clock.Register(recorder);
        clock.Start();
        time.Advance(40 * Ms);
        clock.Dispose();
        time.Advance(100 * Ms);

        Assert.Equal(2, recorder.Ticks.Count);
        Assert.Throws<ObjectDisposedException>(() => clock.Register(recorder));
    }

    private sealed class Recorder : IMediaClockSubscriber
    {
        public List<MediaClockTick> Ticks { get; } = [];

        public void OnTick(in MediaClockTick tick) => Ticks.Add(tick);
    }

    private sealed class Counter : IMediaClockSubscriber
    {
        public int Count { get; private set; }

        public void OnTick(in MediaClockTick tick) => Count++;
    }

    private sealed class Thrower : IMediaClockSubscriber
    {
        public void OnTick(in MediaClockTick tick) => throw new InvalidOperationException("bad leg");
    }
}
