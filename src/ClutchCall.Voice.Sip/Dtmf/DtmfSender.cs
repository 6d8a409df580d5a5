namespace ClutchCall.Voice.Sip.Dtmf;

/// <summary>One RTP packet to send for a telephone-event.</summary>
internal readonly record struct DtmfPacket(TelephoneEvent Event, bool Marker, uint TimestampOffset, int SendAtMs);

/// <summary>
/// Produces the RFC 4733 §2.5.1 packet sequence for digits: a first packet with the marker bit,
/// updates every packetization interval with growing duration, and the final packet with the end
/// bit sent three times (§2.5.1.4). All packets of one event share its start timestamp.
/// </summary>
internal static class DtmfSender
{
    public static List<DtmfPacket> Build(string digits, int clockRate = 8000, int toneMs = 100, int gapMs = 60, int packetMs = 20, byte volume = 10)
    {
        var packets = new List<DtmfPacket>();
        var at = 0;
        var samplesPerMs = clockRate / 1000;
        foreach (var c in digits)
        {
            if (TelephoneEvent.FromDigit(c) is not { } code)
            {
                throw new ArgumentException($"'{c}' is not a DTMF digit", nameof(digits));
            }

            var start = (uint)(at * samplesPerMs);
            for (var t = 0; t < toneMs; t += packetMs)
            {
                var duration = (ushort)Math.Min((t + packetMs) * samplesPerMs, ushort.MaxValue);
                var end = t + packetMs >= toneMs;
                var ev = new TelephoneEvent(code, end, volume, duration);
                var repeats = end ? 3 : 1;
                for (var r = 0; r < repeats; r++)
                {
                    packets.Add(new DtmfPacket(ev, t == 0 && r == 0, start, at + t));
                }
            }

            at += toneMs + gapMs;
        }

        return packets;
    }
}
