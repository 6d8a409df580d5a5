namespace ClutchCall.Voice.Moqt.Audio;

/// <summary>
/// The audio delivery profile (issue 3): one object per 20 ms frame, a new group every
/// <see cref="FramesPerGroup"/> frames (1 s), and objects older than <see cref="DeliveryTimeout"/>
/// dropped rather than queued by the publisher, the relay and slow subscribers alike.
/// </summary>
internal static class AudioDeliveryProfile
{
    /// <summary>Frames per group: 50 × 20 ms = 1 s.</summary>
    public const int FramesPerGroup = 50;

    /// <summary>Default delivery timeout.</summary>
    public static readonly TimeSpan DeliveryTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>Publisher priority for audio objects (draft-ietf-moq-transport-14 §7: lower is more urgent).</summary>
    public const byte PublisherPriority = 64;

    /// <summary>Largest encoded frame accepted (an Opus packet is at most 1275 bytes per frame; leave room for other codecs).</summary>
    public const int MaxFrameBytes = 4096;
}
