using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Transport;

/// <summary>How the certificate of one TLS peer is checked (per trunk).</summary>
/// <param name="TargetHost">Name sent in SNI and matched against the certificate (RFC 5922 §7.2).</param>
/// <param name="PinnedThumbprint">
/// SHA-256 (or SHA-1) fingerprint of the peer's certificate in hex; when set, that exact certificate is
/// accepted even if self-signed, and any other is refused. When null, the chain and name must validate.
/// </param>
internal sealed record SipTlsClientSettings(string TargetHost, string? PinnedThumbprint = null);

/// <summary>A TLS connection was refused: handshake failure or a certificate that did not validate.</summary>
internal sealed class SipTlsException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// SIP over TLS (RFC 3261 §26.3.1, §18): the TCP transport with every connection wrapped in TLS 1.2+.
/// Outbound connections validate the peer per <see cref="SipTlsClientSettings"/>; inbound ones present
/// the configured certificate (without one, inbound TLS connections are refused).
/// </summary>
internal sealed class SipTlsTransport : SipTcpTransport
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly X509Certificate2? _certificate;
    private readonly ConcurrentDictionary<IPEndPoint, SipTlsClientSettings> _targets = new();

    public SipTlsTransport(IPEndPoint bind, X509Certificate2? serverCertificate, SipParserOptions? options = null)
        : base(bind, options)
    {
        _certificate = serverCertificate;
    }

    public override string Protocol => "TLS";

    /// <summary>Sets how the certificate of the peer at <paramref name="remote"/> is checked.</summary>
    public void ConfigureTarget(IPEndPoint remote, SipTlsClientSettings settings) => _targets[remote] = settings;

    protected override async ValueTask<Stream> WrapAsync(Socket socket, IPEndPoint remote, bool outbound, CancellationToken ct)
    {
        var net = new NetworkStream(socket, ownsSocket: true);
        var ssl = new SslStream(net, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(HandshakeTimeout);
        string? rejection = null;
        try
        {
            if (outbound)
            {
                var settings = _targets.TryGetValue(remote, out var s) ? s : new SipTlsClientSettings(remote.Address.ToString());
                await ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = settings.TargetHost,
                        // Telnyx and Twilio require TLS 1.2 or later.
                        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                        {
                            rejection = Check(settings, cert, errors);
                            return rejection is null;
                        },
                    },
                    timeout.Token).ConfigureAwait(false);
            }
            else
            {
                if (_certificate is null)
                {
                    throw new SipTlsException($"TLS from {remote}: no server certificate configured");
                }

                await ssl.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions
                    {
                        ServerCertificate = _certificate,
                        ClientCertificateRequired = false,
                        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    },
                    timeout.Token).ConfigureAwait(false);
            }

            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            if (ct.IsCancellationRequested)
            {
                throw;
            }

            throw new SipTlsException(rejection is { } why && outbound
                ? $"TLS to {remote}: certificate rejected: {why}"
                : $"TLS {(outbound ? "to" : "from")} {remote}: handshake failed: {e.Message}", e);
        }
    }

    /// <summary>Null when the certificate is acceptable, else why not.</summary>
    internal static string? Check(SipTlsClientSettings settings, X509Certificate? certificate, SslPolicyErrors errors)
    {
        string? why;
        if (certificate is null)
        {
            why = "the peer sent no certificate";
        }
        else if (settings.PinnedThumbprint is { Length: > 0 } pin)
        {
            using var cert = new X509Certificate2(certificate);
            var sha256 = cert.GetCertHashString(HashAlgorithmName.SHA256);
            var wanted = pin.Replace(":", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal);
            why = string.Equals(sha256, wanted, StringComparison.OrdinalIgnoreCase) || string.Equals(cert.Thumbprint, wanted, StringComparison.OrdinalIgnoreCase)
                ? null
                : $"SHA-256 fingerprint {sha256} does not match the pinned {wanted}";
        }
        else
        {
            why = errors == SslPolicyErrors.None ? null : $"{errors} for '{settings.TargetHost}' (pin the carrier's certificate with TlsCertificateThumbprint if it is self-signed)";
        }

        return why;
    }
}
