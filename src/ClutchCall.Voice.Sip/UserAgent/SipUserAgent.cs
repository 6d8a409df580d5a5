using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Sip.Auth;
using ClutchCall.Voice.Sip.Dns;
using ClutchCall.Voice.Sip.Media;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Transactions;
using ClutchCall.Voice.Sip.Transport;

namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>
/// A SIP user agent (RFC 3261 §8, §12–§15) over one UDP socket: places calls through configured trunks,
/// takes calls from them, keeps registrations fresh, and gives every call an RTP media leg.
/// </summary>
internal sealed class SipUserAgent : IAsyncDisposable
{
    private readonly SipUdpTransport _transport;
    private readonly SipTransactionLayer _layer;
    private readonly RtpPortAllocator _ports;
    private readonly MediaClock _clock;
    private readonly Dictionary<string, SipTrunkOptions> _trunks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SipCallRateLimiter> _limiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SipCall> _calls = new(StringComparer.Ordinal);
    private readonly List<SipRegistration> _registrations = [];
    private readonly Dictionary<string, SipTrunkKeepAlive> _keepAlives = new(StringComparer.Ordinal);
    private readonly ISipInboundPolicy? _inboundPolicy;
    private readonly SipTransportSet _signalling;
    private readonly SipDnsResolver _dns;

    public SipUserAgent(SipUserAgentOptions options, IEnumerable<SipTrunkOptions> trunks, TimeProvider? time = null, ISipInboundPolicy? inboundPolicy = null)
    {
        Options = options;
        Time = time ?? TimeProvider.System;
        _inboundPolicy = inboundPolicy;
        foreach (var t in trunks)
        {
            t.Validate();
            _trunks.Add(t.Id, t);
            _limiters.Add(t.Id, new SipCallRateLimiter(t.MaxCallsPerSecond, t.MaxConcurrentCalls, Time));
        }

        _transport = new SipUdpTransport(new IPEndPoint(options.BindAddress, options.SipPort));
        _layer = new SipTransactionLayer(_transport, Time, options.Timers)
        {
            RequestReceived = OnRequest,
            StrayResponse = OnStrayResponse,
        };
        _signalling = new SipTransportSet(this, _transport, _layer);
        _ports = new RtpPortAllocator(options.BindAddress, options.RtpPortMin, options.RtpPortMax);
        _clock = new MediaClock(Time);
        _dns = new SipDnsResolver(new DnsClient(new DnsClientOptions { Nameservers = options.Nameservers }, Time));
        Host = options.PublicAddress ?? (options.BindAddress.Equals(IPAddress.Any) ? "127.0.0.1" : options.BindAddress.ToString());
    }

    public SipUserAgentOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>The host written in Via, Contact and SDP.</summary>
    public string Host { get; }

    public int Port => _transport.LocalEndPoint.Port;

    public IPEndPoint LocalEndPoint => _transport.LocalEndPoint;

    public SipTransportCounters Counters => _transport.Counters;

    internal SipTransactionLayer Layer => _layer;

    internal MediaClock Clock => _clock;

    public IReadOnlyCollection<SipTrunkOptions> Trunks => _trunks.Values;

    public IReadOnlyList<SipRegistration> Registrations => _registrations;

    public int ActiveCalls => _calls.Count;

    /// <summary>Raised for an inbound INVITE that passed the policy; the handler accepts or rejects the call.</summary>
    public event Action<SipCall>? IncomingCall;

    /// <summary>Raised once each time a trunk's keep-alive state changes (unknown → up, up → down, down → up).</summary>
    public event Action<SipTrunkHealth>? TrunkHealthChanged;

    /// <summary>
    /// The OPTIONS keep-alive health of a trunk: up, down or unknown (keep-alive off, or no probe settled yet),
    /// with the last round-trip time and when the state last changed.
    /// </summary>
    public SipTrunkHealth TrunkHealth(string trunkId)
    {
        _ = GetTrunk(trunkId);
        return _keepAlives.TryGetValue(trunkId, out var k) ? k.Health : SipTrunkHealth.Unknown(trunkId);
    }

    /// <summary>Starts listening, the media clock and the configured registrations.</summary>
    public void Start()
    {
        _transport.Start();
        _signalling.Start();
        _clock.Start();
        foreach (var t in _trunks.Values)
        {
            if (t.Register)
            {
                var r = new SipRegistration(this, t);
                _registrations.Add(r);
                r.Start();
            }

            if (t.KeepAliveSeconds > 0)
            {
                var k = new SipTrunkKeepAlive(this, t, h => TrunkHealthChanged?.Invoke(h));
                _keepAlives.Add(t.Id, k);
                k.Start();
            }
        }
    }

