namespace ClutchCall.Voice.Relay.Auth;

/// <summary>What a relay token allows on one track.</summary>
internal enum RelayAction
{
    /// <summary>Send objects on the track (PUBLISH / PUBLISH_NAMESPACE).</summary>
    Publish,

    /// <summary>Receive objects from the track (SUBSCRIBE / FETCH).</summary>
    Subscribe,
}

/// <summary>
/// One permission inside a relay token: an action on one track, named by its namespace as the user
/// sees it (<c>voice/&lt;sid&gt;</c>, fields joined by '/') and its track name (<c>uplink</c>/<c>downlink</c>).
/// </summary>
internal sealed record RelayTrackGrant(string Namespace, string Track, RelayAction Action)
{
    /// <summary>The namespace every call's audio lives under: <c>voice/&lt;sid&gt;</c>.</summary>
    public static string CallNamespace(string callSid) => "voice/" + callSid;

    /// <summary>Caller audio towards the cloud.</summary>
    public const string UplinkTrack = "uplink";

    /// <summary>Cloud audio towards the caller.</summary>
    public const string DownlinkTrack = "downlink";

    /// <summary>The grants for the server side of a call: subscribe uplink, publish downlink.</summary>
    public static IReadOnlyList<RelayTrackGrant> ServerSide(string callSid) =>
    [
        new(CallNamespace(callSid), UplinkTrack, RelayAction.Subscribe),
        new(CallNamespace(callSid), DownlinkTrack, RelayAction.Publish),
    ];

    /// <summary>The grants for the caller side of a call: publish uplink, subscribe downlink.</summary>
    public static IReadOnlyList<RelayTrackGrant> CallerSide(string callSid) =>
    [
        new(CallNamespace(callSid), UplinkTrack, RelayAction.Publish),
        new(CallNamespace(callSid), DownlinkTrack, RelayAction.Subscribe),
    ];
}
