using System.Text;

namespace ClutchCall.Voice.Moqt;

/// <summary>
/// A track's full name: namespace tuple plus track name (draft-ietf-moq-transport-14 §2.4.1).
/// A call's tracks are <c>("voice", sid)</c> + <c>uplink</c> / <c>downlink</c>, shown to users as
/// <c>voice/&lt;sid&gt;/uplink</c>.
/// </summary>
internal sealed class FullTrackName : IEquatable<FullTrackName>
{
    private readonly byte[] _name;

    public FullTrackName(TrackNamespace trackNamespace, ReadOnlySpan<byte> name)
    {
        if (trackNamespace.ByteLength + name.Length > TrackNamespace.MaxFullNameBytes)
        {
            throw new ArgumentException($"A full track name is at most {TrackNamespace.MaxFullNameBytes} bytes.", nameof(name));
        }

        Namespace = trackNamespace;
        _name = name.ToArray();
    }

    public FullTrackName(TrackNamespace trackNamespace, string name)
        : this(trackNamespace, Encoding.UTF8.GetBytes(name))
    {
    }

    public TrackNamespace Namespace { get; }

    public ReadOnlySpan<byte> Name => _name;

    public string NameString => Encoding.UTF8.GetString(_name);

    /// <summary>The caller → cloud track of a call.</summary>
    public static FullTrackName Uplink(string sid) => new(TrackNamespace.ForCall(sid), "uplink");

    /// <summary>The cloud → caller track of a call.</summary>
    public static FullTrackName Downlink(string sid) => new(TrackNamespace.ForCall(sid), "downlink");

    /// <summary>Parses the user-facing form <c>a/b/.../track</c>: every segment but the last is a namespace field.</summary>
    public static bool TryParse(string path, out FullTrackName? name)
    {
        name = null;
        var parts = path.Split('/');
        if (parts.Length < 2 || Array.Exists(parts, string.IsNullOrEmpty))
        {
            return false;
        }

        try
        {
            name = new FullTrackName(TrackNamespace.FromStrings(parts[..^1]), parts[^1]);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public bool Equals(FullTrackName? other) =>
        other is not null && Namespace.Equals(other.Namespace) && _name.AsSpan().SequenceEqual(other._name);

    public override bool Equals(object? obj) => obj is FullTrackName other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Namespace);
        hash.AddBytes(_name);
        return hash.ToHashCode();
    }

    public override string ToString() => $"{Namespace}/{NameString}";
}
