namespace ClutchCall.Voice.Sip.Srtp;

/// <summary>
/// The receiver's replay list (RFC 3711 §3.3.2): the highest index accepted and a 64-packet sliding bitmap
/// behind it (the minimum window size of §3.3.2).
/// </summary>
internal struct SrtpReplayWindow
{
    public const int Size = 64;

    private ulong _highest;
    private ulong _bitmap;
    private bool _any;

    /// <summary>True when <paramref name="index"/> is new and not older than the window.</summary>
    public readonly bool Check(ulong index)
    {
        if (!_any || index > _highest)
        {
            return true;
        }

        var delta = _highest - index;
        return delta < Size && (_bitmap & (1UL << (int)delta)) == 0;
    }

    /// <summary>Records an authenticated index (call after <see cref="Check"/> and authentication passed).</summary>
    public void Accept(ulong index)
    {
        if (!_any)
        {
            _any = true;
            _highest = index;
            _bitmap = 1;
            return;
        }

        if (index > _highest)
        {
            var shift = index - _highest;
            _bitmap = shift >= Size ? 1 : (_bitmap << (int)shift) | 1;
            _highest = index;
        }
        else
        {
            _bitmap |= 1UL << (int)(_highest - index);
        }
    }
}
