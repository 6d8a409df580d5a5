using System.Net;
using ClutchCall.Voice.Sip.Media;
using ClutchCall.Voice.Sip.Transactions;

namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>Settings of a <see cref="SipUserAgent"/>: where it listens and what it advertises.</summary>
internal sealed record SipUserAgentOptions
{
    /// <summary>Address the SIP and RTP sockets bind to.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>SIP port (0 picks a free one).</summary>
    public int SipPort { get; init; } = 5060;

    /// <summary>Address written in Via, Contact and SDP c= (the public address behind NAT); defaults to the bind address.</summary>
    public string? PublicAddress { get; init; }

    public int RtpPortMin { get; init; } = 16384;

    public int RtpPortMax { get; init; } = 32767;

    /// <summary>User-Agent header value.</summary>
    public string Product { get; init; } = "ClutchCall";

    /// <summary>Ring timeout for outbound calls that name none.</summary>
    public TimeSpan DefaultRingTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public SipMediaSettings Media { get; init; } = new();

    public SipTimers Timers { get; init; } = SipTimers.Default;

    /// <summary>Also listen for SIP over TCP (RFC 3261 §18) on <see cref="SipPort"/> (a free port when that one is taken).</summary>
    public bool TcpEnabled { get; init; } = true;

    /// <summary>Port of the TLS listener (RFC 3261 §26.3.1; 0 picks a free one). It is opened when a trunk uses TLS or a certificate is set.</summary>
    public int TlsPort { get; init; } = 5061;

    /// <summary>Certificate (with private key) presented to inbound TLS connections; without one, inbound TLS is refused.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? TlsCertificate { get; init; }

    /// <summary>
    /// Nameservers for RFC 3263 trunk resolution (NAPTR/SRV/A/AAAA); empty means those in <c>/etc/resolv.conf</c>.
    /// An IP-literal trunk host never queries DNS.
    /// </summary>
    public IReadOnlyList<IPEndPoint> Nameservers { get; init; } = [];

    /// <summary>Accept INVITEs from sources that match no trunk (lab use); otherwise they get 403.</summary>
    public bool AcceptUnknownSources { get; init; }
}
