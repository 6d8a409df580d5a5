using System.Net;
using ClutchCall.Voice.Sip.Media;
using ClutchCall.Voice.Sip.UserAgent;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>User agents on loopback with a free SIP port and a random RTP range, for tests.</summary>
internal static class TestAgents
{
    public static SipUserAgent Create(IEnumerable<SipTrunkOptions> trunks, int pcmRate = 8000, ISipInboundPolicy? policy = null, bool acceptUnknown = false, TimeSpan? ringTimeout = null, int rtpPorts = 100)
    {
        var basePort = 20000 + (Random.Shared.Next(0, 400 - (rtpPorts / 100)) * 100);
        var ua = new SipUserAgent(
            new SipUserAgentOptions
            {
                BindAddress = IPAddress.Loopback,
                SipPort = 0,
                RtpPortMin = basePort,
                RtpPortMax = basePort + rtpPorts - 1,
                Media = new SipMediaSettings { PcmSampleRate = pcmRate },
                AcceptUnknownSources = acceptUnknown,
                DefaultRingTimeout = ringTimeout ?? TimeSpan.FromSeconds(30),
            },
            trunks,
            TimeProvider.System,
            policy);
        ua.Start();
        return ua;
    }

    public static SipTrunkOptions Trunk(int port, string codecs = "PCMU,PCMA", string id = "t1") =>
        // No OPTIONS keep-alive: the far end is usually a sipp scenario, which fails on a request it does not expect.
        new() { Id = id, Host = "127.0.0.1", Port = port, Codecs = codecs, DefaultCallerId = "+14155550100", KeepAliveSeconds = 0 };
}
