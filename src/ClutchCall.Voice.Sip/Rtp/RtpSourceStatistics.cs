namespace ClutchCall.Voice.Sip.Rtp;

/// <summary>
/// Per-source receive state of RFC 3550: sequence number extension with wrap and probation
/// (§A.1), interarrival jitter (§A.8), and the loss figures of a reception report (§A.3).
/// </summary>
internal sealed class RtpSourceStatistics
{
    // RFC 3550 §A.1 constants.
    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;
    private const int MinSequential = 2;
    private const uint SeqMod = 1 << 16;

    private ushort _maxSeq;
    private uint _cycles;
    private uint _baseSeq;
    private uint _badSeq;
    private int _probation;
    private uint _received;
    private uint _expectedPrior;
    private uint _receivedPrior;
    private long _transit;
    private bool _haveTransit;
    private double _jitter;

    public RtpSourceStatistics(uint ssrc, ushort firstSequence)
    {
        Ssrc = ssrc;
        Init(firstSequence);
        _maxSeq = (ushort)(firstSequence - 1);
        _probation = MinSequential;
    }

    public uint Ssrc { get; }

    public uint Received => _received;

    /// <summary>Packets dropped as out of range or during probation.</summary>
    public uint Discarded { get; private set; }

    public uint ExtendedHighestSequence => _cycles + _maxSeq;

    public uint Expected => ExtendedHighestSequence - _baseSeq + 1;

    /// <summary>RFC 3550 §6.4.1: cumulative lost, clamped to the 24-bit signed field.</summary>
    public int CumulativeLost => (int)Math.Clamp((long)Expected - _received, -0x800000, 0x7FFFFF);

    /// <summary>Interarrival jitter in timestamp units (§6.4.1, computed per §A.8).</summary>
    public uint Jitter => (uint)_jitter;

    /// <summary>
    /// Updates with a packet's sequence number. Returns false when the packet is not counted as valid
    /// (still in probation, or a large jump that is waiting for confirmation).
    /// </summary>
    public bool UpdateSequence(ushort seq)
    {
        var udelta = (ushort)(seq - _maxSeq);
        if (_probation > 0)
        {
            // §A.1: a source is valid after MinSequential packets in sequence.
            if (seq == (ushort)(_maxSeq + 1))
            {
                _probation--;
                _maxSeq = seq;
                if (_probation == 0)
                {
                    Init(seq);
                    _received++;
                    return true;
                }
            }
            else
            {
                _probation = MinSequential - 1;
                _maxSeq = seq;
            }

            Discarded++;
            return false;
        }

        if (udelta < MaxDropout)
        {
            // In order, with permissible gap; a wrap adds a cycle.
            if (seq < _maxSeq)
            {
                _cycles += SeqMod;
            }

            _maxSeq = seq;
        }
        else if (udelta <= SeqMod - MaxMisorder)
        {
            // A very large jump: the source may have restarted; two sequential packets confirm it.
            if (seq == _badSeq)
            {
                Init(seq);
            }
            else
            {
                _badSeq = (uint)((seq + 1) & (SeqMod - 1));
                Discarded++;
                return false;
            }
        }

        // Otherwise a duplicate or reordered packet: counted as received.
        _received++;
        return true;
    }

    /// <summary>§A.8: J += (|D| - J) / 16 with D the transit-time difference in timestamp units.</summary>
    public void UpdateJitter(uint rtpTimestamp, long arrivalInTimestampUnits)
    {
        var transit = arrivalInTimestampUnits - rtpTimestamp;
        if (_haveTransit)
        {
            var d = Math.Abs(transit - _transit);
            _jitter += (d - _jitter) / 16.0;
        }

        _transit = transit;
        _haveTransit = true;
    }

    /// <summary>§A.3: fraction lost since the previous report, as an 8-bit fixed-point fraction.</summary>
    public byte TakeFractionLost()
    {
        var expected = Expected;
        var expectedInterval = expected - _expectedPrior;
        _expectedPrior = expected;
        var receivedInterval = _received - _receivedPrior;
        _receivedPrior = _received;
        var lostInterval = (long)expectedInterval - receivedInterval;
        return expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)((lostInterval << 8) / expectedInterval);
    }

    private void Init(ushort seq)
    {
        _baseSeq = seq;
        _maxSeq = seq;
        _badSeq = SeqMod + 1;
        _cycles = 0;
        _received = 0;
        _receivedPrior = 0;
        _expectedPrior = 0;
    }
}
