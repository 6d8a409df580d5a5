using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClutchCall.Voice.Moqt.Transport.Quic;

/// <summary>
/// The server certificate generated when none is configured: ECDSA P-256, self-signed, valid for less than
/// 14 days including its backdating, which is what browsers accept for WebTransport
/// <c>serverCertificateHashes</c> (W3C WebTransport §"custom certificate requirements"; see
/// /work/shared/notes/webtransport-chromium.md).
/// </summary>
internal static class SelfSignedCertificate
{
    /// <summary>Backdating tolerates clock skew between server and browser.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromHours(1);

    /// <summary>Total validity, backdating included: strictly under the 14-day limit.</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromDays(13);

    /// <summary>Creates the certificate (with its private key, usable by SslStream/QUIC on every platform).</summary>
    public static X509Certificate2 Create(TimeProvider timeProvider, string subjectName = "CN=clutchcall-voice")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subjectName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var sans = new SubjectAlternativeNameBuilder();
        sans.AddDnsName("localhost");
        sans.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(sans.Build());
        var notBefore = timeProvider.GetUtcNow() - Backdate;
        using var ephemeral = request.CreateSelfSigned(notBefore, notBefore + Validity);

        // Round-trip through PKCS#12 so the private key is usable by the platform TLS stack.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>SHA-256 of the DER certificate: the value a page passes in <c>serverCertificateHashes</c>.</summary>
    public static byte[] Sha256(X509Certificate2 certificate) => SHA256.HashData(certificate.RawData);
}
