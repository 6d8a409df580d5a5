using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Transport;

/// <summary>SIP over UDP (RFC 3261 §18): one socket, a receive loop, and a send queue.</summary>
internal sealed class SipUdpTransport : SipTransport
{
    private const int ReceiveBufferSize = 65_536;

    private readonly Socket _socket;
    private readonly Channel<(ReadOnlyMemory<byte> Data, IPEndPoint Remote)> _outbox =
        Channel.CreateBounded<(ReadOnlyMemory<byte>, IPEndPoint)>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly CancellationTokenSource _stop = new();
    private Task? _receiveLoop;
    private Task? _sendLoop;

    public SipUdpTransport(IPEndPoint bind, SipParserOptions? options = null)
        : base(options)
    {
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(bind);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public override string Protocol => "UDP";

    public override bool IsReliable => false;

    public override IPEndPoint LocalEndPoint { get; }

    public long SendErrors { get; private set; }

    public override void Start()
    {
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(_stop.Token));
        _sendLoop = Task.Run(() => SendLoopAsync(_stop.Token));
    }

    public override void Send(ReadOnlyMemory<byte> data, IPEndPoint remote) => _outbox.Writer.TryWrite((data, remote));

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = GC.AllocateArray<byte>(ReceiveBufferSize, pinned: true);
        EndPoint any = new IPEndPoint(LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try
            {
                r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // ICMP port unreachable from an earlier send surfaces here on some stacks: keep listening.
                continue;
            }

            try
            {
                var remote = (IPEndPoint)r.RemoteEndPoint;
                if (r.ReceivedBytes >= ReceiveBufferSize)
                {
                    // A datagram that filled the buffer may have been truncated: dropped and counted.
                    Counters.OnOversized();
                    continue;
                }

                var ok = SipMessageParser.TryParse(buffer.AsSpan(0, r.ReceivedBytes), ParserOptions, out var msg, out var error);
                if (!ok && error.Kind is SipParseErrorKind.Empty)
                {
                    continue; // keep-alive CRLFs
                }

                Deliver(ok, msg, error, remote);
            }
#pragma warning disable CA1031 // one bad datagram or handler must not stop the listener
            catch (Exception)
#pragma warning restore CA1031
            {
                Counters.OnMalformed();
            }
        }
    }

    private async Task SendLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (data, remote) in _outbox.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await _socket.SendToAsync(data, SocketFlags.None, remote, ct).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    SendErrors++;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _outbox.Writer.TryComplete();
        _socket.Dispose();
        foreach (var t in new[] { _receiveLoop, _sendLoop })
        {
            if (t is not null)
            {
                await t.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        _stop.Dispose();
    }
}
