namespace ClutchCall.Voice.Relay.Auth;

/// <summary>The verified content of a relay token: who it belongs to, what it allows, until when.</summary>
internal sealed record RelayGrant(
    string OrgId,
    string TokenId,
    IReadOnlyList<RelayTrackGrant> Tracks,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt)
{
    /// <summary>True when the token lets its holder publish <paramref name="track"/> in <paramref name="ns"/>.</summary>
    public bool CanPublish(string ns, string track) => Allows(ns, track, RelayAction.Publish);

    /// <summary>True when the token lets its holder subscribe to <paramref name="track"/> in <paramref name="ns"/>.</summary>
    public bool CanSubscribe(string ns, string track) => Allows(ns, track, RelayAction.Subscribe);

    /// <summary>True when the token names <paramref name="ns"/> at all (for namespace-level requests).</summary>
    public bool CoversNamespace(string ns)
    {
        foreach (var t in Tracks)
        {
            if (string.Equals(t.Namespace, ns, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private bool Allows(string ns, string track, RelayAction action)
    {
        foreach (var t in Tracks)
        {
            if (t.Action == action
                && string.Equals(t.Namespace, ns, StringComparison.Ordinal)
                && string.Equals(t.Track, track, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
