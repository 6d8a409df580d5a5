using ClutchCall.Voice.Sip.Sdp;

namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>
/// One SIP trunk (a carrier, PBX or proxy), bound from configuration <c>Sip:Trunks:&lt;id&gt;</c>. Outbound
/// calls go to <see cref="Host"/> (or through <see cref="OutboundProxy"/>); inbound INVITEs are matched to the
/// trunk by source address.
/// </summary>
internal sealed class SipTrunkOptions
{
    /// <summary>Trunk id (the configuration key when bound from <c>Sip:Trunks</c>).</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The carrier's SIP host: an IP address, or a DNS name located per RFC 3263 (SRV when <see cref="Port"/> is 0, else A/AAAA).</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>
    /// Port of <see cref="Host"/>; 0 means none is given, so a DNS name is located by SRV (RFC 3263 §4.2) and the
    /// request fails over across the SRV targets (§4.3).
    /// </summary>
    public int Port { get; set; } = 5060;

    /// <summary>Signalling transport (RFC 3261 §18): <c>udp</c>, <c>tcp</c> or <c>tls</c> (normally port 5061).</summary>
    public string Transport { get; set; } = "udp";

    /// <summary>Use <c>sips:</c> URIs toward this trunk (RFC 5630); needs <c>tls</c>.</summary>
    public bool Sips { get; set; }

    /// <summary>Name checked against the carrier's TLS certificate and sent in SNI; defaults to <see cref="Host"/>.</summary>
    public string? TlsServerName { get; set; }

    /// <summary>
    /// SHA-256 (or SHA-1) fingerprint of the carrier's TLS certificate, hex: pins that certificate (for
    /// self-signed carriers) instead of validating its chain and name.
    /// </summary>
    public string? TlsCertificateThumbprint { get; set; }

    /// <summary>SRTP with SDES keys (RFC 4568): <c>off</c>, <c>optional</c> or <c>required</c> (which needs <c>tls</c>).</summary>
    public string Srtp { get; set; } = "off";

    /// <summary><c>host[:port]</c> every out-of-dialog request is sent to (RFC 3261 §8.1.2), or null.</summary>
    public string? OutboundProxy { get; set; }

    /// <summary>Domain written in Request-URI, To and From; defaults to <see cref="Host"/>[:<see cref="Port"/>].</summary>
    public string? Domain { get; set; }

    /// <summary>Digest user name (RFC 7616); null when the trunk trusts our address instead.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Register <see cref="Username"/>@<see cref="Domain"/> and keep it refreshed.</summary>
    public bool Register { get; set; }

    public int RegisterExpiresSeconds { get; set; } = 600;

    /// <summary>Comma-separated source addresses whose INVITEs belong to this trunk (IP allow-list); the host's own addresses always do.</summary>
    public string? InboundAddresses { get; set; }

    /// <summary>Codecs in order of preference, comma-separated: PCMU, PCMA, opus.</summary>
    public string Codecs { get; set; } = "PCMU,PCMA";

    /// <summary>Caller ID used when a call names none (the From user part, normally E.164).</summary>
    public string? DefaultCallerId { get; set; }

    /// <summary>Display name written in From.</summary>
    public string? CallerIdDisplayName { get; set; }

    /// <summary>Also assert the caller ID in P-Asserted-Identity (RFC 3325 §9.1), for trusted trunks.</summary>
    public bool SendPAssertedIdentity { get; set; }

    /// <summary>Outbound calls per second allowed on this trunk (0: unlimited).</summary>
    public double MaxCallsPerSecond { get; set; }

    /// <summary>Calls up at once on this trunk, both directions (0: unlimited).</summary>
    public int MaxConcurrentCalls { get; set; }

    /// <summary>Times a 503 with Retry-After is retried (RFC 3261 §21.5.4).</summary>
    public int Max503Retries { get; set; } = 2;

    /// <summary>Longest Retry-After honoured; a longer one fails the call at once.</summary>
    public int MaxRetryAfterSeconds { get; set; } = 5;

    /// <summary>
    /// Orgs (ids or names) whose calls may go out through this trunk; empty means every org (a single-tenant
    /// deployment). The user agent does not look at it; the server checks it before dialing.
    /// </summary>
    public List<string> Orgs { get; set; } = [];

    /// <summary>Status sent to inbound callers the caller-ID policy refuses (e.g. 403, 486, 603).</summary>
    public int InboundRejectStatus { get; set; } = 403;

    /// <summary>
    /// Seconds between OPTIONS keep-alive probes to the trunk (RFC 3261 §11; over UDP they also keep the NAT binding
    /// open); 0 turns keep-alive off. Read the result with <see cref="SipUserAgent.TrunkHealth"/>.
    /// </summary>
    public int KeepAliveSeconds { get; set; } = 30;

    /// <summary>
    /// Session interval asked for on outbound INVITEs (RFC 4028 §7.1: <c>Supported: timer</c> and Session-Expires), in
    /// seconds; 0 switches the session timer off for calls we place.
    /// </summary>
    public int SessionExpiresSeconds { get; set; } = 1800;

