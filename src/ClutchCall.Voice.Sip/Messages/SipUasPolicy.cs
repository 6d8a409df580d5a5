namespace ClutchCall.Voice.Sip.Messages;

/// <summary>What this user agent supports: drives the request checks of RFC 3261 §8.2.</summary>
internal sealed record SipUasPolicy
{
    public static SipUasPolicy Default { get; } = new();

    public IReadOnlySet<string> AllowedMethods { get; init; } =
        new HashSet<string>(StringComparer.Ordinal) { "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "INFO", "UPDATE", "REFER", "NOTIFY", "PRACK" };

    /// <summary>Methods this UA recognizes but does not accept (answered 405, others 501).</summary>
    public IReadOnlySet<string> KnownMethods { get; init; } =
        new HashSet<string>(StringComparer.Ordinal) { "REGISTER", "SUBSCRIBE", "MESSAGE", "PUBLISH" };

    public IReadOnlySet<string> UriSchemes { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "sip", "sips", "tel" };

    /// <summary>
    /// Option tags a request may Require (RFC 3261 §8.2.2.3; others get 420): <c>timer</c> (RFC 4028, refreshes and
    /// expiry in <c>UserAgent/SipSessionTimer</c>), <c>100rel</c> (RFC 3262, reliable 18x and PRACK in
    /// <c>UserAgent/SipReliableProvisionals</c>), <c>replaces</c> and <c>norefersub</c>.
    /// </summary>
    public IReadOnlySet<string> Extensions { get; init; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "timer", "replaces", "norefersub", "100rel" };

    public IReadOnlyList<string> ContentTypes { get; init; } = ["application/sdp", "application/dtmf-relay", "message/sipfrag", "multipart/mixed"];
}
