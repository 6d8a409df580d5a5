using ClutchCall.Voice.Moqt.Transport.Quic;

namespace ClutchCall.Voice.Moqt.Transport.WebTransport;

/// <summary>
/// Dials <c>https://host:port/path</c> as a WebTransport session over HTTP/3. By default over QUIC (ALPN <c>h3</c>,
/// needs libmsquic); tests pass another connector (the in-memory one) to run the same HTTP/3 layer without QUIC.
/// </summary>
internal sealed class WebTransportConnector(IMoqtTransportConnector? underlying = null, string? origin = null) : IMoqtTransportConnector
{
    public string TransportName => "webtransport";

    public async ValueTask<IMoqtTransportConnection> ConnectAsync(Uri uri, MoqtTransportConnectOptions options, CancellationToken cancellationToken)
    {
        var transport = underlying ?? CreateQuic();
        var quic = await transport.ConnectAsync(uri, options, cancellationToken).ConfigureAwait(false);
        try
        {
            return await WebTransportConnection.ConnectAsync(quic, uri, options, origin, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await quic.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static IMoqtTransportConnector CreateQuic()
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()) || !QuicTransportConnector.IsSupported)
        {
            throw new MoqtTransportException("WebTransport needs QUIC, and System.Net.Quic is not supported here (libmsquic missing).");
        }

        return new QuicTransportConnector(WebTransportConnection.Alpn);
    }
}
