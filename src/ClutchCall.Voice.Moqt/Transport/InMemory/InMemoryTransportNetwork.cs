using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;

namespace ClutchCall.Voice.Moqt.Transport.InMemory;

/// <summary>
/// A namespace of in-process listeners addressed as <c>memory://name/path?jwt=…</c>. Components in one
/// process (SIP bridge, agent runtime) reach the relay through it exactly as they would over a network.
/// </summary>
internal sealed class InMemoryTransportNetwork
{
    private readonly ConcurrentDictionary<string, InMemoryTransportListener> _listeners = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The process-wide network.</summary>
    public static InMemoryTransportNetwork Shared { get; } = new();

    /// <summary>Starts listening under <paramref name="name"/>; throws if the name is taken.</summary>
    public InMemoryTransportListener Listen(string name, MoqtTransportLimits? limits = null)
    {
        var listener = new InMemoryTransportListener(this, name, limits ?? MoqtTransportLimits.Default);
        if (!_listeners.TryAdd(name, listener))
        {
            throw new InvalidOperationException($"An in-memory listener named '{name}' already exists.");
        }

        return listener;
    }

    /// <summary>A connector that dials listeners of this network.</summary>
    public IMoqtTransportConnector CreateConnector() => new InMemoryTransportConnector(this);

    internal bool TryGet(string name, out InMemoryTransportListener listener) => _listeners.TryGetValue(name, out listener!);

    internal void Remove(InMemoryTransportListener listener) => _listeners.TryRemove(new KeyValuePair<string, InMemoryTransportListener>(listener.Name, listener));
}

/// <summary>An in-process listener; connections arrive already set up.</summary>
internal sealed class InMemoryTransportListener : IMoqtTransportListener
{
    private readonly InMemoryTransportNetwork _network;
    private readonly Channel<InMemoryConnection> _pending = Channel.CreateUnbounded<InMemoryConnection>();

    internal InMemoryTransportListener(InMemoryTransportNetwork network, string name, MoqtTransportLimits limits)
    {
        _network = network;
        Name = name;
        Limits = limits;
    }

    public string Name { get; }

    internal MoqtTransportLimits Limits { get; }

    public string TransportName => InMemoryTransport.ProtocolName;

    public EndPoint? LocalEndPoint => new InMemoryEndPoint(Name);

    public async ValueTask<IMoqtTransportConnection> AcceptAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _pending.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(InMemoryTransportListener));
        }
    }

    internal bool TryEnqueue(InMemoryConnection server) => _pending.Writer.TryWrite(server);

    public async ValueTask DisposeAsync()
    {
        _network.Remove(this);
        _pending.Writer.TryComplete();
        while (_pending.Reader.TryRead(out var orphan))
        {
            await orphan.CloseAsync(0, "listener closed", CancellationToken.None).ConfigureAwait(false);
        }
    }
}

/// <summary>Dials <c>memory://name/path?jwt=…</c> on an <see cref="InMemoryTransportNetwork"/>.</summary>
internal sealed class InMemoryTransportConnector(InMemoryTransportNetwork network) : IMoqtTransportConnector
{
    public string TransportName => InMemoryTransport.ProtocolName;

    public ValueTask<IMoqtTransportConnection> ConnectAsync(Uri uri, MoqtTransportConnectOptions options, CancellationToken cancellationToken)
    {
        if (!string.Equals(uri.Scheme, "memory", StringComparison.OrdinalIgnoreCase))
        {
            throw new MoqtTransportException($"In-memory transport needs a memory:// URI, got '{uri.Scheme}'.");
        }

        if (!network.TryGet(uri.Host, out var listener))
        {
            throw new MoqtTransportException($"No in-memory listener named '{uri.Host}'.");
        }

        var token = options.AuthorizationToken ?? MoqtConnectionInfo.TokenFromQuery(uri.Query);
        var protocol = options.ApplicationProtocols.Count > 0 ? options.ApplicationProtocols[0] : null;
        var info = new MoqtConnectionInfo(protocol, InMemoryTransport.ProtocolName, uri.AbsolutePath, uri.Authority, token);
        var (client, server) = InMemoryTransport.CreateConnections(info, listener.Limits);
        if (!listener.TryEnqueue(server))
        {
            throw new MoqtTransportException($"In-memory listener '{uri.Host}' is closed.");
        }

        return new ValueTask<IMoqtTransportConnection>(client);
    }
}
