namespace ClutchCall.Voice.Media;

/// <summary>Something paced by a <see cref="MediaClock"/>: a call leg that reads or writes one frame per tick.</summary>
internal interface IMediaClockSubscriber
{
    /// <summary>
    /// Called once per period on the clock's timer thread. Must be quick and must not block: the clock
    /// ticks every subscriber in turn, so a slow one delays the rest. Exceptions are caught and counted.
    /// </summary>
    void OnTick(in MediaClockTick tick);
}
