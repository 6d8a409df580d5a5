using System.Net;
using System.Net.Quic;
using System.Security.Cryptography.X509Certificates;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.Quic;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Moqt.Tests.Transport;

public sealed class QuicTransportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void RequireQuic()
    {
        if (!QuicListener.IsSupported || !QuicConnection.IsSupported)
        {
            Assert.Skip("SKIPPED: libmsquic not installed (QuicListener.IsSupported=false): the raw QUIC transport is only compiled, not exercised. Install libmsquic (packages.microsoft.com 'libmsquic', or a local build on LD_LIBRARY_PATH) to run it.");
        }
    }

    private static async Task<(QuicTransportListener Listener, IMoqtTransportConnection Client, IMoqtTransportConnection Server)> ConnectAsync()
    {
        var listener = await QuicTransportListener.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), null, null, null, Ct);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var options = new MoqtTransportConnectOptions { ServerCertificateHashes = [SelfSignedCertificate.Sha256(listener.Certificate)] };
        var client = await new QuicTransportConnector().ConnectAsync(new Uri($"moqt://127.0.0.1:{port}/"), options, Ct);
        var server = await listener.AcceptAsync(Ct);
        return (listener, client, server);
    }

    [Fact]
    public async Task BidiAndUniStreams_OverLoopbackQuic_Work()
    {
        RequireQuic();
        var (listener, client, server) = await ConnectAsync();
        await using var _ = listener;
        await TransportConformance.BidiEchoAsync(client, server, 200_000, Ct);
        await TransportConformance.UniFromServerAsync(client, server, Ct);
        await TransportConformance.ResetCarriesCodeAsync(client, server, Ct);
        await TransportConformance.StopSendingCarriesCodeAsync(client, server, Ct);
        await TransportConformance.ManyConcurrentStreamsBothWaysAsync(client, server, 20, Ct);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Close_OverLoopbackQuic_PeerSeesCode()
    {
        RequireQuic();
        var (listener, client, server) = await ConnectAsync();
        await using var _ = listener;
        await server.CloseAsync(0x10, "bye", Ct);
        var info = await client.Closed.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(0x10, info.ErrorCode);
        await client.DisposeAsync();
    }

    [Fact]
    public void SelfSignedCertificate_IsP256ValidUnder14DaysIncludingBackdating()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));
        using var certificate = SelfSignedCertificate.Create(time);
        using var key = certificate.GetECDsaPrivateKey();
        Assert.NotNull(key);
        Assert.Equal(256, key.KeySize);
        Assert.True(certificate.NotAfter.ToUniversalTime() - certificate.NotBefore.ToUniversalTime() < TimeSpan.FromDays(14));
        Assert.True(certificate.NotBefore.ToUniversalTime() < time.GetUtcNow().UtcDateTime);
        Assert.Equal(32, SelfSignedCertificate.Sha256(certificate).Length);
    }
}
