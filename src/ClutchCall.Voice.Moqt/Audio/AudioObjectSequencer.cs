namespace ClutchCall.Voice.Moqt.Audio;

/// <summary>
/// Assigns locations to outgoing audio frames: one object per frame, a new group every
/// <see cref="AudioDeliveryProfile.FramesPerGroup"/> frames. A new group id is never below the previous
/// one plus one nor below the capture second, so ids keep rising across a publisher restart whose clock
/// is wall time (a relay's subscribers filter by location, draft-ietf-moq-transport-14 §9.7).
/// </summary>
internal sealed class AudioObjectSequencer
{
    private readonly int _framesPerGroup;
    private ulong _group;
    private ulong _object;
    private bool _started;

    public AudioObjectSequencer(int framesPerGroup = AudioDeliveryProfile.FramesPerGroup)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(framesPerGroup, 1);
        _framesPerGroup = framesPerGroup;
    }

    /// <summary>The last location handed out.</summary>
    public Location Current => new(_group, _object);

    /// <summary>Location for the next frame, captured at <paramref name="timestampUs"/>; true when it opens a new group.</summary>
    public Location Next(long timestampUs, out bool newGroup)
    {
        var second = timestampUs > 0 ? (ulong)(timestampUs / 1_000_000) : 0;
        if (!_started)
        {
            _started = true;
            _group = second;
            _object = 0;
            newGroup = true;
        }
        else if (_object + 1 >= (ulong)_framesPerGroup)
        {
            _group = Math.Max(_group + 1, second);
            _object = 0;
            newGroup = true;
        }
        else
        {
            _object++;
            newGroup = false;
        }

        return new Location(_group, _object);
    }

    /// <summary>Forces the next frame to open a new group (after a reconnect, so a fresh subscriber starts cleanly).</summary>
    public void BreakGroup()
    {
        if (_started)
        {
            _object = (ulong)_framesPerGroup;
        }
    }
}
