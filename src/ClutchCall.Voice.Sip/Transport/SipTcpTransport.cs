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
/// Subclasses wrap each connection's stream (TLS, RFC 3261 §26.3.1).
/// </summary>
internal class SipTcpTransport : SipTransport
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

    /// <summary>Connections opened toward peers (RFC 3261 §18.1.1), counting each attempt.</summary>
    public long ConnectAttempts => Interlocked.Read(ref _connectAttempts);

    private long _connectAttempts;

    /// <summary>True when a connection to (or from) <paramref name="remote"/> is open or being opened.</summary>
    public bool HasConnection(IPEndPoint remote) => _connections.ContainsKey(remote);

    public override void Start() => _acceptLoop = Task.Run(() => AcceptLoopAsync(_stop.Token));

    /// <summary>
    /// RFC 3261 §18.1.1 / §18.2.2: an open connection to the peer is reused (also one the peer opened
    /// to us); otherwise one is opened and the message waits in its queue until it is up.
    /// </summary>
    public override void Send(ReadOnlyMemory<byte> data, IPEndPoint remote)
    {
        var c = _connections.GetOrAdd(remote, r =>
        {
            Interlocked.Increment(ref _connectAttempts);
            return new Connection(this, r, null);
        });
        c.Start(_stop.Token);
        c.Outbox.Writer.TryWrite(data);
    }

    /// <summary>Wraps a connected socket's stream; TLS authenticates here. Throws to refuse the connection.</summary>
    protected virtual ValueTask<Stream> WrapAsync(Socket socket, IPEndPoint remote, bool outbound, CancellationToken ct) =>
        ValueTask.FromResult<Stream>(new NetworkStream(socket, ownsSocket: true));

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

            socket.NoDelay = true;
            var remote = (IPEndPoint)socket.RemoteEndPoint!;
            var c = new Connection(this, remote, socket);
            _connections[remote] = c;
            c.Start(ct);
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
        GC.SuppressFinalize(this);
    }

    private sealed class Connection
    {
        private readonly SipTcpTransport _owner;
        private readonly IPEndPoint _remote;
        private Socket? _socket;
        private Stream? _stream;
        private int _started;

        public Connection(SipTcpTransport owner, IPEndPoint remote, Socket? accepted)
        {
            _owner = owner;
            _remote = remote;
            _socket = accepted;
        }

        public Channel<ReadOnlyMemory<byte>> Outbox { get; } = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

        public void Start(CancellationToken ct)
        {
            if (Interlocked.Exchange(ref _started, 1) == 0)
            {
                _ = Task.Run(() => RunAsync(ct), CancellationToken.None);
            }
        }

        public void Close()
        {
            Outbox.Writer.TryComplete();
            _stream?.Dispose();
            _socket?.Dispose();
        }

        private async Task RunAsync(CancellationToken ct)
        {
            var outbound = _socket is null;
            try
            {
                if (_socket is null)
                {
                    var s = new Socket(_remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    _socket = s;
                    await s.ConnectAsync(_remote, ct).ConfigureAwait(false);
                }

                _stream = await _owner.WrapAsync(_socket, _remote, outbound, ct).ConfigureAwait(false);
                var writer = WriteLoopAsync(_stream, ct);
                await ReadLoopAsync(_stream, ct).ConfigureAwait(false);
                Outbox.Writer.TryComplete();
                await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (OperationCanceledException)
            {
            }
#pragma warning disable CA1031 // a failed connection (refused, TLS rejected, reset) is reported, never thrown
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // RFC 3261 §18.4: the transaction user learns about the transport error.
                _owner.Counters.OnTransportError();
                _owner.ReportTransportError(_remote, ex);
            }
            finally
            {
                _owner._connections.TryRemove(new KeyValuePair<IPEndPoint, Connection>(_remote, this));
                Outbox.Writer.TryComplete();
                if (_stream is not null)
                {
                    await _stream.DisposeAsync().ConfigureAwait(false);
                }

                _socket?.Dispose();
            }
        }

        private async Task WriteLoopAsync(Stream stream, CancellationToken ct)
        {
            await foreach (var data in Outbox.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                await stream.WriteAsync(data, ct).ConfigureAwait(false);
                await stream.FlushAsync(ct).ConfigureAwait(false);
            }
        }

        private async Task ReadLoopAsync(Stream stream, CancellationToken ct)
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

                    var n = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
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
