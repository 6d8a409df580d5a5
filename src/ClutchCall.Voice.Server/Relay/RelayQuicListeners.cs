using System.Net;
using System.Security.Cryptography.X509Certificates;
using ClutchCall.Voice.Moqt.Transport;
using ClutchCall.Voice.Moqt.Transport.Quic;
using ClutchCall.Voice.Moqt.Transport.WebTransport;
using ClutchCall.Voice.Relay.Server;

namespace ClutchCall.Voice.Server.Relay;

/// <summary>
/// Settings of the relay's UDP listeners, bound from <c>Relay:WebTransport</c> and <c>Relay:Quic</c>. A listener runs
/// only when its port is set (0 picks a free port) and libmsquic is installed.
/// </summary>
internal sealed record RelayQuicSettings
{
    /// <summary>WebTransport (HTTP/3, ALPN <c>h3</c>) UDP port; null: off.</summary>
    public int? WebTransportPort { get; init; }

    /// <summary>Raw QUIC (ALPN <c>moq-00</c>) UDP port; null: off.</summary>
    public int? QuicPort { get; init; }

    /// <summary>Address both listen on.</summary>
    public IPAddress Address { get; init; } = IPAddress.Any;

    /// <summary>WebTransport request path.</summary>
    public string Path { get; init; } = RelayEndpoints.Path;

    /// <summary>PKCS#12 certificate to serve; when absent a self-signed ECDSA P-256 one valid under 14 days is generated.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>Password of <see cref="CertificatePath"/>.</summary>
    public string? CertificatePassword { get; init; }

    public static RelayQuicSettings From(IConfiguration configuration) => new()
    {
        WebTransportPort = configuration.GetValue<int?>("Relay:WebTransport:Port"),
        QuicPort = configuration.GetValue<int?>("Relay:Quic:Port"),
        Address = IPAddress.TryParse(configuration["Relay:WebTransport:Address"] ?? configuration["Relay:Quic:Address"], out var address) ? address : IPAddress.Any,
        Path = configuration["Relay:WebTransport:Path"] ?? RelayEndpoints.Path,
        CertificatePath = configuration["Relay:WebTransport:CertificatePath"],
        CertificatePassword = configuration["Relay:WebTransport:CertificatePassword"],
    };
}

/// <summary>Starts the configured WebTransport and raw QUIC listeners and hands them to the relay.</summary>
internal sealed class RelayQuicListeners(RelayQuicSettings settings, TimeProvider time)
{
    /// <summary>The TLS certificate both listeners serve, once started.</summary>
    public X509Certificate2? Certificate { get; private set; }

    /// <summary>Where WebTransport listens, once started.</summary>
    public IPEndPoint? WebTransportEndPoint { get; private set; }

    /// <summary>Where raw QUIC listens, once started.</summary>
    public IPEndPoint? QuicEndPoint { get; private set; }

    public RelayQuicSettings Settings => settings;

    /// <summary>True when a listener is configured but libmsquic is missing.</summary>
    public bool Unavailable { get; private set; }

    public async Task StartAsync(MoqtRelayServer relay, CancellationToken cancellationToken)
    {
        if (settings.WebTransportPort is null && settings.QuicPort is null)
        {
            return;
        }

        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()) || !QuicTransportListener.IsSupported)
        {
            Unavailable = true;
            return;
        }

        Certificate = settings.CertificatePath is { } path
            ? X509CertificateLoader.LoadPkcs12FromFile(path, settings.CertificatePassword)
            : SelfSignedCertificate.Create(time);
        if (settings.WebTransportPort is { } wtPort)
        {
            var options = new WebTransportServerOptions { Path = settings.Path, ApplicationProtocols = ["moq-00"] };
            var listener = await WebTransportListener.StartQuicAsync(new IPEndPoint(settings.Address, wtPort), Certificate, options, time, cancellationToken).ConfigureAwait(false);
            WebTransportEndPoint = (IPEndPoint?)listener.LocalEndPoint;
            relay.AddListener(listener);
        }

        if (settings.QuicPort is { } quicPort)
        {
            var listener = await QuicTransportListener.StartAsync(new IPEndPoint(settings.Address, quicPort), Certificate, MoqtTransportLimits.Default, time, cancellationToken).ConfigureAwait(false);
            QuicEndPoint = (IPEndPoint?)listener.LocalEndPoint;
            relay.AddListener(listener);
        }
    }

    /// <summary>SHA-256 of the certificate's DER: the value for WebTransport <c>serverCertificateHashes</c>.</summary>
    public byte[]? CertificateHash => Certificate is null ? null : SelfSignedCertificate.Sha256(Certificate);
}
