using System.Net;
using ClutchCall.Voice.Sip.Media;
using ClutchCall.Voice.Sip.UserAgent;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>User agents on loopback with a free SIP port and a random RTP range, for tests.</summary>
internal static class TestAgents
{
    public static SipUserAgent Create(IEnumerable<SipTrunkOptions> trunks, int pcmRate = 8000, ISipInboundPolicy? policy = null, bool acceptUnknown = false, TimeSpan? ringTimeout = null, int rtpPorts = 100) =>
        Start(
            Loopback(pcmRate, rtpPorts) with { AcceptUnknownSources = acceptUnknown, DefaultRingTimeout = ringTimeout ?? TimeSpan.FromSeconds(30) },
            trunks,
            TimeProvider.System,
            policy);

    /// <summary>
    /// Options for an agent on loopback: a free SIP port, a random range of <paramref name="rtpPorts"/> RTP ports (so
    /// parallel tests rarely collide), PCM at <paramref name="pcmRate"/>; everything else at its default.
    /// </summary>
    public static SipUserAgentOptions Loopback(int pcmRate = 8000, int rtpPorts = 100)
    {
        var basePort = 20000 + (Random.Shared.Next(0, 400 - (rtpPorts / 100)) * 100);
        return new SipUserAgentOptions
        {
            BindAddress = IPAddress.Loopback,
            SipPort = 0,
            RtpPortMin = basePort,
            RtpPortMax = basePort + rtpPorts - 1,
            Media = new SipMediaSettings { PcmSampleRate = pcmRate },
        };
    }

    /// <summary>Creates and starts an agent with <paramref name="options"/> (usually <see cref="Loopback"/> with changes).</summary>
    public static SipUserAgent Start(SipUserAgentOptions options, IEnumerable<SipTrunkOptions> trunks, TimeProvider time, ISipInboundPolicy? policy = null)
    {
        var ua = new SipUserAgent(options, trunks, time, policy);
        ua.Start();
        return ua;
    }

    public static SipTrunkOptions Trunk(int port, string codecs = "PCMU,PCMA", string id = "t1") =>
        // No OPTIONS keep-alive: the far end is usually a sipp scenario, which fails on a request it does not expect.
        new() { Id = id, Host = "127.0.0.1", Port = port, Codecs = codecs, DefaultCallerId = "+14155550100", KeepAliveSeconds = 0 };
}
