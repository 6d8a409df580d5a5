using System.Buffers;

namespace ClutchCall.Voice.Media;

/// <summary>
/// Adaptive jitter buffer for one incoming packetized audio stream: packets go in as they arrive
/// (<see cref="Push"/>), and one frame of PCM comes out per media-clock tick (<see cref="Pop"/>).
/// </summary>
/// <remarks>
/// <para>Ordering is by RTP sequence number, extended past its 16-bit wrap (RFC 3550 §A.1). Packets are
/// reordered, duplicates and packets whose playout time has passed are dropped and counted.</para>
/// <para>The target delay follows the RFC 3550 §6.4.1 interarrival jitter estimate: target = one frame +
/// <see cref="JitterBufferOptions.JitterMultiplier"/> × J, rounded up to whole frames and clamped to
/// [<see cref="JitterBufferOptions.MinDelayMs"/>, <see cref="JitterBufferOptions.MaxDelayMs"/>]. Playout
/// starts once the target is buffered. The actual delay grows by one frame on each underrun (a tick that
/// finds nothing to play) and by inserted concealment when it falls two frames below the target; it shrinks
/// by dropping a frame when it exceeds the target by more than the hysteresis.</para>
/// <para>A missing packet with later ones already here is lost: it is rebuilt from the next packet's
/// in-band FEC when the codec carries it (Opus), otherwise concealed by the decoder (Opus PLC, G.711
/// repetition with fade-out).</para>
/// <para>Payloads are copied into storage rented once from <see cref="ArrayPool{T}"/>; push and pop
/// allocate nothing. One instance belongs to one stream and is not thread-safe: the network side and the
/// clock side must serialise their calls (the owning call leg holds a lock or runs both on one loop).
/// Dispose returns the storage and disposes nothing else: the decoder stays the caller's.</para>
/// </remarks>
internal sealed class JitterBuffer : IDisposable
{
    private readonly IAudioDecoder _decoder;
    private readonly TimeProvider _time;
    private readonly JitterBufferOptions _options;
    private readonly bool _fec;
    private readonly int _mask;
    private readonly int _maxPayload;
    private readonly long _origin;
    private readonly int _minFrames;
    private readonly int _maxFrames;
    private readonly short[] _scratch;
    private readonly long[] _slotSequence;
    private readonly int[] _slotLength;
    private readonly long[] _seen;
    private byte[]? _storage;

    private bool _hasPackets;
    private bool _playing;
    private long _highest;
    private long _next;

    // RFC 3550 §6.4.1 jitter state: previous packet's arrival and sender times in microseconds.
    private bool _hasTransit;
    private long _lastArrivalUs;
    private long _lastSenderUs;
    private uint _lastRtp;
    private long _rtpExtended;
    private double _jitterUs;
    private int _targetFrames;

    private long _received;
    private long _late;
    private long _lost;
    private long _concealed;
    private long _duplicates;
    private long _fecRecovered;
    private long _underruns;
    private long _stretched;
    private long _discarded;
    private long _oversized;
    private long _decodeErrors;
    private long _resets;

    public JitterBuffer(IAudioDecoder decoder, TimeProvider timeProvider, JitterBufferOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options ?? new JitterBufferOptions();
        _options.Validate();
        _decoder = decoder;
        _time = timeProvider;
        _fec = _options.UseFec && decoder.Codec == AudioCodec.Opus;
        SamplesPerChannel = decoder.Format.SamplesPerChannel(_options.FrameMs);
        FrameSamples = SamplesPerChannel * decoder.Format.Channels;
        _scratch = new short[FrameSamples];
        var capacity = _options.Capacity;
        _mask = capacity - 1;
        _maxPayload = _options.MaxPayloadBytes;
        _slotSequence = new long[capacity];
        _slotLength = new int[capacity];
        _seen = new long[capacity * 2];
        _storage = ArrayPool<byte>.Shared.Rent(capacity * _maxPayload);
        _minFrames = (_options.MinDelayMs + _options.FrameMs - 1) / _options.FrameMs;
        _maxFrames = _options.MaxDelayMs / _options.FrameMs;
        _origin = timeProvider.GetTimestamp();
        Reset();
    }

