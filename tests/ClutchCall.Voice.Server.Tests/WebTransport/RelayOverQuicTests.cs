using System.Diagnostics;
using System.Net;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.InMemory;
using ClutchCall.Voice.Moqt.Transport.Quic;
using ClutchCall.Voice.Moqt.Transport.WebTransport;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Relay.Access;
using ClutchCall.Voice.Relay.Server;
using static ClutchCall.Voice.Server.Tests.WebTransport.QuicTestSupport;

namespace ClutchCall.Voice.Server.Tests.WebTransport;

/// <summary>Publisher and subscriber <see cref="MoqtClient"/>s through <see cref="MoqtRelayServer"/> over raw QUIC and WebTransport.</summary>
public sealed class RelayOverQuicTests
{
    private const int Frames = 250;

    [Fact]
    public async Task Relay_OverInMemoryWebTransport_FramesArriveByteIdentical()
    {
        var network = new InMemoryTransportNetwork();
        await using var relay = new MoqtRelayServer(new MoqtRelayOptions { DrainTimeout = TimeSpan.FromMilliseconds(200) });
        relay.AddListener(new WebTransportListener(network.Listen("wtrelay")));
        var endpoint = new MoqtClientEndpoint(new WebTransportConnector(network.CreateConnector()), new Uri("memory://wtrelay/moq"));
        await RunPublisherToSubscriberAsync(relay, endpoint, new MoqtTransportConnectOptions { ApplicationProtocols = ["moq-00"] }, "webtransport", "CAwtmem");
    }

    [Fact]
    public async Task Relay_OverRawQuic_FramesArriveByteIdentical()
    {
        RequireQuic("the relay over raw QUIC (ALPN moq-00)");
        await using var relay = new MoqtRelayServer(new MoqtRelayOptions { DrainTimeout = TimeSpan.FromMilliseconds(200) });
        var listener = await QuicTransportListener.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), null, null, null, Ct);
        relay.AddListener(listener);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var options = new MoqtTransportConnectOptions { ServerCertificateHashes = [SelfSignedCertificate.Sha256(listener.Certificate)] };
        await RunPublisherToSubscriberAsync(relay, new MoqtClientEndpoint(new QuicTransportConnector(), new Uri($"moqt://127.0.0.1:{port}")), options, "quic", "CAquic1");
    }

    [Fact]
    public async Task Relay_OverQuicWebTransport_FramesArriveByteIdentical()
    {
        RequireQuic("the relay over WebTransport on QUIC");
        await using var relay = new MoqtRelayServer(new MoqtRelayOptions { DrainTimeout = TimeSpan.FromMilliseconds(200) });
        var listener = await WebTransportListener.StartQuicAsync(new IPEndPoint(IPAddress.Loopback, 0), null, null, null, Ct);
        relay.AddListener(listener);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var options = new MoqtTransportConnectOptions
        {
            ApplicationProtocols = ["moq-00"],
            ServerCertificateHashes = [SelfSignedCertificate.Sha256(listener.Certificate!)],
        };
        await RunPublisherToSubscriberAsync(relay, new MoqtClientEndpoint(new WebTransportConnector(), new Uri($"https://127.0.0.1:{port}/moq")), options, "webtransport", "CAwtq1");
    }

    [Fact]
    public async Task Setup_RefusedByRelay_ClientAlwaysSeesUnauthorizedNotProtocolViolation()
    {
        // The relay closes a refused SETUP with UNAUTHORIZED; the client must report that code every time, even
        // when the control stream's end reaches it before the close does.
        var network = new InMemoryTransportNetwork();
        await using var relay = new MoqtRelayServer(new MoqtRelayOptions { DrainTimeout = TimeSpan.FromMilliseconds(200) }, new RefuseAll());
        relay.AddListener(network.Listen("refuse"));
        relay.AddListener(new WebTransportListener(network.Listen("refusewt")));
        var plain = network.CreateConnector();
        var wt = new WebTransportConnector(network.CreateConnector());
        for (var i = 0; i < 20; i++)
        {
            var (connector, uri) = i % 2 == 0 ? (plain, new Uri("memory://refuse/moq")) : ((IMoqtTransportConnector)wt, new Uri("memory://refusewt/moq"));
            var connection = await connector.ConnectAsync(uri, new MoqtTransportConnectOptions(), Ct);
            var error = await Assert.ThrowsAsync<MoqtProtocolException>(async () =>
                await MoqtSession.ConnectAsync(connection, new MoqtSessionOptions { AuthorizationToken = "nope" }, Ct));
            Assert.Equal(MoqtSessionErrorCode.Unauthorized, error.Code);
            var closed = await connection.Closed.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.Equal((long)MoqtSessionErrorCode.Unauthorized, closed.ErrorCode);
            Assert.False(closed.IsLocal);
            await connection.DisposeAsync();
        }
    }

    private static async Task RunPublisherToSubscriberAsync(MoqtRelayServer relay, MoqtClientEndpoint endpoint, MoqtTransportConnectOptions transport, string transportName, string sid)
    {
        var clientOptions = new MoqtClientOptions
        {
            Endpoints = [endpoint],
            Transport = transport,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(400),
            Random = new Random(3),
        };
        var watch = Stopwatch.StartNew();
        await using var subscriber = await MoqtClient.ConnectAsync(clientOptions, Ct);
        var firstSetupMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        await using var publisher = await MoqtClient.ConnectAsync(clientOptions, Ct);
        var secondSetupMs = watch.Elapsed.TotalMilliseconds;
        Assert.Equal(transportName, publisher.TransportName);
        Assert.Equal(transportName, subscriber.TransportName);

        var track = FullTrackName.Uplink(sid);
        var got = new ReceivedAudio();
        await using var subscription = await subscriber.SubscribeAudioAsync(track, got.Callback, Ct);
        await using var publication = await publisher.PublishAudioAsync(track, Ct);
        for (var i = 0; i < Frames; i++)
        {
            publication.Publish(Frame(i), NowUs());

            // At most a few frames in flight, so nothing ages past the delivery timeout on a loaded machine.
            var expected = i - 3;
            await UntilAsync(() => got.Count >= expected, $"frame {expected} of {Frames}");
        }

        await UntilAsync(() => got.Count >= Frames, "all frames");
        var received = got.InOrder();
        Assert.Equal(Frames, received.Count);
        for (var i = 0; i < Frames; i++)
        {
            Assert.Equal(Frame(i), received[i]);
        }

        var latencies = got.LatenciesUs;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{transportName}: setup (transport + MoQT SETUP) {firstSetupMs:F1} ms first, {secondSetupMs:F1} ms second; "
            + $"per-object latency p50 {Percentile(latencies, 0.5) / 1000:F2} ms, p99 {Percentile(latencies, 0.99) / 1000:F2} ms over {latencies.Count} objects");
        Assert.True(relay.SessionCount >= 2);
    }

    private sealed class RefuseAll : IRelayAuthorizer
    {
        public bool TryAuthorize(string? token, DateTimeOffset now, out IRelayPermissions permissions, out MoqtSessionErrorCode code, out string error)
        {
            permissions = AllowAllRelayAuthorizer.Instance;
            code = MoqtSessionErrorCode.Unauthorized;
            error = "no token is good enough";
            return false;
        }
    }
}
