namespace ClutchCall.Voice.Moqt.Transport.Qmux;

/// <summary>
/// A negotiated WebSocket subprotocol: <c>{qmux-VV}.{alpn}</c> (QMux version plus MoQT version), or a bare
/// <c>qmux-VV</c> when the MoQT version is left to CLIENT_SETUP (as moq-dev's clients offer them).
/// </summary>
/// <param name="Value">The exact Sec-WebSocket-Protocol token.</param>
/// <param name="Version">QMux wire version.</param>
/// <param name="ApplicationProtocol">MoQT protocol after the dot, or null for a bare version.</param>
internal sealed record QmuxSubprotocol(string Value, QmuxVersion Version, string? ApplicationProtocol)
{
    /// <summary>QMux versions this implementation speaks, most preferred first.</summary>
    public static IReadOnlyList<QmuxVersion> SupportedVersions { get; } = [QmuxVersion.Draft02, QmuxVersion.Draft01, QmuxVersion.Draft00];

    /// <summary>Token of a version: <c>qmux-00</c>, <c>qmux-01</c>, <c>qmux-02</c>.</summary>
    public static string VersionToken(QmuxVersion version) => version switch
    {
        QmuxVersion.Draft00 => "qmux-00",
        QmuxVersion.Draft01 => "qmux-01",
        _ => "qmux-02",
    };

    /// <summary>Parses a subprotocol token; false for anything that is not a QMux one (including legacy <c>webtransport</c>).</summary>
    public static bool TryParse(string? value, out QmuxSubprotocol protocol)
    {
        protocol = null!;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        foreach (var version in SupportedVersions)
        {
            var token = VersionToken(version);
            if (value.Equals(token, StringComparison.Ordinal))
            {
                protocol = new QmuxSubprotocol(value, version, null);
                return true;
            }

            if (value.Length > token.Length + 1 && value.StartsWith(token, StringComparison.Ordinal) && value[token.Length] == '.')
            {
                protocol = new QmuxSubprotocol(value, version, value[(token.Length + 1)..]);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Server side: picks the subprotocol to accept from what the client offered. Our preference decides:
    /// first each application protocol we support (in order) with the newest QMux version the client offered
    /// with it, then a bare QMux version (MoQT version left to SETUP). Null when nothing matches: refuse the
    /// upgrade rather than accept a socket whose framing the peer would not expect.
    /// </summary>
    /// <param name="offered">Sec-WebSocket-Protocol tokens (header values are split on commas).</param>
    /// <param name="applicationProtocols">MoQT protocols the server supports, most preferred first.</param>
    public static QmuxSubprotocol? Select(IEnumerable<string> offered, IReadOnlyList<string> applicationProtocols)
    {
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in offered)
        {
            foreach (var part in entry.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                tokens.Add(part);
            }
        }

        foreach (var application in applicationProtocols)
        {
            foreach (var version in SupportedVersions)
            {
                var candidate = VersionToken(version) + "." + application;
                if (tokens.Contains(candidate))
                {
                    return new QmuxSubprotocol(candidate, version, application);
                }
            }
        }

        foreach (var version in SupportedVersions)
        {
            var candidate = VersionToken(version);
            if (tokens.Contains(candidate))
            {
                return new QmuxSubprotocol(candidate, version, null);
            }
        }

        return null;
    }

    /// <summary>Client side: the tokens to offer, most preferred first.</summary>
    public static IReadOnlyList<string> Offer(IReadOnlyList<string> applicationProtocols)
    {
        var offer = new List<string>(applicationProtocols.Count * SupportedVersions.Count + SupportedVersions.Count);
        foreach (var application in applicationProtocols)
        {
            foreach (var version in SupportedVersions)
            {
                offer.Add(VersionToken(version) + "." + application);
            }
        }

        foreach (var version in SupportedVersions)
        {
            offer.Add(VersionToken(version));
        }

        return offer;
    }
}
