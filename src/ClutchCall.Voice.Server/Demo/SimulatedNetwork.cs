namespace ClutchCall.Voice.Server;

/// <summary>
/// A deterministic lossy network for the media demo: each packet sent every 20 ms gets a base delay plus
/// random jitter (so packets overtake each other), and is lost at random, sometimes in bursts.
/// </summary>
internal sealed class SimulatedNetwork(int seed, double lossPercent, int baseDelayMs, int jitterMs)
{
    private readonly Random _random = new(seed);
    private readonly PriorityQueue<Delivery, long> _inFlight = new();
    private int _burstLeft;

    public int Sent { get; private set; }

    public int Dropped { get; private set; }

    /// <summary>Sends a packet at <paramref name="sentUs"/>; it arrives later, or never.</summary>
    public void Send(ushort sequence, uint timestamp, ReadOnlySpan<byte> payload, long sentUs)
    {
        Sent++;
        if (_burstLeft > 0 || _random.NextDouble() * 100 < lossPercent)
        {
            // One loss in five starts a burst of two to four packets.
            _burstLeft = _burstLeft > 0 ? _burstLeft - 1 : _random.Next(5) == 0 ? _random.Next(1, 4) : 0;
            Dropped++;
            return;
        }

        // Mostly small jitter with an occasional spike (exponential tail).
        var jitterUs = (long)(-Math.Log(1 - _random.NextDouble()) * jitterMs * 1000 / 3);
        var arrivalUs = sentUs + (baseDelayMs * 1000L) + Math.Min(jitterUs, jitterMs * 4000L);
        _inFlight.Enqueue(new Delivery(sequence, timestamp, payload.ToArray()), arrivalUs);
    }

    /// <summary>Hands every packet that has arrived by <paramref name="nowUs"/> to <paramref name="deliver"/>.</summary>
    public void Deliver(long nowUs, Action<ushort, uint, byte[]> deliver)
    {
        while (_inFlight.TryPeek(out var packet, out var arrivalUs) && arrivalUs <= nowUs)
        {
            _inFlight.Dequeue();
            deliver(packet.Sequence, packet.Timestamp, packet.Payload);
        }
    }

    private readonly record struct Delivery(ushort Sequence, uint Timestamp, byte[] Payload);
}
