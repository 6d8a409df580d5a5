using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClutchCall.Voice.Sip.Tests.Tls;

/// <summary>Certificates for TLS tests on loopback.</summary>
internal static class TestCertificates
{
    /// <summary>A self-signed P-256 certificate for <paramref name="dnsName"/> (subject and SAN), valid a day either side of now, with its key.</summary>
    public static X509Certificate2 SelfSigned(string dnsName = "sip.carrier.test")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + dnsName, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}
