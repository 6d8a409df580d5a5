using System.Net;
using System.Net.WebSockets;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.Qmux;

namespace ClutchCall.Voice.Moqt.Tests.Transport;

public sealed class WebSocketTransportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(WebSocketTransportListener Listener, IMoqtTransportConnection Client, IMoqtTransportConnection Server)> ConnectAsync(
        MoqtTransportLimits? limits = null, string path = "/moq?jwt=tok", IReadOnlyList<string>? offer = null)
    {
        var listener = new WebSocketTransportListener(new IPEndPoint(IPAddress.Loopback, 0), ["moq-00"], limits);
        var uri = new Uri($"ws://{listener.LocalEndPoint}{path}");
        var client = await new WebSocketTransportConnector().ConnectAsync(uri, new MoqtTransportConnectOptions { ApplicationProtocols = offer ?? ["moq-00"], Limits = limits ?? MoqtTransportLimits.Default }, Ct);
        var server = await listener.AcceptAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        return (listener, client, server);
    }

    [Fact]
    public async Task Connect_SelectsQmuxWithApplicationProtocolAndToken()
    {
        var (listener, client, server) = await ConnectAsync();
        await using var _ = listener;
        Assert.Equal("moq-00", server.Info.ApplicationProtocol);
        Assert.Equal("qmux-02", server.Info.TransportProtocol);
        Assert.Equal("tok", server.Info.AuthorizationToken);
        Assert.Equal("/moq", server.Info.Path);
        Assert.Equal("moq-00", client.Info.ApplicationProtocol);
        Assert.False(client.SupportsDatagrams);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Listener_DisposedTwice_SecondIsNoOp()
    {
        var listener = new WebSocketTransportListener(new IPEndPoint(IPAddress.Loopback, 0), ["moq-00"]);
        await listener.DisposeAsync();
        await listener.DisposeAsync();
    }

    [Fact]
    public async Task Connect_UnknownApplicationProtocol_FallsBackToBareQmux()
    {
        var (listener, client, server) = await ConnectAsync(offer: ["moqt-99"]);
        await using var _ = listener;
        Assert.Null(server.Info.ApplicationProtocol);
        Assert.Equal("qmux-02", server.Info.TransportProtocol);
        await TransportConformance.BidiEchoAsync(client, server, 100, Ct);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task BidiStream_LargeTransferBeyondWindows_ArrivesIntact()
    {
        var limits = MoqtTransportLimits.Default with { StreamReceiveWindow = 32 * 1024, ConnectionReceiveWindow = 64 * 1024 };
        var (listener, client, server) = await ConnectAsync(limits);
        await using var _ = listener;
        await TransportConformance.BidiEchoAsync(client, server, 2_000_000, Ct);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task UniStream_FromServer_ClientReadsToFin()
    {
        var (listener, client, server) = await ConnectAsync();
        await using var _ = listener;
        await TransportConformance.UniFromServerAsync(client, server, Ct);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Abort_OnSender_ReceiverSeesResetCode()
    {
        var (listener, client, server) = await ConnectAsync();
        await using var _ = listener;
        await TransportConformance.ResetCarriesCodeAsync(client, server, Ct);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Abort_OnReceiver_SenderSeesStopSendingCode()
    {
        var (listener, client, server) = await ConnectAsync();
        await using var _ = listener;
        await TransportConformance.StopSendingCarriesCodeAsync(client, server, Ct);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Close_FromServer_ClientSeesCodeAndReason()
    {
        var (listener, client, server) = await ConnectAsync();
        await using var _ = listener;
        await TransportConformance.CloseReachesPeerAsync(client, server, Ct);
        var info = await client.Closed;
        Assert.False(info.IsTransportError);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task ManyStreams_BothDirections_AllEchoed()
    {
        var (listener, client, server) = await ConnectAsync();
        await using var _ = listener;
        await TransportConformance.ManyConcurrentStreamsBothWaysAsync(client, server, 60, Ct);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task StreamLimit_OpenWaitsUntilPeerDisposesAStream()
    {
        var limits = MoqtTransportLimits.Default with { MaxInboundUnidirectionalStreams = 2 };
        var (listener, client, server) = await ConnectAsync(limits);
        await using var _ = listener;
        var first = await client.OpenUnidirectionalStreamAsync(Ct);
        var second = await client.OpenUnidirectionalStreamAsync(Ct);
        await first.CompleteWritesAsync();
        var third = client.OpenUnidirectionalStreamAsync(Ct).AsTask();
        await Task.Delay(100, Ct);
        Assert.False(third.IsCompleted);
        var accepted = await server.AcceptStreamAsync(Ct);
        Assert.NotNull(accepted);
        await TransportConformance.ReadToEndAsync(accepted.Input!, Ct);
        await accepted.DisposeAsync();
        var opened = await third.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(QuicStreamId.Compose(2, serverInitiated: false, unidirectional: true), opened.StreamId);
        await first.DisposeAsync();
        await second.DisposeAsync();
        await opened.DisposeAsync();
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task GarbageFrame_ClosesOnlyThatConnectionWithFrameEncodingError()
    {
        var (listener, client, server) = await ConnectAsync();
        await using var _ = listener;

        using var raw = new ClientWebSocket();
        raw.Options.AddSubProtocol("qmux-00");
        await raw.ConnectAsync(new Uri($"ws://{listener.LocalEndPoint}/moq"), Ct);
        var victim = await listener.AcceptAsync(Ct);
        await raw.SendAsync(new byte[] { 0x3f, 0xff, 0xff }, WebSocketMessageType.Binary, true, Ct);
        var info = await victim.Closed.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(QmuxErrorCode.FrameEncodingError, info.ErrorCode);
        Assert.True(info.IsTransportError);

        // The healthy pair still works.
        await TransportConformance.BidiEchoAsync(client, server, 1000, Ct);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task OversizedRecord_ClosesConnection()
    {
        await using var listener = new WebSocketTransportListener(new IPEndPoint(IPAddress.Loopback, 0), ["moq-00"]);
        using var raw = new ClientWebSocket();
        raw.Options.AddSubProtocol("qmux-01");
        await raw.ConnectAsync(new Uri($"ws://{listener.LocalEndPoint}/"), Ct);
        var victim = await listener.AcceptAsync(Ct);
        var huge = new byte[MoqtTransportLimits.Default.MaxFrameSize + 10];
        _ = raw.SendAsync(huge, WebSocketMessageType.Binary, true, Ct);
        var info = await victim.Closed.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(QmuxErrorCode.FrameEncodingError, info.ErrorCode);
    }

    [Fact]
    public async Task FlowControlViolation_ClosesWithFlowControlError()
    {
        await using var listener = new WebSocketTransportListener(new IPEndPoint(IPAddress.Loopback, 0), ["moq-00"], MoqtTransportLimits.Default with { StreamReceiveWindow = 1000 });
        using var raw = new ClientWebSocket();
        raw.Options.AddSubProtocol("qmux-00");
        await raw.ConnectAsync(new Uri($"ws://{listener.LocalEndPoint}/"), Ct);
        var victim = await listener.AcceptAsync(Ct);
        var frame = new System.Buffers.ArrayBufferWriter<byte>();
        QmuxFrameWriter.WriteStream(frame, 2, 0, new byte[1001], fin: false);
        await raw.SendAsync(frame.WrittenMemory, WebSocketMessageType.Binary, true, Ct);
        var info = await victim.Closed.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(QmuxErrorCode.FlowControlError, info.ErrorCode);
    }

    [Fact]
    public async Task TextMessage_ClosesWithProtocolViolation()
    {
        await using var listener = new WebSocketTransportListener(new IPEndPoint(IPAddress.Loopback, 0), ["moq-00"]);
        using var raw = new ClientWebSocket();
        raw.Options.AddSubProtocol("qmux-00");
        await raw.ConnectAsync(new Uri($"ws://{listener.LocalEndPoint}/"), Ct);
        var victim = await listener.AcceptAsync(Ct);
        await raw.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, Ct);
        var info = await victim.Closed.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(QmuxErrorCode.ProtocolViolation, info.ErrorCode);
    }

    [Fact]
    public async Task Handshake_NoQmuxSubprotocol_IsRefused()
    {
        await using var listener = new WebSocketTransportListener(new IPEndPoint(IPAddress.Loopback, 0), ["moq-00"]);
        using var raw = new ClientWebSocket();
        raw.Options.AddSubProtocol("chat");
        await Assert.ThrowsAsync<WebSocketException>(() => raw.ConnectAsync(new Uri($"ws://{listener.LocalEndPoint}/"), Ct));
        Assert.Equal(1, listener.RejectedHandshakes);
    }

    [Fact]
    public async Task PeerDrop_WithoutClose_ReportsTransportError()
    {
        await using var listener = new WebSocketTransportListener(new IPEndPoint(IPAddress.Loopback, 0), ["moq-00"]);
        var raw = new ClientWebSocket();
        raw.Options.AddSubProtocol("qmux-00");
        await raw.ConnectAsync(new Uri($"ws://{listener.LocalEndPoint}/"), Ct);
        var victim = await listener.AcceptAsync(Ct);
        raw.Abort();
        raw.Dispose();
        var info = await victim.Closed.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.True(info.IsTransportError);
        Assert.False(info.IsLocal);
    }
}
