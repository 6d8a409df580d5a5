using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClutchCall.Voice.Sip.Transport;
using ClutchCall.Voice.Sip.UserAgent;

namespace ClutchCall.Voice.Sip.Tests.Tls;

/// <summary>
/// SIP over TLS (RFC 3261 §26.3.1) between two of our user agents on loopback (Debian's sipp has no TLS):
/// a self-signed carrier pinned by fingerprint, a wrong pin, and an unpinned self-signed certificate.
/// </summary>
public sealed class UserAgentTlsTests
{
    private static SipUserAgent Agent(IEnumerable<SipTrunkOptions> trunks, X509Certificate2? certificate)
    {
        var basePort = 24000 + (Random.Shared.Next(0, 300) * 20);
        var ua = new SipUserAgent(
            new SipUserAgentOptions
            {
                BindAddress = IPAddress.Loopback,
                SipPort = 0,
                TlsPort = 0,
                TlsCertificate = certificate,
                RtpPortMin = basePort,
                RtpPortMax = basePort + 19,
                AcceptUnknownSources = true,
                DefaultRingTimeout = TimeSpan.FromSeconds(20),
            },
            trunks,
            TimeProvider.System);
        ua.Start();
        return ua;
    }

    private static SipTrunkOptions TlsTrunk(int port, string? pin) => new()
    {
        Id = "secure",
        Host = "127.0.0.1",
        Port = port,
        Transport = "tls",
        TlsServerName = "sip.carrier.test",
        TlsCertificateThumbprint = pin,
        Codecs = "PCMU",
        DefaultCallerId = "+14155550100",
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PlaceCall_PinnedSelfSignedCarrier_AnsweredAndHungUpOverTls(bool sips)
    {
        var ct = TestContext.Current.CancellationToken;
        using var cert = TestCertificates.SelfSigned();
        await using var callee = Agent([], cert);
        callee.IncomingCall += c => _ = Task.Run(async () => await c.AcceptAsync(), ct);
        var trunk = TlsTrunk(callee.Signalling.TlsEndPoint!.Port, cert.GetCertHashString(HashAlgorithmName.SHA256));
        trunk.Sips = sips;
        await using var caller = Agent([trunk], null);

        var call = caller.PlaceCall("secure", new SipCallRequest { To = "+14155550123" });
        var answered = new TaskCompletionSource();
        call.Answered += _ => answered.TrySetResult();
        var done = await Task.WhenAny(answered.Task, call.Completion).WaitAsync(TimeSpan.FromSeconds(15), ct);
        Assert.True(done == answered.Task, call.Completion.IsCompleted ? (await call.Completion).Reason : "not answered");
        await call.HangupAsync(ct);
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(SipCallOutcome.Completed, end.Outcome);

        // INVITE, ACK and BYE reached the callee over TLS, none over UDP or TCP.
        var tls = callee.Signalling.Get(SipTransportKind.Tls)!;
        Assert.True(tls.Counters.Received >= 3, $"TLS received {tls.Counters.Received}");
        Assert.Equal(0, callee.Counters.Received);
        Assert.Equal(0, callee.Signalling.Get(SipTransportKind.Tcp)!.Counters.Received);
    }

    [Fact]
    public async Task PlaceCall_WrongPinnedFingerprint_FailsWithCertificateReason()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cert = TestCertificates.SelfSigned();
        await using var callee = Agent([], cert);
        var offered = false;
        callee.IncomingCall += _ => offered = true;
        var wrongPin = Convert.ToHexString(SHA256.HashData("not the carrier"u8));
        await using var caller = Agent([TlsTrunk(callee.Signalling.TlsEndPoint!.Port, wrongPin)], null);

        var call = caller.PlaceCall("secure", new SipCallRequest { To = "+14155550123" });
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(15), ct);

        Assert.Equal(SipCallOutcome.Failed, end.Outcome);
        Assert.Equal(503, end.StatusCode);
        Assert.Contains("certificate rejected", end.Reason, StringComparison.Ordinal);
        Assert.Contains("does not match the pinned " + wrongPin, end.Reason, StringComparison.Ordinal);
        Assert.False(offered);
        Assert.Equal(0, callee.Signalling.Get(SipTransportKind.Tls)!.Counters.Received);
    }

    [Fact]
    public async Task PlaceCall_UnpinnedSelfSignedCarrier_FailsChainValidation()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cert = TestCertificates.SelfSigned();
        await using var callee = Agent([], cert);
        await using var caller = Agent([TlsTrunk(callee.Signalling.TlsEndPoint!.Port, null)], null);

        var call = caller.PlaceCall("secure", new SipCallRequest { To = "+14155550123" });
        var end = await call.Completion.WaitAsync(TimeSpan.FromSeconds(15), ct);

        Assert.Equal(SipCallOutcome.Failed, end.Outcome);
        Assert.Contains("RemoteCertificateChainErrors", end.Reason, StringComparison.Ordinal);
    }
}
