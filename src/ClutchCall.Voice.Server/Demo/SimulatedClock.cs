namespace ClutchCall.Voice.Server;

/// <summary>The demo's clock: it runs as fast as the CPU allows, moved 20 ms per frame by the demo.</summary>
internal sealed class SimulatedClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public long NowUs => _ticks / 10;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan delta) => _ticks += delta.Ticks;
}
