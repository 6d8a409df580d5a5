namespace ClutchCall.Voice.Sip.Dtmf;

/// <summary>
/// Turns RFC 4733 telephone-events into digits, each exactly once. An event is identified by its
/// SSRC and RTP timestamp (RFC 4733 §2.5.1.2: all packets of one event share the timestamp), so
/// continuation packets, the triple end packet (§2.5.1.4) and replays after an SSRC change are
/// recognized. A digit is reported on the first packet seen of its event; the event is closed by
/// its end bit, by the next event, or by <see cref="Poll"/> after a timeout when the end is lost.
/// </summary>
internal sealed class DtmfReceiver(TimeProvider time, TimeSpan? endTimeout = null)
{
    private const int RecentCapacity = 16;

    private readonly TimeSpan _endTimeout = endTimeout ?? TimeSpan.FromMilliseconds(500);
    private readonly (uint Ssrc, uint Timestamp)[] _recent = new (uint, uint)[RecentCapacity];
    private int _recentCount;
    private int _recentNext;
    private (uint Ssrc, uint Timestamp)? _open;
    private long _openLastSeen;

    /// <summary>Raised once per event with the digit.</summary>
    public event Action<char>? Digit;

    /// <summary>Raised when an event ends: by its end bit (true) or by timeout or a following event (false).</summary>
    public event Action<char, bool>? EventEnded;

    private char _openDigit;

    public int DigitsReported { get; private set; }

    public int Malformed { get; private set; }

    /// <summary>Feeds one telephone-event RTP payload.</summary>
    public void OnPacket(uint ssrc, uint rtpTimestamp, ReadOnlySpan<byte> payload)
    {
        if (!TelephoneEvent.TryRead(payload, out var ev) || ev.Digit is not { } digit)
        {
            Malformed++;
            return;
        }

        var key = (ssrc, rtpTimestamp);
        if (_open == key)
        {
            _openLastSeen = time.GetTimestamp();
            if (ev.End)
            {
                Close(endedByEndBit: true);
            }

            return;
        }

        if (Seen(key))
        {
            // A repeated end packet or a late duplicate of an event already reported.
            return;
        }

        if (_open is not null)
        {
            Close(endedByEndBit: false);
        }

        Remember(key);
        DigitsReported++;
        Digit?.Invoke(digit);
        if (!ev.End)
        {
            _open = key;
            _openDigit = digit;
            _openLastSeen = time.GetTimestamp();
        }
        else
        {
            EventEnded?.Invoke(digit, true);
        }
    }

    /// <summary>Closes an event whose end packets never came (RFC 4733 §2.5.2.2 tolerance).</summary>
    public void Poll()
    {
        if (_open is not null && time.GetElapsedTime(_openLastSeen) >= _endTimeout)
        {
            Close(endedByEndBit: false);
        }
    }

    private void Close(bool endedByEndBit)
    {
        _open = null;
        EventEnded?.Invoke(_openDigit, endedByEndBit);
    }

    private bool Seen((uint, uint) key)
    {
        for (var i = 0; i < _recentCount; i++)
        {
            if (_recent[i] == key)
            {
                return true;
            }
        }

        return false;
    }

    private void Remember((uint, uint) key)
    {
        _recent[_recentNext] = key;
        _recentNext = (_recentNext + 1) % RecentCapacity;
        _recentCount = Math.Min(_recentCount + 1, RecentCapacity);
    }
}
