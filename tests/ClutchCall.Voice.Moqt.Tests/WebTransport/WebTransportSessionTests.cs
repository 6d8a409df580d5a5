using System.Buffers;
using ClutchCall.Voice.Moqt.Tests.Transport;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.InMemory;
using ClutchCall.Voice.Moqt.Transport.WebTransport;
using ClutchCall.Voice.Moqt.Wire;

namespace ClutchCall.Voice.Moqt.Tests.WebTransport;

/// <summary>The HTTP/3 + WebTransport layer over in-memory QUIC-style streams (runs everywhere, no libmsquic needed).</summary>
public sealed class WebTransportSessionTests
{
    private static int _counter;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(WebTransportListener Listener, IMoqtTransportConnection Client, IMoqtTransportConnection Server)> ConnectAsync(
        string query = "", IReadOnlyList<string>? protocols = null, WebTransportServerOptions? serverOptions = null)
    {
        var network = new InMemoryTransportNetwork();
        var name = "wt" + Interlocked.Increment(ref _counter);
        var listener = new WebTransportListener(network.Listen(name), serverOptions);
        var connector = new WebTransportConnector(network.CreateConnector(), origin: "http://127.0.0.1");
        var client = await connector.ConnectAsync(
            new Uri($"memory://{name}/moq{query}"),
            new MoqtTransportConnectOptions { ApplicationProtocols = protocols ?? ["moqt-16", "moq-00"] },
            Ct);
        var server = await listener.AcceptAsync(Ct);
        return (listener, client, server);
    }

