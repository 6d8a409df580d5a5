namespace ClutchCall.Voice.Agents.Pipeline;

/// <summary>
/// Hands DTMF digits from any thread (SIP signalling, RTP telephone-events, the API) to the pipeline's single
/// uplink thread, which applies them to its turn detector between frames. A fixed ring: nothing is allocated
/// after construction, and the consumer's per-frame check is one volatile read. A digit that finds the ring
/// full is dropped and counted rather than blocking the producer.
/// </summary>
internal sealed class DtmfDigitQueue
{
    /// <summary>Digits that can wait between two caller frames; far more than anyone presses in 20 ms.</summary>
    public const int Capacity = 64;

    private readonly (char Digit, long ReceivedAt)[] _ring = new (char, long)[Capacity];
    private readonly Lock _gate = new();
    private int _head;
    private int _count;
    private long _dropped;

    /// <summary>Digits dropped because the ring was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>True when no digit waits (a volatile read; safe from any thread).</summary>
    public bool IsEmpty => Volatile.Read(ref _count) == 0;

    /// <summary>Queues one digit received at <paramref name="receivedAt"/> (a <see cref="TimeProvider"/> timestamp). Thread-safe.</summary>
    public bool TryEnqueue(char digit, long receivedAt)
    {
        lock (_gate)
        {
            if (_count == Capacity)
            {
                Interlocked.Increment(ref _dropped);
                return false;
            }

            _ring[(_head + _count) % Capacity] = (digit, receivedAt);
            Volatile.Write(ref _count, _count + 1);
            return true;
        }
    }

    /// <summary>Takes the oldest digit. Thread-safe; the pipeline calls it from its uplink thread only.</summary>
    public bool TryDequeue(out char digit, out long receivedAt)
    {
        if (IsEmpty)
        {
            digit = '\0';
            receivedAt = 0;
            return false;
        }

        lock (_gate)
        {
            if (_count == 0)
            {
                digit = '\0';
                receivedAt = 0;
                return false;
            }

            (digit, receivedAt) = _ring[_head];
            _head = (_head + 1) % Capacity;
            Volatile.Write(ref _count, _count - 1);
            return true;
        }
    }

    /// <summary>True for the sixteen RFC 4733 §3.2 DTMF events as characters: 0-9, *, #, A-D.</summary>
    public static bool IsDigit(char c) => c is (>= '0' and <= '9') or '*' or '#' or (>= 'A' and <= 'D');
}
