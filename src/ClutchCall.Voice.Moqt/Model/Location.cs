namespace ClutchCall.Voice.Moqt;

/// <summary>
/// A position in a track: group id then object id, ordered lexicographically
/// (draft-ietf-moq-transport-14 §2.3 "Location").
/// </summary>
internal readonly record struct Location(ulong Group, ulong Object) : IComparable<Location>
{
    public static Location Zero => default;

    public int CompareTo(Location other)
    {
        var byGroup = Group.CompareTo(other.Group);
        return byGroup != 0 ? byGroup : Object.CompareTo(other.Object);
    }

    public static bool operator <(Location left, Location right) => left.CompareTo(right) < 0;

    public static bool operator >(Location left, Location right) => left.CompareTo(right) > 0;

    public static bool operator <=(Location left, Location right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Location left, Location right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Group}/{Object}";
}
