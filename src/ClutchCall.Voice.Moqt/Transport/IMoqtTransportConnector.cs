namespace ClutchCall.Voice.Moqt.Transport;

/// <summary>Client side of a transport: dials a URL and returns the set-up connection.</summary>
internal interface IMoqtTransportConnector
{
    /// <summary>Short name for logs: same as the connections' <see cref="IMoqtTransportConnection.TransportName"/>.</summary>
    string TransportName { get; }

    /// <summary>
    /// Connects to <paramref name="uri"/> (scheme per transport: <c>memory://name</c>, <c>ws://</c>/<c>wss://</c>,
    /// <c>moqt://host:port</c> for raw QUIC, <c>https://</c> for WebTransport).
    /// </summary>
    /// <exception cref="MoqtTransportException">The transport handshake failed or was refused.</exception>
    ValueTask<IMoqtTransportConnection> ConnectAsync(Uri uri, MoqtTransportConnectOptions options, CancellationToken cancellationToken);
}
