namespace ClutchCall.Voice.Moqt.Audio;

/// <summary>
/// Subscriber-side bookkeeping for audio objects that arrive over several group streams. Each group has its
/// own stream (draft-ietf-moq-transport-14 §10.4.2), so the tail of one group can arrive after the head of the
/// next: objects up to <see cref="ReorderWindow"/> frames behind the newest are still passed on (the jitter
/// buffer puts them in place), duplicates and anything older are dropped, and frames never seen are counted.
/// </summary>
internal sealed class AudioReassembler
{
    /// <summary>How far behind the newest object a late one is still delivered (frames).</summary>
    public const int ReorderWindow = 32;

    private readonly int _framesPerGroup;
    private readonly ulong[] _recent = new ulong[ReorderWindow];
    private int _recentNext;
    private ulong _newest;
    private bool _any;

    public AudioReassembler(int framesPerGroup = AudioDeliveryProfile.FramesPerGroup)
    {
        _framesPerGroup = framesPerGroup;
    }

    /// <summary>Objects delivered.</summary>
    public long Delivered { get; private set; }

    /// <summary>Objects dropped as duplicates or too late.</summary>
    public long LateOrDuplicate { get; private set; }

    /// <summary>Objects missing so far (a late arrival inside the window is taken back off).</summary>
    public long Lost { get; private set; }

    /// <summary>
    /// Decides whether <paramref name="location"/> is delivered; <paramref name="lostBefore"/> counts the frames
    /// skipped between the previous newest object and this one (0 for a late arrival).
    /// </summary>
    public bool Accept(Location location, out int lostBefore)
    {
        lostBefore = 0;
        var index = (location.Group * (ulong)_framesPerGroup) + location.Object;
        if (!_any)
        {
            _any = true;
            _newest = index;
            Remember(index);
            Delivered++;
            return true;
        }

        if (index > _newest)
        {
            var gap = index - _newest - 1;
            lostBefore = gap > int.MaxValue ? int.MaxValue : (int)gap;
            Lost += (long)Math.Min(gap, (ulong)_framesPerGroup * 4);
            _newest = index;
            Remember(index);
            Delivered++;
            return true;
        }

        if (_newest - index >= ReorderWindow || Array.IndexOf(_recent, index + 1) >= 0)
        {
            LateOrDuplicate++;
            return false;
        }

        if (Lost > 0)
        {
            Lost--;
        }

        Remember(index);
        Delivered++;
        return true;
    }

    /// <summary>Forgets the position (a new subscription after a reconnect starts wherever the relay is).</summary>
    public void Reset()
    {
        _any = false;
        Array.Clear(_recent);
    }

    // Stored as index + 1 so the cleared value 0 never matches.
    private void Remember(ulong index)
    {
        _recent[_recentNext] = index + 1;
        _recentNext = (_recentNext + 1) % _recent.Length;
    }
}
