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

    /// <summary>Accept INVITEs from sources that match no trunk (lab use); otherwise they get 403.</summary>
    public bool AcceptUnknownSources { get; init; }
}
