using System.Net;
using System.Security.Cryptography.X509Certificates;
using ClutchCall.Voice.Sip.UserAgent;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>The <c>Sip</c> configuration section: the user agent's sockets and the trunks (<c>Sip:Trunks:&lt;id&gt;</c>).</summary>
internal sealed class SipServerOptions
{
    /// <summary>Address the SIP and RTP sockets bind to.</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>SIP UDP port.</summary>
    public int Port { get; set; } = 5060;

    /// <summary>Address advertised in Via, Contact and SDP (the public address behind NAT).</summary>
    public string? PublicAddress { get; set; }

    /// <summary>Lowest RTP port (even; RTCP uses the next odd one).</summary>
    public int RtpPortMin { get; set; } = 16384;

    /// <summary>Highest RTP port; size the range for twice the concurrent call limit.</summary>
    public int RtpPortMax { get; set; } = 32767;

    /// <summary>PCM rate handed to the bridge (48000 matches the relay's Opus tracks).</summary>
    public int PcmSampleRate { get; set; } = 48000;

    /// <summary>Also listen for SIP over TCP (RFC 3261 §18) on <see cref="Port"/>.</summary>
    public bool TcpEnabled { get; set; } = true;

    /// <summary>Port of the SIP TLS listener (RFC 3261 §26.3.1; 0 picks a free one).</summary>
    public int TlsPort { get; set; } = 5061;

    /// <summary>
    /// Certificate with private key presented to inbound TLS connections: a PKCS#12 file (<c>.pfx</c>/<c>.p12</c>)
    /// or a PEM file holding the certificate and its key. Without one, inbound TLS is refused.
    /// </summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>Password of <see cref="TlsCertificatePath"/> (PKCS#12, or an encrypted PEM key); none when unset.</summary>
    public string? TlsCertificatePassword { get; set; }

    /// <summary>
    /// Nameservers for RFC 3263 trunk resolution as <c>ip</c> or <c>ip:port</c> (<c>[v6]:port</c>); empty means
    /// those in <c>/etc/resolv.conf</c>.
    /// </summary>
    public List<string> Nameservers { get; set; } = [];

    /// <summary>Trunk used when a call names none; defaults to the only trunk when there is one.</summary>
    public string? DefaultTrunk { get; set; }

    public Dictionary<string, SipTrunkOptions> Trunks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Dialled numbers (DIDs) that take inbound calls (<c>Sip:Numbers:&lt;n&gt;</c>); an INVITE to any other number gets 404.</summary>
    public List<SipNumberOptions> Numbers { get; set; } = [];

    /// <summary>The configured nameservers as endpoints (port 53 when none is given); throws naming a malformed entry.</summary>
    public IReadOnlyList<IPEndPoint> NameserverEndPoints()
    {
        var list = new List<IPEndPoint>();
        foreach (var entry in Nameservers)
        {
            var text = entry.Trim();
            if (IPAddress.TryParse(text, out var ip))
            {
                list.Add(new IPEndPoint(ip, 53));
            }
            else if (IPEndPoint.TryParse(text, out var ep) && ep.Port != 0)
            {
                list.Add(ep);
            }
            else
            {
                throw new ArgumentException($"Sip:Nameservers: '{entry}' is not an IP address or ip:port");
            }
        }

        return list;
    }

    /// <summary>Loads <see cref="TlsCertificatePath"/> (PKCS#12 or PEM with key), or null when none is configured.</summary>
    public X509Certificate2? LoadTlsCertificate()
    {
        if (string.IsNullOrWhiteSpace(TlsCertificatePath))
        {
            return null;
        }

        if (!File.Exists(TlsCertificatePath))
        {
            throw new FileNotFoundException($"Sip:TlsCertificatePath: '{TlsCertificatePath}' does not exist", TlsCertificatePath);
        }

        var ext = Path.GetExtension(TlsCertificatePath);
        if (ext.Equals(".pem", StringComparison.OrdinalIgnoreCase) || ext.Equals(".crt", StringComparison.OrdinalIgnoreCase))
        {
            return string.IsNullOrEmpty(TlsCertificatePassword)
                ? X509Certificate2.CreateFromPemFile(TlsCertificatePath)
                : X509Certificate2.CreateFromEncryptedPemFile(TlsCertificatePath, TlsCertificatePassword);
        }

        return X509CertificateLoader.LoadPkcs12FromFile(TlsCertificatePath, TlsCertificatePassword);
    }

    /// <summary>The trunks with their ids filled in from their configuration keys.</summary>
    public IReadOnlyList<SipTrunkOptions> TrunkList()
    {
        var list = new List<SipTrunkOptions>();
        foreach (var (id, trunk) in Trunks)
        {
            trunk.Id = id;
            list.Add(trunk);
        }

        return list;
    }
}