    [Fact]
    public async Task Connect_OfferingTwoProtocols_ServerSelectsMoq00AndSeesPathTokenOrigin()
    {
        var (listener, client, server) = await ConnectAsync("?jwt=abc%2Edef");
        await using var _ = listener;
        Assert.Equal("webtransport", client.TransportName);
        Assert.Equal("moq-00", client.Info.ApplicationProtocol);
        Assert.Equal("moq-00", server.Info.ApplicationProtocol);
        Assert.Equal("h3", server.Info.TransportProtocol);
        Assert.Equal("/moq", server.Info.Path);
        Assert.Equal("abc.def", server.Info.AuthorizationToken);
        Assert.Equal("http://127.0.0.1", server.Info.Origin);
        Assert.Equal(0, ((WebTransportConnection)server).SessionId);
        Assert.False(server.SupportsDatagrams);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Connect_NoCommonProtocol_AcceptedWithoutSelection()
    {
        var (listener, client, server) = await ConnectAsync(protocols: ["moqt-99"]);
        await using var _ = listener;
        Assert.Null(client.Info.ApplicationProtocol);
        Assert.Null(server.Info.ApplicationProtocol);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Streams_BothDirections_EchoResetStopSendingAndManyConcurrent()
    {
        var (listener, client, server) = await ConnectAsync();
        await using var _ = listener;
        await TransportConformance.BidiEchoAsync(client, server, 300_000, Ct);
        await TransportConformance.BidiEchoAsync(server, client, 20_000, Ct);
        await TransportConformance.UniFromServerAsync(client, server, Ct);
        await TransportConformance.ResetCarriesCodeAsync(client, server, Ct);
        await TransportConformance.StopSendingCarriesCodeAsync(client, server, Ct);
        await TransportConformance.ManyConcurrentStreamsBothWaysAsync(client, server, 20, Ct);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Close_FromServer_ClientSeesCodeAndReasonFromCapsule()
    {
        var (listener, client, server) = await ConnectAsync();
        await using var _ = listener;
        await TransportConformance.CloseReachesPeerAsync(client, server, Ct);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Close_FromClient_ServerSeesCodeAndReason()
    {
        var (listener, client, server) = await ConnectAsync();
        await using var _ = listener;
        await client.CloseAsync(0x3, "unauthorized, bye", Ct);
        var info = await server.Closed.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(0x3, info.ErrorCode);
        Assert.Equal("unauthorized, bye", info.Reason);
        Assert.False(info.IsLocal);
        Assert.Null(await server.AcceptStreamAsync(Ct));
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Connect_WrongPath_Refused404AndListenerKeepsServing()
    {
        var network = new InMemoryTransportNetwork();
        await using var listener = new WebTransportListener(network.Listen("wt404"));
        var connector = new WebTransportConnector(network.CreateConnector());
        var refused = await Assert.ThrowsAsync<MoqtTransportException>(async () =>
            await connector.ConnectAsync(new Uri("memory://wt404/elsewhere"), new MoqtTransportConnectOptions(), Ct));
        Assert.Equal(404, refused.ErrorCode);

        await using var good = await connector.ConnectAsync(new Uri("memory://wt404/moq"), new MoqtTransportConnectOptions(), Ct);
        await using var server = await listener.AcceptAsync(Ct);
        await TransportConformance.BidiEchoAsync(good, server, 1000, Ct);
        await WaitAsync(() => listener.HandshakeFailures == 1, "refused handshake counted");
    }

    [Fact]
    public async Task ChromiumStyleClient_GreaseHuffmanSilentQpackStreams_SessionWorksAndClosesWithCapsule()
    {
        await using var peer = WebTransportTestPeer.Create();
        var accepting = WebTransportConnection.AcceptAsync(peer.ServerRaw, new WebTransportServerOptions { ApplicationProtocols = ["moqt-15", "moq-00"] }, Ct).AsTask();

        // An unknown (GREASE) unidirectional stream type must be ignored, not fail the connection.
        var grease = await peer.Raw.OpenUnidirectionalStreamAsync(Ct);
        QuicVarint.Write(grease.Output!, 0x1f * 9 + 0x21);
        grease.Output!.Write(new byte[] { 1, 2, 3 });
        await grease.Output!.FlushAsync(Ct);
        peer.Extra.Add(grease);

        await peer.SendChromiumSettingsAsync(Ct);
        var settings = await peer.ReadServerSettingsAsync(Ct);

        // What Chromium needs before it sends CONNECT (see the notes): draft-02 enable, H3 datagrams (both
        // codepoints), extended CONNECT, max sessions, and a QPACK table of capacity 0.
        Assert.Equal(1UL, settings[0x2b603742]);
        Assert.Equal(1UL, settings[0x33]);
        Assert.Equal(1UL, settings[0xffd277]);
        Assert.Equal(1UL, settings[0x08]);
        Assert.True(settings[0xc671706a] >= 1);
        Assert.Equal(0UL, settings[0x01]);

        await peer.SendConnectAsync("/moq?jwt=tok", "\"moqt-15\", \"moq-00\"", Ct);
        var (status, protocol, fields) = await peer.ReadResponseAsync(Ct);
        Assert.Equal(200, status);
        Assert.Equal("moqt-15", protocol);
        Assert.Contains(fields, f => f is { Name: "sec-webtransport-http3-draft", Value: "draft02" });
        Assert.Contains(fields, f => f is { Name: "wt-protocol", Value: "\"moqt-15\"" });

        await using var server = await accepting;
        Assert.Equal("/moq", server.Info.Path);
        Assert.Equal("tok", server.Info.AuthorizationToken);
        Assert.Equal("127.0.0.1:4433", server.Info.Authority);

        // Client bidi stream with the 40 41 00 prefix; the reply carries no prefix.
        var bidi = await peer.OpenWebTransportStreamAsync(bidirectional: true, Ct);
        await bidi.Output!.WriteAsync(new byte[] { 7, 8, 9 }, Ct);
        await bidi.CompleteWritesAsync();
        var accepted = await server.AcceptStreamAsync(Ct);
        Assert.NotNull(accepted);
        Assert.Equal(new byte[] { 7, 8, 9 }, await TransportConformance.ReadToEndAsync(accepted.Input!, Ct));
        await accepted.Output!.WriteAsync(new byte[] { 1 }, Ct);
        await accepted.CompleteWritesAsync();
        Assert.Equal(new byte[] { 1 }, await TransportConformance.ReadToEndAsync(bidi.Input!, Ct));
        await accepted.DisposeAsync();

        // Server uni stream: prefix 0x54 (2-byte varint) and session id 0.
        var uni = await server.OpenUnidirectionalStreamAsync(Ct);
        await uni.Output!.WriteAsync(new byte[] { 5 }, Ct);
        await uni.CompleteWritesAsync();
        var rawUni = await peer.Raw.AcceptStreamAsync(Ct);
        Assert.NotNull(rawUni);
        Assert.Equal(new byte[] { 0x40, 0x54, 0x00, 5 }, await TransportConformance.ReadToEndAsync(rawUni.Input!, Ct));

        // Application codes travel in the HTTP/3 space: reset 0x2a arrives as 0x52e4a40fa8db + 0x2a + 1.
        var resetMe = await peer.OpenWebTransportStreamAsync(bidirectional: false, Ct);
        var toReset = await server.AcceptStreamAsync(Ct);
        resetMe.Abort(Http3ErrorCode.ToWire(0x2a));
        var reset = await Assert.ThrowsAsync<MoqtStreamAbortedException>(() => TransportConformance.ReadToEndAsync(toReset!.Input!, Ct));
        Assert.Equal(0x2a, reset.ErrorCode);

        await peer.SendCloseAsync(0x1, "token expired", Ct);
        var info = await server.Closed.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(0x1, info.ErrorCode);
        Assert.Equal("token expired", info.Reason);
        Assert.False(info.IsLocal);

        // draft-ietf-webtrans-http3-02 §5: the server answers the close with FIN on the CONNECT stream.
        var end = await peer.Connect!.Input!.ReadAsync(Ct);
        while (!end.IsCompleted)
        {
            peer.Connect.Input.AdvanceTo(end.Buffer.End);
            end = await peer.Connect.Input.ReadAsync(Ct);
        }

        foreach (var s in new[] { bidi, uni, rawUni, resetMe, toReset! })
        {
            await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task BadClients_GarbageSettingsStallsAndResets_OnlyThatConnectionFails()
    {
        var network = new InMemoryTransportNetwork();
        var options = new WebTransportServerOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(500) };
        await using var listener = new WebTransportListener(network.Listen("wtbad"), options);
        var raw = network.CreateConnector();

        // 1: control stream starting with a DATA frame instead of SETTINGS → H3_MISSING_SETTINGS.
        var bad1 = await raw.ConnectAsync(new Uri("memory://wtbad/moq"), new MoqtTransportConnectOptions(), Ct);
        var control = await bad1.OpenUnidirectionalStreamAsync(Ct);
        control.Output!.Write(new byte[] { 0x00, 0x00, 0x01, 0xff });
        await control.Output!.FlushAsync(Ct);

        // 2: connects and never says anything (a stalled client) → handshake timeout.
        var bad2 = await raw.ConnectAsync(new Uri("memory://wtbad/moq"), new MoqtTransportConnectOptions(), Ct);

        // 3: a request stream whose HEADERS cannot be decoded (dynamic-table reference) → QPACK_DECOMPRESSION_FAILED.
        var bad3 = await raw.ConnectAsync(new Uri("memory://wtbad/moq"), new MoqtTransportConnectOptions(), Ct);
        var request = await bad3.OpenBidirectionalStreamAsync(Ct);
        request.Output!.Write(new byte[] { 0x01, 0x03, 0x05, 0x00, 0x80 });
        await request.Output!.FlushAsync(Ct);

        // A good client alongside is served normally.
        var good = await new WebTransportConnector(raw).ConnectAsync(new Uri("memory://wtbad/moq"), new MoqtTransportConnectOptions(), Ct);
        await using var server = await listener.AcceptAsync(Ct);
        await TransportConformance.BidiEchoAsync(good, server, 5000, Ct);

        var closed1 = await bad1.Closed.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(Http3ErrorCode.MissingSettings, closed1.ErrorCode);
        var closed3 = await bad3.Closed.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(WebTransportConnection.QpackDecompressionFailed, closed3.ErrorCode);
        var closed2 = await bad2.Closed.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(Http3ErrorCode.RequestRejected, closed2.ErrorCode);
        await WaitAsync(() => listener.HandshakeFailures == 3, "three failed handshakes counted");
        await TransportConformance.BidiEchoAsync(good, server, 5000, Ct);
        await good.DisposeAsync();
        foreach (var c in new[] { bad1, bad2, bad3 })
        {
            await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Fuzz_RandomAndMutatedHandshakeBytes_NeverThrowOutsideTransportErrors()
    {
        var random = new Random(20261122);
        var valid = ValidClientPreface();
        var options = new WebTransportServerOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(300) };
        for (var batch = 0; batch < 3; batch++)
        {
            var runs = new List<Task>();
            for (var i = 0; i < 100; i++)
            {
                var (control, connect) = Mutate(random, valid);
                runs.Add(RunOneAsync(control, connect, options));
            }

            await Task.WhenAll(runs);
        }
    }

    private static async Task RunOneAsync(byte[] control, byte[] connect, WebTransportServerOptions options)
    {
        var (client, serverRaw) = InMemoryTransport.CreatePair();
        var accepting = WebTransportConnection.AcceptAsync(serverRaw, options, Ct).AsTask();
        var c = await client.OpenUnidirectionalStreamAsync(Ct);
        await c.Output!.WriteAsync(control, Ct);
        var r = await client.OpenBidirectionalStreamAsync(Ct);
        await r.Output!.WriteAsync(connect, Ct);
        await r.CompleteWritesAsync();
        try
        {
            var session = await accepting;
            await session.DisposeAsync();
        }
        catch (MoqtTransportException)
        {
            // Expected for most inputs.
        }

        await c.DisposeAsync();
        await r.DisposeAsync();
        await client.DisposeAsync();
    }

    private static (byte[] Control, byte[] Connect) ValidClientPreface()
    {
        var control = new ArrayBufferWriter<byte>();
        QuicVarint.Write(control, 0);
        Http3FrameCodec.WriteSettings(control, new (ulong, ulong)[] { (0x2b603742, 1), (0x33, 1) });
        var block = new ArrayBufferWriter<byte>();
        WebTransportHeaders.WriteRequest(block, "127.0.0.1:1", "/moq", "http://x", ["moq-00"]);
        var connect = new ArrayBufferWriter<byte>();
        Http3FrameCodec.WriteHeader(connect, Http3FrameType.Headers, block.WrittenCount);
        connect.Write(block.WrittenSpan);
        return (control.WrittenSpan.ToArray(), connect.WrittenSpan.ToArray());
    }

    private static (byte[], byte[]) Mutate(Random random, (byte[] Control, byte[] Connect) valid)
    {
        byte[] One(byte[] source)
        {
            switch (random.Next(4))
            {
                case 0:
                    var junk = new byte[random.Next(0, 64)];
                    random.NextBytes(junk);
                    return junk;
                case 1:
                    return source[..random.Next(source.Length + 1)];
                default:
                    var copy = (byte[])source.Clone();
                    for (var k = random.Next(1, 4); k > 0; k--)
                    {
                        copy[random.Next(copy.Length)] = (byte)random.Next(256);
                    }

                    return copy;
            }
        }

        return (One(valid.Control), One(valid.Connect));
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting for " + what);
            }

            await Task.Delay(10, Ct);
        }
    }
}