    public SipTrunkOptions GetTrunk(string trunkId) =>
        _trunks.TryGetValue(trunkId, out var t) ? t : throw new ArgumentException($"unknown SIP trunk '{trunkId}'", nameof(trunkId));

    /// <summary>Places a call through a trunk. Returns at once with the call, whose events report its progress.</summary>
    public SipCall PlaceCall(string trunkId, SipCallRequest request)
    {
        var trunk = GetTrunk(trunkId);
        if (_limiters[trunkId].TryAcquire(outbound: true) is { } refused)
        {
            throw new SipTrunkLimitException(trunkId, refused);
        }

        var call = SipCall.CreateOutbound(this, trunk, request);
        _calls[call.CallId] = call;
        call.Start();
        return call;
    }

    internal string NewVia() => $"SIP/2.0/UDP {HostPort};branch={SipResponseFactory.NewBranch()};rport";

    internal string HostPort => (Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    internal string Contact(string? user) => $"<sip:{(string.IsNullOrEmpty(user) ? string.Empty : user + "@")}{HostPort}>";

    internal RtpMediaSession CreateMedia()
    {
        var (rtp, rtcp) = _ports.Allocate();
        return new RtpMediaSession(rtp, rtcp, Time, Options.Media);
    }

    /// <summary>Where an out-of-dialog request for a trunk goes first (registration, keep-alive): the first RFC 3263 target.</summary>
    internal async ValueTask<IPEndPoint> ResolveTrunkAsync(SipTrunkOptions trunk, CancellationToken ct)
    {
        var targets = await ResolveTrunkTargetsAsync(trunk, ct).ConfigureAwait(false);
        return targets[0];
    }

    /// <summary>
    /// RFC 3263 §4: every place an out-of-dialog request for a trunk may go, in the order to try — the outbound
    /// proxy, else the trunk host (RFC 3261 §8.1.2). Each target is bound to the trunk's transport and TLS settings.
    /// </summary>
    internal async ValueTask<IReadOnlyList<IPEndPoint>> ResolveTrunkTargetsAsync(SipTrunkOptions trunk, CancellationToken ct)
    {
        var (host, port) = (trunk.Host, trunk.Port);
        if (!string.IsNullOrEmpty(trunk.OutboundProxy))
        {
            var p = trunk.OutboundProxy;
            var colon = p.LastIndexOf(':');
            (host, port) = colon > 0 && !p.EndsWith(']') && int.TryParse(p.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var proxyPort)
                ? (p[..colon], proxyPort)
                : (p, 0);
        }

        var targets = await LocateAsync(host, port, trunk.TransportKind, trunk.Sips, ct).ConfigureAwait(false);
        foreach (var t in targets)
        {
            _signalling.Bind(t, trunk);
        }

        return targets;
    }

    /// <summary>
    /// RFC 3263 §4.1–§4.2: an IP literal (or <c>localhost</c>) is used as is without any lookup; a name goes through
    /// NAPTR/SRV/A/AAAA on the configured nameservers. When DNS gives nothing, the system resolver (hosts file) is
    /// the last resort, so a name that only <c>/etc/hosts</c> knows still works.
    /// </summary>
    private async ValueTask<IReadOnlyList<IPEndPoint>> LocateAsync(string host, int port, SipTransportKind transport, bool secure, CancellationToken ct)
    {
        var h = host.Trim('[', ']');
        var fallbackPort = port != 0 ? port : transport == SipTransportKind.Tls ? 5061 : 5060;
        if (IPAddress.TryParse(h, out var ip))
        {
            return [new IPEndPoint(ip, fallbackPort)];
        }

        if (string.Equals(h, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return [new IPEndPoint(IPAddress.Loopback, fallbackPort)];
        }

        string why;
        try
        {
            var found = await _dns.ResolveAsync(h, port, transport, secure, ct).ConfigureAwait(false);
            var endpoints = found.Select(t => t.EndPoint).Distinct().ToList();
            if (endpoints.Count > 0)
            {
                return endpoints;
            }

            why = "no targets";
        }
        catch (DnsLookupException e)
        {
            why = e.Message;
        }

        try
        {
            return [await ResolveAsync(h, fallbackPort, ct).ConfigureAwait(false)];
        }
        catch (Exception e) when (e is SocketException or SipException)
        {
            throw new SipException(503, $"cannot resolve '{host}': {why}");
        }
    }

    /// <summary>RFC 3263 §4.2 (A/AAAA only): an IP literal is used as is, a name is looked up.</summary>
    internal static async ValueTask<IPEndPoint> ResolveAsync(string host, int port, CancellationToken ct)
    {
        var h = host.Trim('[', ']');
        if (IPAddress.TryParse(h, out var ip))
        {
            return new IPEndPoint(ip, port == 0 ? 5060 : port);
        }

        var addresses = await System.Net.Dns.GetHostAddressesAsync(h, ct).ConfigureAwait(false);
        var pick = Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetwork) ?? (addresses.Length > 0 ? addresses[0] : null);
        return pick is null ? throw new SipException(503, $"cannot resolve '{host}'") : new IPEndPoint(pick, port == 0 ? 5060 : port);
    }

    internal async ValueTask<IPEndPoint> ResolveAsync(SipUri uri, CancellationToken ct)
    {
        // RFC 3263 §4.2: a sips URI or transport=tls defaults to 5061.
        var secure = uri.Scheme == "sips" || string.Equals(uri.Transport, "tls", StringComparison.OrdinalIgnoreCase);
        var target = await ResolveAsync(uri.Host, uri.Port == 0 && secure ? 5061 : uri.Port, ct).ConfigureAwait(false);
        _signalling.Bind(target, uri);
        return target;
    }

    /// <summary>The transport set: per-target transport choice, TCP/TLS listeners and their transaction layers.</summary>
    internal SipTransportSet Signalling => _signalling;

    /// <summary>A Via for the transport that reaches <paramref name="destination"/> (RFC 3261 §18.1.1, RFC 3581 §3).</summary>
    internal string NewVia(IPEndPoint destination) => _signalling.NewVia(destination);

    /// <summary>A Contact reachable over the transport used toward <paramref name="destination"/> (RFC 3261 §8.1.1.8).</summary>
    internal string Contact(string? user, IPEndPoint destination) => _signalling.Contact(user, destination);

    /// <summary>Starts a client transaction on the transport that reaches <paramref name="destination"/>.</summary>
    internal SipClientTransaction StartTransaction(SipMessageBuilder request, IPEndPoint destination) => _signalling.SendRequest(request, destination);

    /// <summary>Sends a request in a client transaction and awaits its final response.</summary>
    internal Task<SipMessage> SendAsync(SipMessageBuilder request, IPEndPoint destination, CancellationToken ct) =>
        _signalling.SendRequest(request, destination).FinalResponse.WaitAsync(ct);

    /// <summary>
    /// Sends a request and answers one Digest challenge (RFC 3261 §22.2): <paramref name="build"/> is called
    /// again for the retry (it takes the next CSeq), which carries the credentials; a second challenge is
    /// returned as the final answer. <paramref name="onAuthorization"/> learns the header used, for an ACK.
    /// </summary>
    internal async Task<SipMessage> SendWithAuthAsync(Func<SipMessageBuilder> build, IPEndPoint destination, DigestCredentials? credentials, CancellationToken ct, Action<string, string>? onAuthorization = null)
    {
        var response = await SendAsync(build(), destination, ct).ConfigureAwait(false);
        if (response.StatusCode is not (401 or 407) || credentials is null || DigestAuthenticator.PickChallenge(response) is not { } challenge)
        {
            return response;
        }

        var retry = build();
        var name = DigestAuthenticator.AnswerHeaderFor(response.StatusCode);
        var value = DigestAuthenticator.CreateAuthorization(challenge, credentials, retry.Method, retry.RequestUri, 1, DigestAuthenticator.NewCnonce());
        retry.Add(name, value);
        onAuthorization?.Invoke(name, value);
        return await SendAsync(retry, destination, ct).ConfigureAwait(false);
    }

    internal static DigestCredentials? CredentialsOf(SipTrunkOptions? trunk) =>
        trunk is { Username: { Length: > 0 } user, Password: { } password } ? new DigestCredentials(user, password) : null;

    internal void SendStateless(byte[] message, IPEndPoint destination) => _signalling.TransportFor(destination).Send(message, destination);

    internal void OnCallEnded(SipCall call)
    {
        if (_calls.TryRemove(call.CallId, out _) && call.Trunk is { } t && _limiters.TryGetValue(t.Id, out var limiter))
        {
            limiter.Release();
        }
    }

    internal void OnStrayResponse(SipMessage response)
    {
        // RFC 3261 §13.2.2.4: a retransmitted 2xx to an INVITE is ACKed again by the UA core.
        if (response.CallId is { } id && _calls.TryGetValue(id, out var call))
        {
            call.OnStrayResponse(response);
        }
    }

    internal void OnRequest(SipServerTransaction tx)
    {
        var request = tx.Request;
        try
        {
            if (request.To?.Tag is { Length: > 0 })
            {
                // RFC 3261 §12.2.2: in-dialog request.
                if (request.CallId is { } id && _calls.TryGetValue(id, out var call) && call.Dialog?.Matches(request) == true)
                {
                    call.OnInDialogRequest(tx);
                }
                else
                {
                    tx.Respond(tx.CreateResponse(481, SipReasonPhrases.For(481)));
                }

                return;
            }

            switch (request.Method)
            {
                case "INVITE":
                    OnNewInvite(tx);
                    break;
                case "OPTIONS":
                    // RFC 3261 §11.2: capabilities, also the trunk's keep-alive probe.
                    tx.Respond(AddCapabilities(tx.CreateResponse(200, "OK")));
                    break;
                default:
                    tx.Respond(tx.CreateResponse(481, SipReasonPhrases.For(481)));
                    break;
            }
        }
#pragma warning disable CA1031 // one bad request must not take down the user agent
        catch (Exception)
#pragma warning restore CA1031
        {
            tx.Respond(tx.CreateResponse(500, SipReasonPhrases.For(500)));
        }
    }

    internal SipMessageBuilder AddCapabilities(SipMessageBuilder response) => response
        .Add(SipHeaderNames.Allow, "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, REFER, NOTIFY, PRACK")
        .Add(SipHeaderNames.Accept, "application/sdp, application/dtmf-relay, message/sipfrag")
        .Add(SipHeaderNames.Supported, "timer, 100rel, replaces, norefersub")
        .Add(SipHeaderNames.UserAgent, Options.Product);

    private void OnNewInvite(SipServerTransaction tx)
    {
        var request = tx.Request;
        var trunk = MatchTrunk(tx.Remote.Address);
        if (trunk is null && !Options.AcceptUnknownSources)
        {
            tx.Respond(tx.CreateResponse(403, "Forbidden"));
            return;
        }

        var dialed = request.RequestUri?.User ?? request.To?.Uri.User ?? string.Empty;
        var caller = CallerIdOf(request);
        if (_inboundPolicy?.Evaluate(new SipInboundCallInfo(trunk, dialed, caller, tx.Remote)) is { Accept: false } no)
        {
            // Rejected before any provisional with a To tag or any media.
            tx.Respond(tx.CreateResponse(no.StatusCode, no.Reason));
            return;
        }

        if (trunk is not null && _limiters[trunk.Id].TryAcquire(outbound: false) is not null)
        {
            tx.Respond(tx.CreateResponse(503, SipReasonPhrases.For(503)).Add("Retry-After", "5"));
            return;
        }

        var call = SipCall.CreateInbound(this, trunk, tx, dialed, caller);
        if (!_calls.TryAdd(call.CallId, call))
        {
            tx.Respond(tx.CreateResponse(482, "Loop Detected"));
            return;
        }

        if (!call.BeginInbound())
        {
            return;
        }

        if (IncomingCall is { } handler)
        {
            handler(call);
        }
        else
        {
            call.RejectAsync(480, "Temporarily Unavailable").AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>RFC 3325 §9.1: P-Asserted-Identity from a trusted trunk wins over From.</summary>
    private static string CallerIdOf(SipMessage request)
    {
        if (request.GetHeader("P-Asserted-Identity") is { } pai && SipAddress.TryParse(pai, out var asserted) && asserted!.Uri.User is { } u)
        {
            return u;
        }

        return request.From?.Uri.User ?? string.Empty;
    }

    private SipTrunkOptions? MatchTrunk(IPAddress source)
    {
        var src = source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source;
        foreach (var t in _trunks.Values)
        {
            if (IPAddress.TryParse(t.Host, out var hostIp) && hostIp.Equals(src))
            {
                return t;
            }

            foreach (var a in (t.InboundAddresses ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (IPNetwork.TryParse(a.Contains('/', StringComparison.Ordinal) ? a : a + (a.Contains(':', StringComparison.Ordinal) ? "/128" : "/32"), out var net) && net.Contains(src))
                {
                    return t;
                }
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var k in _keepAlives.Values)
        {
            await k.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var r in _registrations)
        {
            await r.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var c in _calls.Values)
        {
            await c.DisposeAsync().ConfigureAwait(false);
        }

        _clock.Dispose();
        await _signalling.DisposeAsync().ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A SIP failure carrying the status code that describes it.</summary>
internal class SipException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>The trunk's call-rate or concurrency limit refused an outbound call.</summary>
internal sealed class SipTrunkLimitException(string trunkId, string message) : SipException(503, $"trunk '{trunkId}': {message}")
{
    public string TrunkId { get; } = trunkId;
}
