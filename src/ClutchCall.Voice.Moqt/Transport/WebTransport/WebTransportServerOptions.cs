namespace ClutchCall.Voice.Moqt.Transport.WebTransport;

/// <summary>How the WebTransport server answers extended CONNECT requests.</summary>
internal sealed record WebTransportServerOptions
{
    /// <summary>The only request path (without query) accepted; other paths get 404.</summary>
    public string Path { get; init; } = "/moq";

    /// <summary>
    /// MoQT protocols this server speaks, in preference order. The first one the client lists in
    /// <c>wt-available-protocols</c> is answered in <c>wt-protocol</c>; with no overlap none is selected and the
    /// version is left to SETUP. <c>moq-00</c> is draft-ietf-moq-transport-14.
    /// </summary>
    public IReadOnlyList<string> ApplicationProtocols { get; init; } = ["moq-00"];

    /// <summary>Time from the QUIC handshake to an accepted CONNECT; slower clients are closed.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Stream and flow-control limits of the underlying QUIC connections.</summary>
    public MoqtTransportLimits Limits { get; init; } = MoqtTransportLimits.Default;
}
