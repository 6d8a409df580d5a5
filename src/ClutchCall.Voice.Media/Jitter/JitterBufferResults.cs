namespace ClutchCall.Voice.Media;

/// <summary>What <see cref="JitterBuffer.Push"/> did with a packet.</summary>
internal enum JitterPushResult
{
    /// <summary>Stored for playout.</summary>
    Accepted,

    /// <summary>Already received; dropped.</summary>
    Duplicate,

    /// <summary>Its playout time has passed; dropped.</summary>
    Late,

    /// <summary>Larger than <see cref="JitterBufferOptions.MaxPayloadBytes"/>; dropped.</summary>
    TooLarge,
}

/// <summary>Where the frame written by <see cref="JitterBuffer.Pop"/> came from.</summary>
internal enum JitterFrameKind
{
    /// <summary>Silence while the buffer fills to its target delay before playout starts.</summary>
    Buffering,

    /// <summary>The packet due now, decoded.</summary>
    Decoded,

    /// <summary>A lost packet rebuilt from the next packet's in-band FEC.</summary>
    FecRecovered,

    /// <summary>Packet-loss concealment (loss, underrun, corrupt packet or delay stretch).</summary>
    Concealed,
}
