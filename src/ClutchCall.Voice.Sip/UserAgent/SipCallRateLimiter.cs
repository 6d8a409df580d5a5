namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>Per-trunk admission: a token bucket for outbound call rate and a cap on concurrent calls.</summary>
internal sealed class SipCallRateLimiter(double callsPerSecond, int maxConcurrent, TimeProvider time)
{
    private readonly Lock _gate = new();
    private double _tokens = Math.Max(1, callsPerSecond);
    private long _last = time.GetTimestamp();
    private int _active;

    public int ActiveCalls
    {
        get
        {
            lock (_gate)
            {
                return _active;
            }
        }
    }

    /// <summary>Takes a slot; null on success, else why not.</summary>
    public string? TryAcquire(bool outbound)
    {
        lock (_gate)
        {
            if (maxConcurrent > 0 && _active >= maxConcurrent)
            {
                return $"trunk is at its limit of {maxConcurrent} concurrent calls";
            }

            if (outbound && callsPerSecond > 0)
            {
                var now = time.GetTimestamp();
                var elapsed = (now - _last) / (double)time.TimestampFrequency;
                _last = now;
                _tokens = Math.Min(Math.Max(1, callsPerSecond), _tokens + (elapsed * callsPerSecond));
                if (_tokens < 1)
                {
                    return $"trunk call rate limit of {callsPerSecond} calls/s reached";
                }

                _tokens -= 1;
            }

            _active++;
            return null;
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _active = Math.Max(0, _active - 1);
        }
    }
}
