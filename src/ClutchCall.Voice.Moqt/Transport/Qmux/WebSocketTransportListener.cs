using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;

namespace ClutchCall.Voice.Moqt.Transport.Qmux;

/// <summary>
/// A self-contained WebSocket listener (plain <c>ws://</c> on a <see cref="TcpListener"/>, minimal HTTP/1.1
/// upgrade per RFC 6455 §4.2) for hosts without ASP.NET Core, tests and benchmarks. Each accepted socket
/// becomes a <see cref="WebSocketTransportConnection"/>. Bad handshakes are answered with 400 and dropped.
/// </summary>
internal sealed class WebSocketTransportListener : IMoqtTransportListener
{
    private const int MaxRequestHeaderBytes = 8192;

    // RFC 6455 §1.3: the GUID appended to Sec-WebSocket-Key before hashing.
    private const string HandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpListener _listener;
    private readonly IReadOnlyList<string> _applicationProtocols;
    private readonly MoqtTransportLimits _limits;
    private readonly Channel<IMoqtTransportConnection> _ready = Channel.CreateBounded<IMoqtTransportConnection>(64);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    /// <summary>Starts listening on <paramref name="endPoint"/> (port 0 picks a free port; see <see cref="LocalEndPoint"/>).</summary>
    /// <param name="endPoint">Address to bind.</param>
    /// <param name="applicationProtocols">MoQT protocols accepted in <c>qmux-VV.{alpn}</c> subprotocols, most preferred first.</param>
    /// <param name="limits">Windows granted to each client.</param>
    public WebSocketTransportListener(IPEndPoint endPoint, IReadOnlyList<string> applicationProtocols, MoqtTransportLimits? limits = null)
    {
        _applicationProtocols = applicationProtocols;
        _limits = limits ?? MoqtTransportLimits.Default;
        _listener = new TcpListener(endPoint);
        _listener.Start();
        LocalEndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string TransportName => "websocket";

    public EndPoint? LocalEndPoint { get; }

    /// <summary>Number of upgrade requests refused (bad request, no common subprotocol, timeout).</summary>
    public int RejectedHandshakes => Volatile.Read(ref _rejected);

    private int _rejected;

    private int _disposed;

    public async ValueTask<IMoqtTransportConnection> AcceptAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _ready.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(WebSocketTransportListener));
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                break;
            }

            _ = Task.Run(() => HandshakeAsync(client), CancellationToken.None);
        }

        _ready.Writer.TryComplete();
    }

    private async Task HandshakeAsync(TcpClient client)
    {
        client.NoDelay = true;
        var stream = client.GetStream();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(HandshakeTimeout);
        try
        {
            var request = await ReadRequestHeadAsync(stream, timeout.Token).ConfigureAwait(false);
            if (request is null || !TryParseUpgrade(request, out var upgrade))
            {
                await RejectAsync(client, stream, "400 Bad Request", timeout.Token).ConfigureAwait(false);
                return;
            }

            var protocol = QmuxSubprotocol.Select(upgrade.Protocols, _applicationProtocols);
            if (protocol is null)
            {
                await RejectAsync(client, stream, "400 Bad Request", timeout.Token).ConfigureAwait(false);
                return;
            }

            // RFC 6455 §4.2.2: 101 with Sec-WebSocket-Accept = base64(SHA-1(key + GUID)) and the selected subprotocol.
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(upgrade.Key + HandshakeGuid)));
            var response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + $"Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: {protocol.Value}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(response), timeout.Token).ConfigureAwait(false);

            var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, SubProtocol = protocol.Value, KeepAliveInterval = TimeSpan.FromSeconds(15) });
            var requestUri = new Uri("ws://" + (upgrade.Host ?? "localhost") + upgrade.Target);
            var info = MoqtConnectionInfo.FromRequest(requestUri, protocol.ApplicationProtocol, QmuxSubprotocol.VersionToken(protocol.Version), upgrade.Origin);
            var connection = await WebSocketTransportConnection.AcceptAsync(socket, protocol, info, client.Client.RemoteEndPoint, _limits, timeout.Token).ConfigureAwait(false);
            if (!_ready.Writer.TryWrite(connection))
            {
                await connection.CloseAsync(0, "server busy", CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or WebSocketException or UriFormatException or ObjectDisposedException)
        {
            Interlocked.Increment(ref _rejected);
            client.Dispose();
        }
    }

    private async Task RejectAsync(TcpClient client, NetworkStream stream, string status, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _rejected);
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>Reads up to the blank line ending the request head, one byte at a time so no WebSocket bytes are consumed.</summary>
    private static async Task<string?> ReadRequestHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new byte[MaxRequestHeaderBytes];
        var length = 0;
        while (length < head.Length)
        {
            var read = await stream.ReadAsync(head.AsMemory(length, 1), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            length++;
            if (length >= 4 && head[length - 4] == '\r' && head[length - 3] == '\n' && head[length - 2] == '\r' && head[length - 1] == '\n')
            {
                return Encoding.Latin1.GetString(head, 0, length);
            }
        }

        return null;
    }

    internal readonly record struct UpgradeRequest(string Target, string Key, string? Host, string? Origin, IReadOnlyList<string> Protocols);

    /// <summary>RFC 6455 §4.2.1: GET, Upgrade: websocket, Connection: Upgrade, a Sec-WebSocket-Key, version 13.</summary>
    internal static bool TryParseUpgrade(string head, out UpgradeRequest request)
    {
        request = default;
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[0] != "GET" || !requestLine[1].StartsWith('/') || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return false;
        }

        string? key = null, host = null, origin = null, version = null, upgrade = null, connection = null;
        var protocols = new List<string>();
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            switch (name.ToUpperInvariant())
            {
                case "SEC-WEBSOCKET-KEY": key = value; break;
                case "SEC-WEBSOCKET-VERSION": version = value; break;
                case "SEC-WEBSOCKET-PROTOCOL": protocols.Add(value); break;
                case "HOST": host = value; break;
                case "ORIGIN": origin = value; break;
                case "UPGRADE": upgrade = value; break;
                case "CONNECTION": connection = value; break;
            }
        }

        if (key is null || version != "13" || !string.Equals(upgrade, "websocket", StringComparison.OrdinalIgnoreCase)
            || connection is null || !connection.Contains("upgrade", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        request = new UpgradeRequest(requestLine[1], key, host, origin, protocols);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        // The relay disposes the listeners it owns on shutdown; the creator may dispose again.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        while (_ready.Reader.TryRead(out var orphan))
        {
            await orphan.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
