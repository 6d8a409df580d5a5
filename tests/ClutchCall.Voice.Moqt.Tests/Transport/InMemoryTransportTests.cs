using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.InMemory;

namespace ClutchCall.Voice.Moqt.Tests.Transport;

public sealed class InMemoryTransportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BidiStream_EchoedPayload_ArrivesIntact()
    {
        var (client, server) = InMemoryTransport.CreatePair();
        await TransportConformance.BidiEchoAsync(client, server, 300_000, Ct);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task UniStream_FromServer_ClientReadsToFin()
    {
        var (client, server) = InMemoryTransport.CreatePair();
        await TransportConformance.UniFromServerAsync(client, server, Ct);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Abort_OnSender_ReceiverSeesResetCode()
    {
        var (client, server) = InMemoryTransport.CreatePair();
        await TransportConformance.ResetCarriesCodeAsync(client, server, Ct);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Abort_OnReceiver_SenderSeesStopSendingCode()
    {
        var (client, server) = InMemoryTransport.CreatePair();
        await TransportConformance.StopSendingCarriesCodeAsync(client, server, Ct);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Close_FromServer_ClientSeesCodeAndReasonAndPendingReadsFail()
    {
        var (client, server) = InMemoryTransport.CreatePair();
        await TransportConformance.CloseReachesPeerAsync(client, server, Ct);
    }

    [Fact]
    public async Task ManyStreams_BothDirections_AllEchoed()
    {
        var (client, server) = InMemoryTransport.CreatePair();
        await TransportConformance.ManyConcurrentStreamsBothWaysAsync(client, server, 50, Ct);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Datagram_RoundTrip_DeliversPayloadAndMinusOneAfterClose()
    {
        var (client, server) = InMemoryTransport.CreatePair();
        Assert.True(client.SupportsDatagrams);
        await client.SendDatagramAsync(new byte[] { 1, 2, 3 }, Ct);
        var buffer = new byte[client.MaxDatagramSize];
        Assert.Equal(3, await server.ReceiveDatagramAsync(buffer, Ct));
        Assert.Equal(new byte[] { 1, 2, 3 }, buffer[..3]);
        await client.CloseAsync(0, "bye", Ct);
        Assert.Equal(-1, await server.ReceiveDatagramAsync(buffer, Ct));
    }

    [Fact]
    public async Task Datagram_QueueFull_DropsOldest()
    {
        var limits = MoqtTransportLimits.Default with { DatagramQueueCapacity = 2 };
        var (client, server) = InMemoryTransport.CreatePair(limits: limits);
        for (byte i = 0; i < 5; i++)
        {
            await client.SendDatagramAsync(new[] { i }, Ct);
        }

        var buffer = new byte[16];
        Assert.Equal(1, await server.ReceiveDatagramAsync(buffer, Ct));
        Assert.Equal(3, buffer[0]);
        Assert.Equal(1, await server.ReceiveDatagramAsync(buffer, Ct));
        Assert.Equal(4, buffer[0]);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Network_ConnectByName_ServerSeesPathAndToken()
    {
        var network = new InMemoryTransportNetwork();
        await using var listener = network.Listen("relay");
        var connector = network.CreateConnector();
        var client = await connector.ConnectAsync(new Uri("memory://relay/moq?jwt=abc%2Edef"), new MoqtTransportConnectOptions(), Ct);
        var server = await listener.AcceptAsync(Ct);
        Assert.Equal("abc.def", server.Info.AuthorizationToken);
        Assert.Equal("/moq", server.Info.Path);
        await TransportConformance.BidiEchoAsync(client, server, 10, Ct);
        await client.DisposeAsync();
        Assert.False((await server.Closed).IsLocal);
    }

    [Fact]
    public async Task Network_UnknownName_Throws()
    {
        var network = new InMemoryTransportNetwork();
        await Assert.ThrowsAsync<MoqtTransportException>(async () =>
            await network.CreateConnector().ConnectAsync(new Uri("memory://nobody"), new MoqtTransportConnectOptions(), Ct));
    }

    [Fact]
    public void TokenFromQuery_PicksJwtThenToken()
    {
        Assert.Equal("x", MoqtConnectionInfo.TokenFromQuery("?a=1&token=y&jwt=x"));
        Assert.Equal("y", MoqtConnectionInfo.TokenFromQuery("a=1&token=y"));
        Assert.Null(MoqtConnectionInfo.TokenFromQuery("?a=1"));
    }
}
