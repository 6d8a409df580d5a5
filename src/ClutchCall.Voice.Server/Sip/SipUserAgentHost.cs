using System.Net;
using ClutchCall.Voice.Sip.Media;
using ClutchCall.Voice.Sip.UserAgent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>Runs the SIP user agent for the host's lifetime (starts listening and registering with the host).</summary>
internal sealed partial class SipUserAgentHost(SipServerOptions options, TimeProvider time, ILogger<SipUserAgentHost> logger) : IHostedService, IAsyncDisposable
{
    private SipUserAgent? _agent;
    private System.Security.Cryptography.X509Certificates.X509Certificate2? _certificate;

    /// <summary>The running user agent; throws before the host started.</summary>
    public SipUserAgent Agent => _agent ?? throw new InvalidOperationException("the SIP user agent is not running");

    public bool IsRunning => _agent is not null;

    public SipServerOptions Options => options;

    /// <summary>The number plan: which DIDs take calls, for which org, from which callers.</summary>
    public SipNumberPlan Numbers { get; } = new(options.Numbers);

    /// <summary>
    /// Takes each inbound call that passed <see cref="Numbers"/> (already answered 100 and 180). Until it is set,
    /// inbound calls are declined 480.
    /// </summary>
    public Action<SipCall>? InboundHandler { get; set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var certificate = options.LoadTlsCertificate();
        _certificate = certificate;
        var agent = new SipUserAgent(
            new SipUserAgentOptions
            {
                BindAddress = IPAddress.Parse(options.BindAddress),
                SipPort = options.Port,
                PublicAddress = options.PublicAddress,
                RtpPortMin = options.RtpPortMin,
                RtpPortMax = options.RtpPortMax,
                Media = new SipMediaSettings { PcmSampleRate = options.PcmSampleRate },
                TcpEnabled = options.TcpEnabled,
                TlsPort = options.TlsPort,
                TlsCertificate = certificate,
                Nameservers = options.NameserverEndPoints(),
            },
            options.TrunkList(),
            time,
            Numbers);
        agent.IncomingCall += call =>
        {
            if (InboundHandler is { } handler)
            {
                handler(call);
            }
            else
            {
                _ = call.RejectAsync(480, "Temporarily Unavailable").AsTask();
            }
        };
        agent.TrunkHealthChanged += h =>
        {
            if (h.State == ClutchCall.Voice.Sip.UserAgent.SipTrunkState.Up)
            {
                LogTrunkUp(h.TrunkId, h.LastRoundTrip?.TotalMilliseconds ?? 0);
            }
            else
            {
                LogTrunkDown(h.TrunkId, h.State.ToString(), h.LastError ?? "no answer");
            }
        };
        agent.Start();
        _agent = agent;
        LogStarted(agent.LocalEndPoint.ToString(), options.Trunks.Count);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        var agent = Interlocked.Exchange(ref _agent, null);
        if (agent is not null)
        {
            await agent.DisposeAsync().ConfigureAwait(false);
        }

        Interlocked.Exchange(ref _certificate, null)?.Dispose();
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "SIP user agent listening on {EndPoint} with {Trunks} trunk(s)")]
    private partial void LogStarted(string endPoint, int trunks);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "SIP trunk {Trunk} is {State}: {Error}")]
    private partial void LogTrunkDown(string trunk, string state, string error);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "SIP trunk {Trunk} is up (OPTIONS round trip {RoundTripMs:0.0} ms)")]
    private partial void LogTrunkUp(string trunk, double roundTripMs);
}