    /// <summary>Samples per channel in every frame <see cref="Pop"/> writes.</summary>
    public int SamplesPerChannel { get; }

    /// <summary>Interleaved samples in every frame <see cref="Pop"/> writes (the destination size).</summary>
    public int FrameSamples { get; }

    public JitterBufferStats Stats => new(
        _targetFrames * _options.FrameMs,
        DepthFrames * _options.FrameMs,
        _jitterUs / 1000.0,
        _received,
        _late,
        _lost,
        _concealed,
        _duplicates,
        _fecRecovered,
        _underruns,
        _stretched,
        _discarded,
        _oversized,
        _decodeErrors,
        _resets);

    private int DepthFrames => _hasPackets ? (int)Math.Max(0, _highest - _next + 1) : 0;

    /// <summary>Adds a packet carrying an RTP timestamp in <see cref="JitterBufferOptions.TimestampRate"/> units.</summary>
    public JitterPushResult Push(ushort sequence, uint rtpTimestamp, ReadOnlySpan<byte> payload)
    {
        long senderUs;
        if (_hasTransit)
        {
            // RFC 3550 §5.1: timestamps wrap at 2^32; the signed difference keeps the order.
            _rtpExtended += (int)(rtpTimestamp - _lastRtp);
        }

        _lastRtp = rtpTimestamp;
        senderUs = _rtpExtended * 1_000_000 / _options.TimestampRate;
        return PushCore(sequence, senderUs, payload);
    }

    /// <summary>Adds a packet stamped with its capture time in microseconds (MoQT objects carry it).</summary>
    public JitterPushResult PushCaptureTime(ushort sequence, long captureUs, ReadOnlySpan<byte> payload) =>
        PushCore(sequence, captureUs, payload);

    /// <summary>
    /// Writes the next <see cref="FrameSamples"/> samples to <paramref name="destination"/>: the due packet
    /// decoded, or a recovered or concealed frame, or silence while buffering. Call once per frame period.
    /// </summary>
    public JitterFrameKind Pop(Span<short> destination)
    {
        if (destination.Length < FrameSamples)
        {
            throw new ArgumentException($"Destination holds {destination.Length} samples; a frame is {FrameSamples}.", nameof(destination));
        }

        ObjectDisposedException.ThrowIf(_storage is null, this);
        var output = destination[..FrameSamples];
        if (!_playing)
        {
            if (!_hasPackets || DepthFrames < _targetFrames)
            {
                output.Clear();
                return JitterFrameKind.Buffering;
            }

            _playing = true;
        }

        if (IsPresent(_next) && DepthFrames > _targetFrames + _options.ShrinkHysteresisFrames)
        {
            // Too much delay: decode the due packet (keeping decoder state continuous), drop it, and go on
            // with the next one. At most one frame per pop, so the catch-up stays gentle.
            DecodeSlot(_next, _scratch);
            Release(_next);
            _next++;
            _discarded++;
        }

        var depth = DepthFrames;
        if (depth == 0)
        {
            // Nothing to play: conceal and keep waiting for the due packet (the delay grows by a frame).
            _underruns++;
            return Conceal(output);
        }

        if (IsPresent(_next))
        {
            if (depth < _targetFrames - 1)
            {
                // Well below the target (it rose after a jitter spike): stretch by one concealed frame.
                _stretched++;
                return Conceal(output);
            }

            var kind = DecodeSlot(_next, output) ? JitterFrameKind.Decoded : ConcealCorrupt(output);
            Release(_next);
            _next++;
            return kind;
        }

        // The due packet is missing but later ones are here: it is lost.
        _lost++;
        var next = _next;
        _next++;
        if (_fec && IsPresent(next + 1))
        {
            var slot = (int)((next + 1) & _mask);
            _decoder.DecodeFec(_storage.AsSpan(slot * _maxPayload, _slotLength[slot]), output, SamplesPerChannel);
            _fecRecovered++;
            return JitterFrameKind.FecRecovered;
        }

        return Conceal(output);
    }

    /// <summary>Empties the buffer and forgets the stream (counters are kept).</summary>
    public void Reset()
    {
        Array.Fill(_slotSequence, -1);
        Array.Fill(_seen, -1);
        _hasPackets = false;
        _playing = false;
        _hasTransit = false;
        _rtpExtended = 0;
        _jitterUs = 0;
        _targetFrames = _minFrames;
    }

