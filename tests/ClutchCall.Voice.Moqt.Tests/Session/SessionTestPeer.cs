using System.Buffers;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.InMemory;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Moqt.Tests.Session;

/// <summary>A raw client that writes whatever bytes a test wants at a real server session.</summary>
internal sealed class SessionTestPeer
{
    private SessionTestPeer(IMoqtTransportConnection client, IMoqtTransportConnection server)
    {
        Client = client;
        Server = server;
    }

    public IMoqtTransportConnection Client { get; }

    public IMoqtTransportConnection Server { get; }

    public IMoqtStream? Control { get; private set; }

    public Task<MoqtSession>? ServerSession { get; private set; }

    public static SessionTestPeer Create(MoqtSessionOptions? serverOptions = null, MoqtSessionHandler? handler = null)
    {
        var (client, server) = InMemoryTransport.CreatePair();
        var peer = new SessionTestPeer(client, server);
        peer.ServerSession = Task.Run(async () =>
        {
            var s = await MoqtSession.AcceptAsync(server, serverOptions ?? new MoqtSessionOptions(), _ => (MoqtSessionErrorCode.NoError, ""), CancellationToken.None);
            s.Start(handler ?? new AcceptingHandler());
            return s;
        });
        return peer;
    }

    public static byte[] Frame(MoqtControlMessage message) => MoqtControlMessageWriter.Draft14.ToArray(message);

    public static byte[] ClientSetup(params MoqtVersion[] versions) => Frame(new ClientSetupMessage
    {
        SupportedVersions = versions.Length == 0 ? [MoqtVersion.Draft14] : versions,
        Parameters = MoqtParameters.ForSetup(maxRequestId: 100),
    });

    public async Task OpenControlAsync()
    {
        Control = await Client.OpenBidirectionalStreamAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Opens the control stream, sends CLIENT_SETUP and reads SERVER_SETUP.</summary>
    public async Task SetupAsync()
    {
        await OpenControlAsync();
        await WriteControlAsync(ClientSetup());
        var input = Control!.Input!;
        while (true)
        {
            var r = await input.ReadAsync(TestContext.Current.CancellationToken);
            var buffer = r.Buffer;
            if (MoqtControlMessageReader.Draft14.TryRead(ref buffer, out var m))
            {
                Assert.IsType<ServerSetupMessage>(m);
                input.AdvanceTo(buffer.Start);
                return;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            Assert.False(r.IsCompleted, "control stream ended before SERVER_SETUP");
        }
    }

    public async Task WriteControlAsync(ReadOnlyMemory<byte> bytes)
    {
        await Control!.Output!.WriteAsync(bytes, TestContext.Current.CancellationToken);
    }

    public async Task<IMoqtStream> OpenUniAsync(ReadOnlyMemory<byte> bytes)
    {
        var s = await Client.OpenUnidirectionalStreamAsync(TestContext.Current.CancellationToken);
        await s.Output!.WriteAsync(bytes, TestContext.Current.CancellationToken);
        return s;
    }

    /// <summary>The close code the server sent, waiting up to a few seconds.</summary>
    public async Task<long> CloseCodeAsync(Action? whileWaiting = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!Client.Closed.IsCompleted)
        {
            whileWaiting?.Invoke();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The server never closed the session.");
            }

            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        return (await Client.Closed).ErrorCode;
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>A subgroup stream header plus one object, hand-built with the wire writer.</summary>
    public static byte[] SubgroupStream(ulong alias, ulong group, int payloadLength, bool completeObject = true)
    {
        var w = new ArrayBufferWriter<byte>();
        var header = new MoqtSubgroupHeader(alias, group, 0, 128, MoqtSubgroupIdMode.Zero, HasExtensions: true);
        var cursor = new MoqtSubgroupCursor(header);
        MoqtDataWriter.WriteSubgroupHeader(w, header);
        var payload = new byte[payloadLength];
        MoqtDataWriter.WriteSubgroupObject(w, ref cursor, 0, [], payload);
        var bytes = w.WrittenSpan.ToArray();
        return completeObject ? bytes : bytes[..^Math.Max(1, payloadLength / 2)];
    }

    /// <summary>Accepts every PUBLISH and counts objects.</summary>
    internal sealed class AcceptingHandler : MoqtSessionHandler, IMoqtObjectSink
    {
        private int _objects;

        public int Objects => Volatile.Read(ref _objects);

        public override async ValueTask OnPublishAsync(MoqtSession session, PublishMessage message) =>
            await session.AcceptPublishAsync(message, this);

        public void OnObject(in ReceivedObjectHeader header, ReadOnlySpan<byte> extensions, in ReadOnlySequence<byte> payload) =>
            Interlocked.Increment(ref _objects);

        public void OnEnded(MoqtPublishDoneCode code, string reason, bool sessionClosed)
        {
        }
    }
}