    /// <summary>Smallest session interval we accept or ask for (RFC 4028 §5 Min-SE; at least 90).</summary>
    public int MinSessionExpiresSeconds { get; set; } = 90;

    /// <summary>Advertise <c>Supported: 100rel</c> on outbound INVITEs, so the carrier may send its 18x reliably (RFC 3262 §4).</summary>
    public bool Offer100rel { get; set; } = true;

    /// <summary>
    /// Inbound: send 18x reliably (RFC 3262 §3) also when the caller only lists 100rel in Supported; with
    /// <c>Require: 100rel</c> they are always reliable.
    /// </summary>
    public bool ReliableProvisionalsWhenSupported { get; set; }

    /// <summary>The signalling transport as a kind (valid after <see cref="Validate"/>).</summary>
    public Sip.Transport.SipTransportKind TransportKind => Sip.Transport.SipTransportKinds.TryParse(Transport, out var k) ? k : Sip.Transport.SipTransportKind.Udp;

    /// <summary>True when SRTP is <c>required</c>.</summary>
    public bool SrtpRequired => string.Equals(Srtp.Trim(), "required", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when SRTP is offered (<c>optional</c> or <c>required</c>).</summary>
    public bool SrtpOffered => !string.Equals(Srtp.Trim(), "off", StringComparison.OrdinalIgnoreCase);

    /// <summary>The SRTP policy of this trunk's media (RFC 4568 SDES).</summary>
    internal Sdp.SrtpPolicy SrtpPolicy => SrtpRequired ? Sdp.SrtpPolicy.Required : SrtpOffered ? Sdp.SrtpPolicy.Optional : Sdp.SrtpPolicy.Off;

    /// <summary>URI scheme toward this trunk: <c>sips</c> when configured (RFC 5630), else <c>sip</c>.</summary>
    public string UriScheme => Sips ? "sips" : "sip";

    /// <summary>The domain part used in URIs for this trunk.</summary>
    public string EffectiveDomain => string.IsNullOrEmpty(Domain) ? (Port is 5060 or 0 ? Host : $"{Host}:{Port}") : Domain;

    /// <summary>The configured codecs in order; throws for an unknown name.</summary>
    public IReadOnlyList<SdpCodec> ParseCodecs()
    {
        var list = new List<SdpCodec>();
        foreach (var name in Codecs.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            list.Add(Media.SipAudioCodecs.FromName(name) ?? throw new ArgumentException($"trunk '{Id}': unknown codec '{name}' (use PCMU, PCMA or opus)"));
        }

        return list.Count > 0 ? list : throw new ArgumentException($"trunk '{Id}': no codecs configured");
    }

    /// <summary>Checks the settings and says what is wrong.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException($"trunk '{Id}': Host is required");
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"trunk '{Id}': Port {Port} is out of range");
        }

        if (!Sip.Transport.SipTransportKinds.TryParse(Transport, out var kind))
        {
            throw new ArgumentException($"trunk '{Id}': transport '{Transport}' is not supported (use udp, tcp or tls)");
        }

        if (Sips && kind != Sip.Transport.SipTransportKind.Tls)
        {
            throw new ArgumentException($"trunk '{Id}': Sips needs Transport tls (RFC 5630 §3.1)");
        }

        if (Srtp.Trim().ToLowerInvariant() is not ("off" or "optional" or "required"))
        {
            throw new ArgumentException($"trunk '{Id}': Srtp '{Srtp}' is not one of off, optional, required");
        }

        // RFC 4568 §8.3: SDES keys travel in the SDP, so required SRTP is only as safe as TLS signalling.
        if (SrtpRequired && kind != Sip.Transport.SipTransportKind.Tls)
        {
            throw new ArgumentException($"trunk '{Id}': Srtp required needs Transport tls (SDES keys must not cross the network in clear text)");
        }

        if (Register && (string.IsNullOrEmpty(Username) || Password is null))
        {
            throw new ArgumentException($"trunk '{Id}': Register needs Username and Password");
        }

        if (InboundRejectStatus is < 400 or > 699)
        {
            throw new ArgumentException($"trunk '{Id}': InboundRejectStatus must be a 4xx-6xx status");
        }

        if (KeepAliveSeconds is < 0 or > 86400)
        {
            throw new ArgumentException($"trunk '{Id}': KeepAliveSeconds {KeepAliveSeconds} must be 0 (off) to 86400");
        }

        // RFC 4028 §4/§5: no session interval or Min-SE below 90 s, and the interval asked for is at least our Min-SE.
        if (MinSessionExpiresSeconds < 90)
        {
            throw new ArgumentException($"trunk '{Id}': MinSessionExpiresSeconds must be at least 90 (RFC 4028 §5)");
        }

        if (SessionExpiresSeconds != 0 && SessionExpiresSeconds < MinSessionExpiresSeconds)
        {
            throw new ArgumentException($"trunk '{Id}': SessionExpiresSeconds must be 0 (off) or at least MinSessionExpiresSeconds ({MinSessionExpiresSeconds})");
        }

        _ = ParseCodecs();
    }
}
