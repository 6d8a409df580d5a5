using System.Collections.Concurrent;
using ClutchCall.Voice.Server.Storage;
using ClutchCall.Voice.Sip.UserAgent;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>
/// Which orgs may dial out through which trunk (<c>Sip:Trunks:&lt;id&gt;:Orgs</c>, org ids or names). A trunk
/// is a carrier account someone pays for, so one org's key must never place calls on another org's trunk.
/// </summary>
internal sealed class SipTrunkAccess(IOrgStore? orgs)
{
    // Org names resolved to ids; an org's id never changes, so a hit is final. Misses are not cached
    // because the org may be created after the server started.
    private readonly ConcurrentDictionary<string, string> _idsByName = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="orgId"/> may use <paramref name="trunk"/>.</summary>
    public async ValueTask<bool> AllowsAsync(SipTrunkOptions trunk, string orgId, CancellationToken cancellationToken)
    {
        if (trunk.Orgs.Count == 0)
        {
            return true;
        }

        foreach (var entry in trunk.Orgs)
        {
            if (string.Equals(entry, orgId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        if (orgs is null)
        {
            return false;
        }

        foreach (var entry in trunk.Orgs)
        {
            if (!_idsByName.TryGetValue(entry, out var id))
            {
                var org = await orgs.FindOrgAsync(entry, cancellationToken).ConfigureAwait(false);
                if (org is null)
                {
                    continue;
                }

                id = _idsByName.GetOrAdd(entry, org.Id);
            }

            if (string.Equals(id, orgId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
