using System.Globalization;

namespace ClutchCall.Voice.Server.Tests.Sip;

/// <summary>Configuration of a test server whose SIP user agent listens on loopback and reaches one trunk.</summary>
internal static class SipTestSettings
{
    /// <summary>
    /// A free SIP port on loopback, <paramref name="rtpPorts"/> RTP ports from a random base in 20000-50000 (so parallel
    /// servers rarely collide), a short relay drain, and trunk <paramref name="trunkId"/> at 127.0.0.1:<paramref name="trunkPort"/>
    /// offering <paramref name="codecs"/> without OPTIONS keep-alive (a sipp scenario fails on requests it does not expect).
    /// </summary>
    public static Dictionary<string, string> Server(int trunkPort, string codecs, int rtpPorts = 100, string trunkId = "lab")
    {
        var rtp = 20000 + (Random.Shared.Next(0, 30000 / rtpPorts) * rtpPorts);
        return new Dictionary<string, string>
        {
            ["Relay:DrainTimeout"] = "00:00:00.500",
            ["Sip:BindAddress"] = "127.0.0.1",
            ["Sip:Port"] = "0",
            ["Sip:RtpPortMin"] = rtp.ToString(CultureInfo.InvariantCulture),
            ["Sip:RtpPortMax"] = (rtp + rtpPorts - 1).ToString(CultureInfo.InvariantCulture),
            [$"Sip:Trunks:{trunkId}:Host"] = "127.0.0.1",
            [$"Sip:Trunks:{trunkId}:KeepAliveSeconds"] = "0",
            [$"Sip:Trunks:{trunkId}:Port"] = trunkPort.ToString(CultureInfo.InvariantCulture),
            [$"Sip:Trunks:{trunkId}:Codecs"] = codecs,
        };
    }

    /// <summary>Adds number <paramref name="did"/> of org <paramref name="orgId"/> on trunk "lab", answered by <paramref name="agent"/> when given.</summary>
    public static Dictionary<string, string> WithNumber(this Dictionary<string, string> settings, string did, string orgId, string? agent = null)
    {
        settings["Sip:Numbers:0:Did"] = did;
        settings["Sip:Numbers:0:OrgId"] = orgId;
        settings["Sip:Numbers:0:TrunkId"] = "lab";
        if (agent is not null)
        {
            settings["Sip:Numbers:0:Agent"] = agent;
        }

        return settings;
    }
}
