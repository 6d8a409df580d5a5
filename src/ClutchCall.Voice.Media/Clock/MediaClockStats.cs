namespace ClutchCall.Voice.Media;

/// <summary>Counters of a <see cref="MediaClock"/>.</summary>
/// <param name="Ticks">Ticks delivered.</param>
/// <param name="LateTicks">Ticks delivered more than the late threshold after their deadline.</param>
/// <param name="SkippedTicks">Deadlines dropped because the clock fell more than the catch-up limit behind.</param>
/// <param name="SubscriberFaults">Exceptions thrown by subscribers (caught; the clock goes on).</param>
/// <param name="MaxLateness">Largest lateness seen.</param>
/// <param name="Subscribers">Subscribers currently registered.</param>
internal readonly record struct MediaClockStats(
    long Ticks,
    long LateTicks,
    long SkippedTicks,
    long SubscriberFaults,
    TimeSpan MaxLateness,
    int Subscribers);
