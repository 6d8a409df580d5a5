using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Transactions;
using ClutchCall.Voice.Sip.Transport;

namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>
/// The user agent's transports (RFC 3261 §18): the UDP socket plus TCP and TLS listeners, each with its own
/// transaction layer (reliable transports run without retransmission timers, §17.1.1.2). Every destination is
/// bound to one transport — by the trunk it belongs to, by the transport parameter or <c>sips</c> scheme of
/// the URI it came from (RFC 3263 §4.1), or by the connection a peer opened to us — and Via, Contact and
/// sends follow that choice, so one connection per target is reused for every transaction.
/// </summary>
internal sealed class SipTransportSet : IAsyncDisposable
{
    private readonly SipUserAgent _ua;
    private readonly SipTransport?[] _transports = new SipTransport?[3];
    private readonly SipTransactionLayer?[] _layers = new SipTransactionLayer?[3];
    private readonly ConcurrentDictionary<IPEndPoint, SipTransportKind> _routes = new();
    private readonly ConcurrentDictionary<IPEndPoint, bool> _secure = new();
    private readonly ConcurrentDictionary<IPAddress, SipTlsClientSettings> _tlsByAddress = new();
    private readonly ConcurrentDictionary<SipClientTransaction, (IPEndPoint Destination, SipTransportKind Kind)> _pending = new();
    private readonly ConcurrentDictionary<(IPEndPoint, SipTransportKind), long> _errorEpochs = new();
    private readonly ConditionalWeakTable<SipClientTransaction, string> _failures = [];

    public SipTransportSet(SipUserAgent ua, SipUdpTransport udp, SipTransactionLayer udpLayer)
    {
        _ua = ua;
        _transports[(int)SipTransportKind.Udp] = udp;
        _layers[(int)SipTransportKind.Udp] = udpLayer;
        var options = ua.Options;
        if (options.TcpEnabled || ua.Trunks.Any(t => t.TransportKind == SipTransportKind.Tcp))
        {
            // RFC 3261 §18.2.1: a UA listening on UDP should listen on TCP at the same port.
            SipTcpTransport tcp;
            try
            {
                tcp = new SipTcpTransport(new IPEndPoint(options.BindAddress, udp.LocalEndPoint.Port));
            }
            catch (SocketException)
            {
                tcp = new SipTcpTransport(new IPEndPoint(options.BindAddress, 0));
            }

            Add(SipTransportKind.Tcp, tcp);
        }

        if (options.TlsCertificate is not null || ua.Trunks.Any(t => t.TransportKind == SipTransportKind.Tls))
        {
            Add(SipTransportKind.Tls, new SipTlsTransport(new IPEndPoint(options.BindAddress, options.TlsPort), options.TlsCertificate));
        }
    }

    /// <summary>The TCP listener's address, or null when TCP is off.</summary>
    public IPEndPoint? TcpEndPoint => _transports[(int)SipTransportKind.Tcp]?.LocalEndPoint;

    /// <summary>The TLS listener's address, or null when TLS is off.</summary>
    public IPEndPoint? TlsEndPoint => _transports[(int)SipTransportKind.Tls]?.LocalEndPoint;

    /// <summary>The transport of a kind, or null when it is not open.</summary>
    public SipTransport? Get(SipTransportKind kind) => _transports[(int)kind];

    public void Start()
    {
        for (var k = 1; k < _transports.Length; k++)
        {
            _transports[k]?.Start();
        }
    }

    /// <summary>The transport chosen for a destination (UDP unless bound otherwise).</summary>
    public SipTransportKind KindFor(IPEndPoint destination) =>
        _routes.TryGetValue(destination, out var k) && _transports[(int)k] is not null ? k : SipTransportKind.Udp;

    public SipTransport TransportFor(IPEndPoint destination) => _transports[(int)KindFor(destination)]!;

    public SipTransactionLayer LayerFor(IPEndPoint destination) => _layers[(int)KindFor(destination)]!;

    /// <summary>Binds a trunk's resolved target to the trunk's transport and TLS settings.</summary>
    public void Bind(IPEndPoint target, SipTrunkOptions trunk)
    {
        var kind = trunk.TransportKind;
        if (_transports[(int)kind] is null)
        {
            throw new SipException(503, $"trunk '{trunk.Id}': transport {kind.ViaToken()} is not open on this user agent");
        }

        _routes[target] = kind;
        _secure[target] = trunk.Sips;
        if (kind == SipTransportKind.Tls)
        {
            var settings = new SipTlsClientSettings(trunk.TlsServerName ?? trunk.Host, trunk.TlsCertificateThumbprint);
            _tlsByAddress[target.Address] = settings;
            ((SipTlsTransport)_transports[(int)kind]!).ConfigureTarget(target, settings);
        }
    }

