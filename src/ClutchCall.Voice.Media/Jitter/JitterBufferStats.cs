namespace ClutchCall.Voice.Media;

/// <summary>A snapshot of a <see cref="JitterBuffer"/>'s state and counters.</summary>
/// <param name="TargetDelayMs">Delay the buffer currently aims for, adapted to the measured jitter.</param>
/// <param name="DepthMs">Audio buffered ahead of the playout point (including holes).</param>
/// <param name="JitterMs">RFC 3550 §6.4.1 interarrival jitter estimate.</param>
/// <param name="Received">Packets pushed with an acceptable size (including late ones and duplicates).</param>
/// <param name="Late">Packets that arrived after their playout time (dropped).</param>
/// <param name="Lost">Frames whose packet was missing at playout time while later ones had arrived.</param>
/// <param name="Concealed">Frames synthesised by the decoder's packet-loss concealment.</param>
/// <param name="Duplicates">Packets received twice (dropped).</param>
/// <param name="FecRecovered">Lost frames rebuilt from the next packet's in-band FEC.</param>
/// <param name="Underruns">Pops that found the buffer empty (concealed; the delay grows by a frame).</param>
/// <param name="Stretched">Concealed frames inserted to raise the delay toward a higher target.</param>
/// <param name="Discarded">Frames dropped to shrink the delay toward a lower target.</param>
/// <param name="Oversized">Packets larger than the configured maximum (dropped).</param>
/// <param name="DecodeErrors">Packets the decoder rejected as corrupt (concealed).</param>
/// <param name="Resets">Times the stream jumped beyond the buffer's reach and the buffer started over.</param>
internal readonly record struct JitterBufferStats(
    int TargetDelayMs,
    int DepthMs,
    double JitterMs,
    long Received,
    long Late,
    long Lost,
    long Concealed,
    long Duplicates,
    long FecRecovered,
    long Underruns,
    long Stretched,
    long Discarded,
    long Oversized,
    long DecodeErrors,
    long Resets);
