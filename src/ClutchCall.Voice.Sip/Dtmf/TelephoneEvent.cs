using System.Buffers.Binary;

namespace ClutchCall.Voice.Sip.Dtmf;

/// <summary>An RFC 4733 §2.3 telephone-event payload: event, end bit, volume, duration.</summary>
internal readonly record struct TelephoneEvent(byte Event, bool End, byte Volume, ushort Duration)
{
    public const int Length = 4;

    /// <summary>RFC 4733 §3.2: events 0-9 digits, 10 '*', 11 '#', 12-15 A-D, 16 flash.</summary>
    public char? Digit => ToDigit(Event);

    public static char? ToDigit(byte ev) => ev switch
    {
        <= 9 => (char)('0' + ev),
        10 => '*',
        11 => '#',
        >= 12 and <= 15 => (char)('A' + ev - 12),
        16 => '!',
        _ => null,
    };

    public static byte? FromDigit(char c) => char.ToUpperInvariant(c) switch
    {
        >= '0' and <= '9' => (byte)(c - '0'),
        '*' => 10,
        '#' => 11,
        >= 'A' and <= 'D' => (byte)(char.ToUpperInvariant(c) - 'A' + 12),
        '!' => 16,
        _ => null,
    };

    public static bool TryRead(ReadOnlySpan<byte> payload, out TelephoneEvent ev)
    {
        // RFC 4733 §2.3: a payload may hold several 4-octet events (redundancy); the first is current.
        if (payload.Length < Length)
        {
            ev = default;
            return false;
        }

        ev = new TelephoneEvent(payload[0], (payload[1] & 0x80) != 0, (byte)(payload[1] & 0x3F), BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        return true;
    }

    public int Write(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            return 0;
        }

        destination[0] = Event;
        destination[1] = (byte)((End ? 0x80 : 0) | (Volume & 0x3F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Duration);
        return Length;
    }
}
