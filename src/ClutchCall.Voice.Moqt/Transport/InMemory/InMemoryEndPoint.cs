using System.Net;

namespace ClutchCall.Voice.Moqt.Transport.InMemory;

/// <summary>Address of an in-process endpoint: a name, for logs.</summary>
internal sealed class InMemoryEndPoint(string name) : EndPoint
{
    public string Name { get; } = name;

    public override string ToString() => "memory://" + Name;

    public override bool Equals(object? obj) => obj is InMemoryEndPoint other && other.Name == Name;

    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);
}
