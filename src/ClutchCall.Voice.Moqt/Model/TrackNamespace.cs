using System.Text;

namespace ClutchCall.Voice.Moqt;

/// <summary>
/// A track namespace: an ordered tuple of 1..32 byte-string fields
/// (draft-ietf-moq-transport-14 §2.4.1). Fields are kept byte-exact; <see cref="ToString"/> shows
/// them as UTF-8 joined by '/', which is how users see a call's namespace (<c>voice/&lt;sid&gt;</c>).
/// Instances are immutable and compare by value.
/// </summary>
internal sealed class TrackNamespace : IEquatable<TrackNamespace>
{
    /// <summary>draft-ietf-moq-transport-14 §2.4.1: at most 32 fields.</summary>
    public const int MaxFields = 32;

    /// <summary>draft-ietf-moq-transport-14 §2.4.1: namespace plus track name at most 4,096 bytes.</summary>
    public const int MaxFullNameBytes = 4096;

    private readonly byte[][] _fields;
    private readonly int _hash;

    private TrackNamespace(byte[][] fields)
    {
        _fields = fields;
        var hash = new HashCode();
        hash.Add(fields.Length);
        foreach (var f in fields)
        {
            hash.AddBytes(f);
        }

        _hash = hash.ToHashCode();
    }

    /// <summary>Number of tuple fields.</summary>
    public int Count => _fields.Length;

    /// <summary>Total bytes of all fields.</summary>
    public int ByteLength
    {
        get
        {
            var n = 0;
            foreach (var f in _fields)
            {
                n += f.Length;
            }

            return n;
        }
    }

    /// <summary>One field's bytes.</summary>
    public ReadOnlySpan<byte> this[int index] => _fields[index];

    /// <summary>Builds a namespace from byte fields (copied). Throws <see cref="ArgumentException"/> past the draft's limits.</summary>
    public static TrackNamespace FromBytes(IReadOnlyList<ReadOnlyMemory<byte>> fields)
    {
        var copy = new byte[fields.Count][];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = fields[i].ToArray();
        }

        return Validate(copy);
    }

    /// <summary>Builds a namespace from UTF-8 string fields.</summary>
    public static TrackNamespace FromStrings(params string[] fields)
    {
        var bytes = new byte[fields.Length][];
        for (var i = 0; i < fields.Length; i++)
        {
            bytes[i] = Encoding.UTF8.GetBytes(fields[i]);
        }

        return Validate(bytes);
    }

    /// <summary>Takes ownership of already-copied field arrays (for the wire reader).</summary>
    internal static TrackNamespace FromOwnedFields(byte[][] fields) => Validate(fields);

    /// <summary>The namespace of a call's audio tracks: <c>("voice", sid)</c>.</summary>
    public static TrackNamespace ForCall(string sid) => FromStrings("voice", sid);

    /// <summary>True when this namespace starts with every field of <paramref name="prefix"/>.</summary>
    public bool StartsWith(TrackNamespace prefix)
    {
        if (prefix._fields.Length > _fields.Length)
        {
            return false;
        }

        for (var i = 0; i < prefix._fields.Length; i++)
        {
            if (!_fields[i].AsSpan().SequenceEqual(prefix._fields[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A field decoded as UTF-8.</summary>
    public string FieldString(int index) => Encoding.UTF8.GetString(_fields[index]);

    public bool Equals(TrackNamespace? other)
    {
        if (other is null || other._hash != _hash || other._fields.Length != _fields.Length)
        {
            return false;
        }

        for (var i = 0; i < _fields.Length; i++)
        {
            if (!_fields[i].AsSpan().SequenceEqual(other._fields[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is TrackNamespace other && Equals(other);

    public override int GetHashCode() => _hash;

    public override string ToString()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < _fields.Length; i++)
        {
            if (i > 0)
            {
                sb.Append('/');
            }

            sb.Append(Encoding.UTF8.GetString(_fields[i]));
        }

        return sb.ToString();
    }

    private static TrackNamespace Validate(byte[][] fields)
    {
        if (fields.Length is 0 or > MaxFields)
        {
            throw new ArgumentException($"A track namespace has 1 to {MaxFields} fields; got {fields.Length}.", nameof(fields));
        }

        var total = 0;
        foreach (var f in fields)
        {
            total += f.Length;
        }

        if (total > MaxFullNameBytes)
        {
            throw new ArgumentException($"A track namespace is at most {MaxFullNameBytes} bytes; got {total}.", nameof(fields));
        }

        return new TrackNamespace(fields);
    }
}
