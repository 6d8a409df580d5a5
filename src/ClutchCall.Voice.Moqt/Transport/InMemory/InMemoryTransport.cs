namespace ClutchCall.Voice.Moqt.Transport.InMemory;

/// <summary>Creates connected in-process transport pairs for tests, benchmarks and same-process components.</summary>
internal static class InMemoryTransport
{
    /// <summary>Transport protocol name reported in <see cref="MoqtConnectionInfo.TransportProtocol"/>.</summary>
    public const string ProtocolName = "memory";

    /// <summary>A connected client/server pair.</summary>
    public static (IMoqtTransportConnection Client, IMoqtTransportConnection Server) CreatePair(
        MoqtConnectionInfo? info = null,
        MoqtTransportLimits? limits = null)
    {
        var (client, server) = CreateConnections(info ?? new MoqtConnectionInfo(null, ProtocolName), limits ?? MoqtTransportLimits.Default);
        return (client, server);
    }

    internal static (InMemoryConnection Client, InMemoryConnection Server) CreateConnections(MoqtConnectionInfo info, MoqtTransportLimits limits)
    {
        var client = new InMemoryConnection(isServer: false, info, limits, remoteEndPoint: new InMemoryEndPoint("server"));
        var server = new InMemoryConnection(isServer: true, info, limits, remoteEndPoint: new InMemoryEndPoint("client"));
        client.Attach(server);
        server.Attach(client);
        return (client, server);
    }
}
