using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Relay.Auth;

namespace ClutchCall.Voice.Relay.Access;

/// <summary>
/// Authorises sessions with relay tokens (JWT HS256 checked by <see cref="RelayTokenValidator"/>):
/// a track is allowed when the grant names its namespace string (<c>voice/&lt;sid&gt;</c>), track name and action.
/// </summary>
internal sealed class TokenRelayAuthorizer : IRelayAuthorizer
{
    private readonly RelayTokenValidator _validator;

    public TokenRelayAuthorizer(RelayTokenValidator validator)
    {
        _validator = validator;
    }

    public bool TryAuthorize(string? token, DateTimeOffset now, out IRelayPermissions permissions, out MoqtSessionErrorCode code, out string error)
    {
        permissions = null!;
        if (string.IsNullOrEmpty(token))
        {
            // draft-ietf-moq-transport-14 §3.4: UNAUTHORIZED when no credentials allow the session.
            code = MoqtSessionErrorCode.Unauthorized;
            error = "No authorization token in SETUP or the URL query.";
            return false;
        }

        if (!_validator.TryValidate(token, now, out var grant, out error))
        {
            // draft-ietf-moq-transport-14 §3.4: EXPIRED_AUTH_TOKEN / MALFORMED_AUTH_TOKEN.
            code = error.Contains("expired", StringComparison.OrdinalIgnoreCase)
                ? MoqtSessionErrorCode.ExpiredAuthToken
                : MoqtSessionErrorCode.Unauthorized;
            return false;
        }

        permissions = new GrantPermissions(grant);
        code = MoqtSessionErrorCode.NoError;
        return true;
    }

    private sealed class GrantPermissions(RelayGrant grant) : IRelayPermissions
    {
        public DateTimeOffset ExpiresAt => grant.ExpiresAt;

        public bool CanPublish(FullTrackName track) => grant.CanPublish(track.Namespace.ToString(), track.NameString);

        public bool CanSubscribe(FullTrackName track) => grant.CanSubscribe(track.Namespace.ToString(), track.NameString);

        public bool CanPublishNamespace(TrackNamespace ns) => grant.CoversNamespace(ns.ToString());

        public bool CanSubscribeNamespace(TrackNamespace prefix) => grant.CoversNamespace(prefix.ToString());
    }
}