    public void Dispose()
    {
        var storage = _storage;
        _storage = null;
        if (storage is not null)
        {
            ArrayPool<byte>.Shared.Return(storage);
        }
    }

    private JitterPushResult PushCore(ushort sequence, long senderUs, ReadOnlySpan<byte> payload)
    {
        ObjectDisposedException.ThrowIf(_storage is null, this);
        if (payload.Length > _maxPayload)
        {
            _oversized++;
            return JitterPushResult.TooLarge;
        }

        _received++;
        var ext = Extend(sequence);
        if (_seen[ext & (_seen.Length - 1)] == ext)
        {
            _duplicates++;
            return JitterPushResult.Duplicate;
        }

        _seen[ext & (_seen.Length - 1)] = ext;
        if (!_hasPackets)
        {
            _hasPackets = true;
            _highest = ext;
            _next = ext;
        }
        else if (ext - _next >= _slotSequence.Length)
        {
            // The stream jumped further ahead than the buffer reaches (sender restart, huge gap): start over.
            _resets++;
            Array.Fill(_slotSequence, -1);
            _playing = false;
            _highest = ext;
            _next = ext;
            _hasTransit = false;
            _jitterUs = 0;
        }
        else if (ext < _next)
        {
            if (_playing || _highest - ext >= _slotSequence.Length)
            {
                // A late packet still tells how late the network is running.
                UpdateJitter(senderUs);
                _late++;
                return JitterPushResult.Late;
            }

            // Before playout starts an older packet simply moves the start back.
            _next = ext;
        }

        UpdateJitter(senderUs);
        var slot = (int)(ext & _mask);
        _slotSequence[slot] = ext;
        _slotLength[slot] = payload.Length;
        payload.CopyTo(_storage.AsSpan(slot * _maxPayload, _maxPayload));
        _highest = Math.Max(_highest, ext);
        return JitterPushResult.Accepted;
    }

    /// <summary>RFC 3550 §A.1: extends a 16-bit sequence number to the one nearest the highest seen.</summary>
    private long Extend(ushort sequence)
    {
        if (!_hasPackets)
        {
            // Start well above zero so reordered packets just before the first one stay positive.
            return (1L << 16) + sequence;
        }

        var delta = (short)(sequence - (ushort)_highest);
        return _highest + delta;
    }

    private void UpdateJitter(long senderUs)
    {
        var arrivalUs = (long)_time.GetElapsedTime(_origin).TotalMicroseconds;
        if (_hasTransit)
        {
            // RFC 3550 §6.4.1: D(i,j) = (Rj - Ri) - (Sj - Si); J += (|D(i-1,i)| - J) / 16.
            var d = (arrivalUs - _lastArrivalUs) - (senderUs - _lastSenderUs);
            _jitterUs += (Math.Abs(d) - _jitterUs) / 16.0;
        }

        _hasTransit = true;
        _lastArrivalUs = arrivalUs;
        _lastSenderUs = senderUs;

        var frameUs = _options.FrameMs * 1000.0;
        var wanted = (int)Math.Ceiling((frameUs + (_options.JitterMultiplier * _jitterUs)) / frameUs);
        _targetFrames = Math.Clamp(wanted, _minFrames, _maxFrames);
    }

    private bool IsPresent(long ext) => _slotSequence[ext & _mask] == ext;

    private void Release(long ext) => _slotSequence[ext & _mask] = -1;

    private bool DecodeSlot(long ext, Span<short> output)
    {
        var slot = (int)(ext & _mask);
        var packet = _storage.AsSpan(slot * _maxPayload, _slotLength[slot]);
        if (_decoder.TryDecode(packet, output, out var samples) && samples == SamplesPerChannel)
        {
            return true;
        }

        return false;
    }

    private JitterFrameKind ConcealCorrupt(Span<short> output)
    {
        _decodeErrors++;
        return Conceal(output);
    }

    private JitterFrameKind Conceal(Span<short> output)
    {
        _decoder.Conceal(output, SamplesPerChannel);
        _concealed++;
        return JitterFrameKind.Concealed;
    }
}
