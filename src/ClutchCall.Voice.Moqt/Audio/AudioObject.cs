namespace ClutchCall.Voice.Moqt.Audio;

/// <summary>
/// One received audio object: a 20 ms encoded frame with its location and capture timestamp.
/// <see cref="Payload"/> is only valid during the callback that receives it; copy it to keep it.
/// </summary>
/// <param name="Location">Group and object id.</param>
/// <param name="CaptureTimestampUs">Capture time from the timestamp extension, or -1 when absent.</param>
/// <param name="Payload">The encoded frame.</param>
/// <param name="LostBefore">Objects the reassembler saw missing since the previous delivered one.</param>
internal readonly record struct AudioObject(Location Location, long CaptureTimestampUs, ReadOnlyMemory<byte> Payload, int LostBefore);
