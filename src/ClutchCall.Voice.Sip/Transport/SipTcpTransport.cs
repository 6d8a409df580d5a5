using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Transport;

/// <summary>
/// SIP over TCP (RFC 3261 §18): a listener plus one connection per peer, reused both ways;
/// messages are framed by Content-Length (§18.3). A connection that cannot be framed is closed.
/// </summary>
internal sealed class SipTcpTransport : SipTransport
{
    private readonly TcpListener _listener;
    private readonly ConcurrentDictionary<IPEndPoint, Connection> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _acceptLoop;

    public SipTcpTransport(IPEndPoint bind, SipParserOptions? options = null)
        : base(options)
    {
        _listener = new TcpListener(bind);
        _listener.Start();
        LocalEndPoint = (IPEndPoint)_listener.LocalEndpoint;
    }

    public override string Protocol => "TCP";

    public override bool IsReliable => true;

    public override IPEndPoint LocalEndPoint { get; }

    public int ConnectionCount => _connections.Count;

    public override void Start() => _acceptLoop = Task.Run(() => AcceptLoopAsync(_stop.Token));

    public override void Send(ReadOnlyMemory<byte> data, IPEndPoint remote)
    {
        var c = _connections.GetOrAdd(remote, r => Connection.Outbound(this, r, _stop.Token));
        c.Outbox.Writer.TryWrite(data);
    }

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            var remote = (IPEndPoint)socket.RemoteEndPoint!;
            var c = Connection.Inbound(this, socket, remote, ct);
            _connections[remote] = c;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        foreach (var c in _connections.Values)
        {
            c.Close();
        }

        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private sealed class Connection
    {
        private readonly SipTcpTransport _owner;
        private readonly IPEndPoint _remote;
        private Socket? _socket;

        private Connection(SipTcpTransport owner, IPEndPoint remote)
        {
            _owner = owner;
            _remote = remote;
        }

        public Channel<ReadOnlyMemory<byte>> Outbox { get; } = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropWrite });

        public static Connection Inbound(SipTcpTransport owner, Socket socket, IPEndPoint remote, CancellationToken ct)
        {
            var c = new Connection(owner, remote) { _socket = socket };
            _ = Task.Run(() => c.RunAsync(ct), ct);
            return c;
        }

        public static Connection Outbound(SipTcpTransport owner, IPEndPoint remote, CancellationToken ct)
        {
            var c = new Connection(owner, remote);
            _ = Task.Run(() => c.RunAsync(ct), ct);
            return c;
        }

        public void Close()
        {
            Outbox.Writer.TryComplete();
            _socket?.Dispose();
        }

        private async Task RunAsync(CancellationToken ct)
        {
            try
            {
                if (_socket is null)
                {
                    var s = new Socket(_remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await s.ConnectAsync(_remote, ct).ConfigureAwait(false);
                    _socket = s;
                }

                var writer = WriteLoopAsync(_socket, ct);
                await ReadLoopAsync(_socket, ct).ConfigureAwait(false);
                Outbox.Writer.TryComplete();
                await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
            {
            }
            finally
            {
                _owner._connections.TryRemove(new KeyValuePair<IPEndPoint, Connection>(_remote, this));
                _socket?.Dispose();
            }
        }

        private async Task WriteLoopAsync(Socket socket, CancellationToken ct)
        {
            await foreach (var data in Outbox.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await socket.SendAsync(data, SocketFlags.None, ct).ConfigureAwait(false);
            }
        }

        private async Task ReadLoopAsync(Socket socket, CancellationToken ct)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(8192);
            var filled = 0;
            try
            {
                while (true)
                {
                    if (filled == buffer.Length)
                    {
                        // Limits are enforced by the framer before a message is buffered past them.
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, filled).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct).ConfigureAwait(false);
                    if (n == 0)
                    {
                        return;
                    }

                    filled += n;
                    var seq = new ReadOnlySequence<byte>(buffer, 0, filled);
                    while (true)
                    {
                        var framed = SipStreamFramer.TryRead(ref seq, _owner.ParserOptions, out var msg, out var error);
                        if (!framed)
                        {
                            if (error.IsError)
                            {
                                // Cannot find the next message boundary: answer if possible, then close (§18.3).
                                _owner.Deliver(false, msg, error, _remote);
                                await Task.Delay(100, ct).ConfigureAwait(false);
                                return;
                            }

                            break;
                        }

                        _owner.Deliver(!error.IsError, msg, error, _remote);
                    }

                    var consumed = filled - (int)seq.Length;
                    buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                    filled -= consumed;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
