namespace ClutchCall.Voice.Relay.Fanout;

/// <summary>
/// How the relay hands one track's objects to a subscriber. The audio profile favours fresh audio:
/// an object older than <see cref="DeliveryTimeout"/> (counted from its arrival at the relay) is dropped,
/// never sent late, and a queue never holds more than <see cref="QueueCapacity"/> objects, so a slow
/// subscriber costs neither memory nor other subscribers' timing.
/// </summary>
internal sealed record DeliveryProfile
{
    /// <summary>The default audio profile: 200 ms delivery timeout, 32 queued objects (640 ms of 20 ms frames).</summary>
    public static DeliveryProfile Audio { get; } = new();

    /// <summary>Age after which an object is dropped instead of delivered.</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Most objects queued per subscriber; when full the oldest is dropped.</summary>
    public int QueueCapacity { get; init; } = 32;

    /// <summary>Objects of the newest group kept for FETCH and track status.</summary>
    public int GroupCacheCapacity { get; init; } = 64;
}
