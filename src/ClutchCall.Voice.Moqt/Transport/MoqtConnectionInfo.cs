namespace ClutchCall.Voice.Moqt.Transport;

/// <summary>What a transport negotiated before the MoQT session starts.</summary>
/// <param name="ApplicationProtocol">
/// The MoQT protocol the transport selected, when it selects one: the WebTransport <c>wt-protocol</c>,
/// the QMux WebSocket subprotocol's application part (<c>qmux-00.moqt-16</c> → <c>moqt-16</c>) or the QUIC
/// ALPN (<c>moq-00</c>). Null when the version is left to CLIENT_SETUP/SERVER_SETUP.
/// </param>
/// <param name="TransportProtocol">The transport's own wire version: <c>qmux-00</c>, <c>h3</c>, <c>moq-00</c>, <c>memory</c>.</param>
/// <param name="Path">Request path without the query (<c>/moq</c>), when the transport carries a URL.</param>
/// <param name="Authority">Host (and port) the client asked for, when known.</param>
/// <param name="AuthorizationToken">
/// Token from the URL query (<c>?jwt=…</c> or <c>?token=…</c>), for browsers that cannot put one in SETUP.
/// </param>
/// <param name="Origin">The browser's Origin header (WebSocket, WebTransport), when present.</param>
internal sealed record MoqtConnectionInfo(
    string? ApplicationProtocol,
    string TransportProtocol,
    string? Path = null,
    string? Authority = null,
    string? AuthorizationToken = null,
    string? Origin = null)
{
    /// <summary>Query parameter names searched, in order, for <see cref="AuthorizationToken"/>.</summary>
    public static IReadOnlyList<string> TokenQueryParameters { get; } = ["jwt", "token"];

    /// <summary>Reads the authorization token from a URL query string (with or without the leading '?').</summary>
    public static string? TokenFromQuery(ReadOnlySpan<char> query)
    {
        if (query.StartsWith('?'))
        {
            query = query[1..];
        }

        foreach (var name in TokenQueryParameters)
        {
            foreach (var range in query.Split('&'))
            {
                var pair = query[range];
                var eq = pair.IndexOf('=');
                var key = eq < 0 ? pair : pair[..eq];
                if (key.Equals(name, StringComparison.Ordinal))
                {
                    return eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].ToString());
                }
            }
        }

        return null;
    }

    /// <summary>Builds the info a server sees for a request URI.</summary>
    public static MoqtConnectionInfo FromRequest(Uri uri, string? applicationProtocol, string transportProtocol, string? origin = null) =>
        new(applicationProtocol, transportProtocol, uri.AbsolutePath, uri.Authority, TokenFromQuery(uri.Query), origin);
}