    /// <summary>
    /// RFC 3263 §4.1: a URI's transport parameter (or the <c>sips</c> scheme, meaning TLS) picks the
    /// transport toward it; without either, the target keeps the transport it already has.
    /// </summary>
    public void Bind(IPEndPoint target, SipUri uri)
    {
        var sips = uri.Scheme == "sips";
        SipTransportKind kind;
        if (sips)
        {
            kind = SipTransportKind.Tls;
        }
        else if (!SipTransportKinds.TryParse(uri.Transport, out kind))
        {
            return;
        }

        if (_transports[(int)kind] is null)
        {
            return;
        }

        _routes[target] = kind;
        _secure[target] = sips;
        if (kind == SipTransportKind.Tls && _tlsByAddress.TryGetValue(target.Address, out var settings))
        {
            // A dialog's remote target on the carrier's address is checked as the trunk is.
            ((SipTlsTransport)_transports[(int)kind]!).ConfigureTarget(target, settings);
        }
    }

    /// <summary>RFC 3261 §18.1.1 and §20.42: Via names the transport and the port it listens on; RFC 3581 §3 rport.</summary>
    public string NewVia(IPEndPoint destination)
    {
        var kind = KindFor(destination);
        return $"SIP/2.0/{kind.ViaToken()} {HostPort(kind)};branch={SipResponseFactory.NewBranch()};rport";
    }

    /// <summary>
    /// RFC 3261 §8.1.1.8: a Contact reachable over the same transport — <c>;transport=tcp|tls</c>, or a
    /// <c>sips</c> URI where the target uses sips (RFC 5630 §3.1.3).
    /// </summary>
    public string Contact(string? user, IPEndPoint destination)
    {
        var kind = KindFor(destination);
        var userPart = string.IsNullOrEmpty(user) ? string.Empty : user + "@";
        if (kind == SipTransportKind.Udp)
        {
            return $"<sip:{userPart}{HostPort(kind)}>";
        }

        return kind == SipTransportKind.Tls && _secure.TryGetValue(destination, out var s) && s
            ? $"<sips:{userPart}{HostPort(kind)}>"
            : $"<sip:{userPart}{HostPort(kind)};transport={kind.UriToken()}>";
    }

    private string HostPort(SipTransportKind kind)
    {
        var host = _ua.Host;
        return (host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host) + ":"
            + _transports[(int)kind]!.LocalEndPoint.Port.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Starts a client transaction on the destination's transport. On a reliable transport a failed
    /// connection fails the transaction at once with 503 (RFC 3261 §17.1.4) instead of waiting for Timer B.
    /// </summary>
    public SipClientTransaction SendRequest(SipMessageBuilder request, IPEndPoint destination)
    {
        var kind = KindFor(destination);
        var layer = _layers[(int)kind]!;
        if (kind == SipTransportKind.Udp)
        {
            return layer.SendRequest(request, destination);
        }

        var epoch = _errorEpochs.GetValueOrDefault((destination, kind));
        var tx = layer.SendRequest(request, destination);
        _pending[tx] = (destination, kind);
        _ = tx.FinalResponse.ContinueWith(_ => _pending.TryRemove(tx, out var _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (_errorEpochs.GetValueOrDefault((destination, kind)) != epoch && _lastErrors.TryGetValue((destination, kind), out var why))
        {
            Fail(tx, why);
        }

        return tx;
    }

    /// <summary>Why a transaction was failed by its transport (e.g. a rejected TLS certificate), or null.</summary>
    public string? TransportErrorOf(SipClientTransaction tx) => _failures.TryGetValue(tx, out var why) ? why : null;

    private readonly ConcurrentDictionary<(IPEndPoint, SipTransportKind), string> _lastErrors = new();

    private void Add(SipTransportKind kind, SipTransport transport)
    {
        var layer = new SipTransactionLayer(transport, _ua.Time, _ua.Options.Timers)
        {
            RequestReceived = _ua.OnRequest,
            StrayResponse = _ua.OnStrayResponse,
        };

        // Requests a peer sends over its own connection are answered, and later requests sent, over it.
        var deliver = transport.MessageReceived!;
        transport.MessageReceived = inbound =>
        {
            _routes[inbound.Remote] = kind;
            deliver(inbound);
        };
        transport.TransportFailed = (remote, error) => OnTransportFailed(kind, remote, error);
        _transports[(int)kind] = transport;
        _layers[(int)kind] = layer;
    }

    private void OnTransportFailed(SipTransportKind kind, IPEndPoint remote, Exception error)
    {
        var why = $"{kind.ViaToken()} connection to {remote} failed: {error.Message}";
        _lastErrors[(remote, kind)] = why;
        _errorEpochs.AddOrUpdate((remote, kind), 1, (_, e) => e + 1);
        foreach (var (tx, target) in _pending)
        {
            if (target.Kind == kind && target.Destination.Equals(remote))
            {
                Fail(tx, why);
            }
        }
    }

    private void Fail(SipClientTransaction tx, string why)
    {
        _failures.AddOrUpdate(tx, why);
        tx.OnTransportError();
    }

    public async ValueTask DisposeAsync()
    {
        for (var k = 1; k < _transports.Length; k++)
        {
            if (_transports[k] is { } t)
            {
                await t.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
