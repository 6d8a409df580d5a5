using System.Buffers;
using System.Text;

namespace ClutchCall.Voice.Moqt.Wire;

/// <summary>Shared structures of draft-ietf-moq-transport-14 §1.4 and §2.4.1, read with limits checked first.</summary>
internal static class MoqtWireFields
{
    /// <summary>§1.4.3: a reason phrase is at most 1,024 bytes.</summary>
    public const int MaxReasonPhraseLength = 1024;

    /// <summary>
    /// §2.4.1 Track Namespace (tuple): 1..32 fields, and with the track name at most 4,096 bytes; anything else
    /// is a PROTOCOL_VIOLATION. <paramref name="budget"/> is the byte allowance left for the full name.
    /// </summary>
    public static TrackNamespace ReadNamespace(ref MoqtSpanReader reader, string field, ref int budget)
    {
        var count = reader.ReadVarint(field + " field count");
        if (count is 0 or > TrackNamespace.MaxFields)
        {
            throw MoqtProtocolException.Violation($"{field} has {count} fields; a namespace has 1 to {TrackNamespace.MaxFields}.");
        }

        var fields = new byte[(int)count][];
        for (var i = 0; i < fields.Length; i++)
        {
            var bytes = ReadNameBytes(ref reader, field, ref budget);
            fields[i] = bytes.ToArray();
        }

        return TrackNamespace.FromOwnedFields(fields);
    }

    public static TrackNamespace ReadNamespace(ref MoqtSpanReader reader, string field)
    {
        var budget = TrackNamespace.MaxFullNameBytes;
        return ReadNamespace(ref reader, field, ref budget);
    }

    /// <summary>§2.4.1 Full Track Name: namespace tuple then Track Name Length and Track Name.</summary>
    public static FullTrackName ReadFullTrackName(ref MoqtSpanReader reader)
    {
        var budget = TrackNamespace.MaxFullNameBytes;
        var ns = ReadNamespace(ref reader, "track_namespace", ref budget);
        var name = ReadNameBytes(ref reader, "track_name", ref budget);
        return new FullTrackName(ns, name);
    }

    /// <summary>§1.4.3 Reason Phrase: at most 1,024 bytes of UTF-8, else PROTOCOL_VIOLATION.</summary>
    public static string ReadReasonPhrase(ref MoqtSpanReader reader) =>
        Encoding.UTF8.GetString(reader.ReadLengthPrefixed("reason_phrase", MaxReasonPhraseLength));

    /// <summary>§1.4.1 Location: Group then Object.</summary>
    public static Location ReadLocation(ref MoqtSpanReader reader, string field) =>
        new(reader.ReadVarint(field + " group"), reader.ReadVarint(field + " object"));

    /// <summary>A one-byte boolean field: 0 or 1, anything else a PROTOCOL_VIOLATION (e.g. Forward, §9.7).</summary>
    public static bool ReadFlag(ref MoqtSpanReader reader, string field)
    {
        var value = reader.ReadByte(field);
        return value switch
        {
            0 => false,
            1 => true,
            _ => throw MoqtProtocolException.Violation($"{field} is {value}; only 0 or 1 are allowed."),
        };
    }

    /// <summary>§9.7 Group Order (8): 0, 1 or 2; "Values larger than 0x2 are a protocol error."</summary>
    public static MoqtGroupOrder ReadGroupOrder(ref MoqtSpanReader reader)
    {
        var value = reader.ReadByte("group_order");
        return value <= 2
            ? (MoqtGroupOrder)value
            : throw MoqtProtocolException.Violation($"group_order {value} is not 0, 1 or 2.");
    }

    public static void WriteNamespace(IBufferWriter<byte> writer, TrackNamespace ns)
    {
        writer.WriteVarint((ulong)ns.Count);
        for (var i = 0; i < ns.Count; i++)
        {
            writer.WriteLengthPrefixed(ns[i]);
        }
    }

    public static void WriteFullTrackName(IBufferWriter<byte> writer, FullTrackName name)
    {
        WriteNamespace(writer, name.Namespace);
        writer.WriteLengthPrefixed(name.Name);
    }

    public static void WriteReasonPhrase(IBufferWriter<byte> writer, string reason)
    {
        var length = Encoding.UTF8.GetByteCount(reason);
        if (length > MaxReasonPhraseLength)
        {
            throw new ArgumentException($"A reason phrase is at most {MaxReasonPhraseLength} bytes of UTF-8.", nameof(reason));
        }

        writer.WriteVarint((ulong)length);
        var span = writer.GetSpan(length);
        Encoding.UTF8.GetBytes(reason, span);
        writer.Advance(length);
    }

    public static void WriteLocation(IBufferWriter<byte> writer, Location location)
    {
        writer.WriteVarint(location.Group);
        writer.WriteVarint(location.Object);
    }

    private static ReadOnlySpan<byte> ReadNameBytes(ref MoqtSpanReader reader, string field, ref int budget)
    {
        var length = reader.ReadVarint(field + " length");
        if (length > (ulong)budget)
        {
            throw MoqtProtocolException.Violation($"Full track name exceeds {TrackNamespace.MaxFullNameBytes} bytes at {field}.");
        }

        budget -= (int)length;
        return reader.ReadBytes((int)length, field);
    }
}
