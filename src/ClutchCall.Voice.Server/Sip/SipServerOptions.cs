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

    /// <summary>Trunk used when a call names none; defaults to the only trunk when there is one.</summary>
    public string? DefaultTrunk { get; set; }

    public Dictionary<string, SipTrunkOptions> Trunks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Dialled numbers (DIDs) that take inbound calls (<c>Sip:Numbers:&lt;n&gt;</c>); an INVITE to any other number gets 404.</summary>
    public List<SipNumberOptions> Numbers { get; set; } = [];

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
