using ClutchCall.Voice.Moqt.Transport;

namespace ClutchCall.Voice.Internal;

/// <summary>
/// Wraps a QUIC or WebTransport connector so it also accepts a self-signed server certificate whose SHA-256 is one
/// of <paramref name="certificateHashes"/> (the hash the API returned with the audio token), the way a browser's
/// WebTransport <c>serverCertificateHashes</c> does. Any other untrusted certificate is still refused.
/// </summary>
internal sealed class PinnedCertificateConnector(IMoqtTransportConnector inner, IReadOnlyList<byte[]> certificateHashes) : IMoqtTransportConnector
{
    public string TransportName => inner.TransportName;

    public ValueTask<IMoqtTransportConnection> ConnectAsync(Uri uri, MoqtTransportConnectOptions options, CancellationToken cancellationToken) =>
        certificateHashes.Count == 0
            ? inner.ConnectAsync(uri, options, cancellationToken)
            : inner.ConnectAsync(uri, options with { ServerCertificateHashes = [.. options.ServerCertificateHashes, .. certificateHashes] }, cancellationToken);
}
