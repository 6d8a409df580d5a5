using System.Diagnostics;
using System.Net;
using System.Net.Quic;
using ClutchCall.Voice.Moqt.Tests.Transport;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.Quic;
using ClutchCall.Voice.Moqt.Transport.WebTransport;

namespace ClutchCall.Voice.Moqt.Tests.WebTransport;

/// <summary>WebTransport over real QUIC on loopback (System.Net.Quic over libmsquic).</summary>
public sealed class WebTransportQuicTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static void RequireQuic()
    {
        if (!QuicListener.IsSupported || !QuicConnection.IsSupported)
        {
            Assert.Skip("SKIPPED: libmsquic not installed (QuicListener.IsSupported=false): WebTransport over real QUIC is not exercised. "
                + "Install libmsquic (packages.microsoft.com 'libmsquic', or a local build on LD_LIBRARY_PATH) to run it.");
        }
    }

    [Fact]
    public async Task WebTransport_OverLoopbackQuic_StreamsResetsAndCapsuleClose()
    {
        RequireQuic();
        await using var listener = await WebTransportListener.StartQuicAsync(new IPEndPoint(IPAddress.Loopback, 0), null, null, null, Ct);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var options = new MoqtTransportConnectOptions
        {
            ApplicationProtocols = ["moq-00"],
            ServerCertificateHashes = [SelfSignedCertificate.Sha256(listener.Certificate!)],
        };
        var watch = Stopwatch.StartNew();
        var client = await new WebTransportConnector().ConnectAsync(new Uri($"https://127.0.0.1:{port}/moq?jwt=t1"), options, Ct);
        var server = await listener.AcceptAsync(Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"QUIC + HTTP/3 + CONNECT handshake: {watch.Elapsed.TotalMilliseconds:F1} ms");
        Assert.Equal("moq-00", server.Info.ApplicationProtocol);
        Assert.Equal("t1", server.Info.AuthorizationToken);

        await TransportConformance.BidiEchoAsync(client, server, 200_000, Ct);
        await TransportConformance.UniFromServerAsync(client, server, Ct);
        await TransportConformance.ResetCarriesCodeAsync(client, server, Ct);
        await TransportConformance.ManyConcurrentStreamsBothWaysAsync(client, server, 10, Ct);

        await server.CloseAsync(0x10, "going away", Ct);
        var info = await client.Closed.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(0x10, info.ErrorCode);
        Assert.Equal("going away", info.Reason);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task WebTransport_QuicClientWithWrongAlpn_FailsWhileOthersConnect()
    {
        RequireQuic();
        await using var listener = await WebTransportListener.StartQuicAsync(new IPEndPoint(IPAddress.Loopback, 0), null, null, null, Ct);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var options = new MoqtTransportConnectOptions
        {
            ServerCertificateHashes = [SelfSignedCertificate.Sha256(listener.Certificate!)],
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };

        // Wrong ALPN (raw MoQT to the HTTP/3 port) and an untrusted certificate both fail on their own.
        await Assert.ThrowsAsync<MoqtTransportException>(async () =>
            await new QuicTransportConnector().ConnectAsync(new Uri($"moqt://127.0.0.1:{port}"), options, Ct));
        await Assert.ThrowsAsync<MoqtTransportException>(async () =>
            await new WebTransportConnector().ConnectAsync(new Uri($"https://127.0.0.1:{port}/moq"), options with { ServerCertificateHashes = [new byte[32]] }, Ct));

        await using var client = await new WebTransportConnector().ConnectAsync(new Uri($"https://127.0.0.1:{port}/moq"), options, Ct);
        await using var server = await listener.AcceptAsync(Ct);
        await TransportConformance.BidiEchoAsync(client, server, 1000, Ct);
    }
}
