namespace ClutchCall.Voice.Moqt.Transport;

/// <summary>Client-side connection options shared by all connectors.</summary>
internal sealed record MoqtTransportConnectOptions
{
    /// <summary>
    /// MoQT protocols offered in preference order (<c>moqt-16</c>, <c>moq-00</c>, …): WebTransport
    /// <c>wt-available-protocols</c>, QMux subprotocols, QUIC ALPNs. Empty: leave it to SETUP.
    /// </summary>
    public IReadOnlyList<string> ApplicationProtocols { get; init; } = [];

    /// <summary>Token appended to the URL query as <c>jwt=</c> (browsers' way to authenticate).</summary>
    public string? AuthorizationToken { get; init; }

    /// <summary>SHA-256 hashes of acceptable self-signed server certificates (WebTransport <c>serverCertificateHashes</c>).</summary>
    public IReadOnlyList<byte[]> ServerCertificateHashes { get; init; } = [];

    /// <summary>Skips certificate validation entirely (tests only).</summary>
    public bool AllowUntrustedCertificate { get; init; }

    /// <summary>Flow-control windows and limits this side grants the peer.</summary>
    public MoqtTransportLimits Limits { get; init; } = MoqtTransportLimits.Default;

    /// <summary>Upper bound on the transport handshake.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
