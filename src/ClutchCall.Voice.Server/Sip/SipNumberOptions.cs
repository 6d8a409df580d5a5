namespace ClutchCall.Voice.Server.Sip;

/// <summary>
/// One dialled number (DID) that takes inbound calls, bound from <c>Sip:Numbers:&lt;n&gt;</c>: which org owns
/// calls to it, which trunk it arrives on, the agent to attach, and which callers may reach it.
/// </summary>
internal sealed class SipNumberOptions
{
    /// <summary>The dialled number as the trunk sends it in the Request-URI (E.164, e.g. <c>+14155550100</c>).</summary>
    public string Did { get; set; } = string.Empty;

    /// <summary>The org that owns calls to this number: its id, or its exact name.</summary>
    public string OrgId { get; set; } = string.Empty;

    /// <summary>The trunk the number is reached through; null matches any trunk.</summary>
    public string? TrunkId { get; set; }

    /// <summary>Agent attached when a call to this number is answered; null leaves the call to the application.</summary>
    public string? Agent { get; set; }

    /// <summary>Caller IDs allowed to reach the number; empty lets everyone through.</summary>
    public List<string> AllowedCallers { get; set; } = [];

    /// <summary>Final status sent to callers not on <see cref="AllowedCallers"/> (403, 486, 603, …).</summary>
    public int RejectStatus { get; set; } = 403;

    /// <summary>Checks the settings and names the entry and field that is wrong.</summary>
    public void Validate(int index, IReadOnlyDictionary<string, ClutchCall.Voice.Sip.UserAgent.SipTrunkOptions> trunks)
    {
        var name = $"Sip:Numbers:{index}";
        if (SipNumberPlan.Normalize(Did).Length == 0)
        {
            throw new ArgumentException($"{name}: Did is required (the dialled number, e.g. +14155550100)");
        }

        if (string.IsNullOrWhiteSpace(OrgId))
        {
            throw new ArgumentException($"{name} ({Did}): OrgId is required (the owning org's id or name)");
        }

        if (TrunkId is not null && !trunks.ContainsKey(TrunkId))
        {
            throw new ArgumentException($"{name} ({Did}): TrunkId '{TrunkId}' is not a configured trunk (Sip:Trunks)");
        }

        if (RejectStatus is < 400 or > 699)
        {
            throw new ArgumentException($"{name} ({Did}): RejectStatus {RejectStatus} must be a 4xx, 5xx or 6xx status");
        }

        if (Calls.Destinations.CheckAgent("Agent", Agent) is { } bad)
        {
            throw new ArgumentException($"{name} ({Did}): {bad}");
        }
    }
}
