using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Relay.Access;

/// <summary>Lets every session do everything: for in-process tests, benchmarks and a relay behind its own gate.</summary>
internal sealed class AllowAllRelayAuthorizer : IRelayAuthorizer, IRelayPermissions
{
    public static AllowAllRelayAuthorizer Instance { get; } = new();

    public DateTimeOffset ExpiresAt => DateTimeOffset.MaxValue;

    public bool TryAuthorize(string? token, DateTimeOffset now, out IRelayPermissions permissions, out MoqtSessionErrorCode code, out string error)
    {
        permissions = this;
        code = MoqtSessionErrorCode.NoError;
        error = string.Empty;
        return true;
    }

    public bool CanPublish(FullTrackName track) => true;

    public bool CanSubscribe(FullTrackName track) => true;

    public bool CanPublishNamespace(TrackNamespace ns) => true;

    public bool CanSubscribeNamespace(TrackNamespace prefix) => true;
}
