namespace ClutchCall.Voice.Media;

/// <summary>One tick of a <see cref="MediaClock"/>.</summary>
/// <param name="Index">1 for the first tick after start, then consecutive (skipped ticks leave gaps).</param>
/// <param name="Deadline">When the tick was due, relative to the clock's start (Index × period).</param>
/// <param name="Lateness">How long after its deadline the tick was delivered.</param>
internal readonly record struct MediaClockTick(long Index, TimeSpan Deadline, TimeSpan Lateness);
