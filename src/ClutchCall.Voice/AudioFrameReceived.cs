namespace ClutchCall.Voice;

/// <summary>
/// One encoded audio frame received on a call track (one MoQT object: 20 ms of Opus by default).
/// <see cref="Payload"/> is valid only during the callback that receives it: copy it (<c>Payload.ToArray()</c>) to keep it.
/// </summary>
public readonly struct AudioFrameReceived
{
    internal AudioFrameReceived(ReadOnlyMemory<byte> payload, long timestampUs, ulong group, ulong objectId, int lostBefore)
    {
        Payload = payload;
        TimestampUs = timestampUs;
        Group = group;
        ObjectId = objectId;
        LostBefore = lostBefore;
    }

    /// <summary>The encoded frame exactly as the sender published it.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The sender's capture timestamp in microseconds (from the object's timestamp extension), or -1 when absent.</summary>
    public long TimestampUs { get; }

    /// <summary>MoQT group id of the object (a new group starts about every second).</summary>
    public ulong Group { get; }

    /// <summary>MoQT object id within its group.</summary>
    public ulong ObjectId { get; }

    /// <summary>Frames detected as missing between the previous delivered frame and this one.</summary>
    public int LostBefore { get; }
}
