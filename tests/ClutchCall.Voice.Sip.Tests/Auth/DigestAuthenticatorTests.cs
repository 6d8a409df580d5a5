using ClutchCall.Voice.Sip.Auth;
using ClutchCall.Voice.Sip.Messages;

namespace ClutchCall.Voice.Sip.Tests.Auth;

public sealed class DigestAuthenticatorTests
{
    private static readonly DigestCredentials Mufasa = new("Mufasa", "Circle of Life");

    [Theory]
    // RFC 7616 §3.9.1 worked examples (MD5 and SHA-256).
    [InlineData("MD5", "8ca523f5e9506fed4657c9700eebdbec")]
    [InlineData("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")]
    public void CreateAuthorization_Rfc7616Example_MatchesPublishedResponse(string algorithm, string expected)
    {
        var header = $"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm={algorithm}, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
        Assert.True(DigestChallenge.TryParse(header, out var challenge));

        var value = DigestAuthenticator.CreateAuthorization(challenge!, Mufasa, "GET", "/dir/index.html", 1, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");

        Assert.Contains($"response=\"{expected}\"", value, StringComparison.Ordinal);
        Assert.Contains("qop=auth, nc=00000001", value, StringComparison.Ordinal);
        Assert.Contains("opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"", value, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateAuthorization_Rfc2617Example_MatchesPublishedResponse()
    {
        Assert.True(DigestChallenge.TryParse("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", out var c));
        var value = DigestAuthenticator.CreateAuthorization(c!, new DigestCredentials("Mufasa", "Circle Of Life"), "GET", "/dir/index.html", 1, "0a4f113b");
        Assert.Contains("response=\"6629fae49393a05397450978507c4ef1\"", value, StringComparison.Ordinal);
        Assert.Contains("algorithm=MD5", value, StringComparison.Ordinal);
    }

    [Fact]
    public void PickChallenge_Sha256AndMd5Offered_PrefersSha256()
    {
        var response = SipMessageBuilder.Response(401, "Unauthorized")
            .Add("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1").Add("From", "<sip:a@b>;tag=1").Add("To", "<sip:a@b>;tag=2")
            .Add("Call-ID", "x").Add("CSeq", "1 REGISTER")
            .Add("WWW-Authenticate", "Digest realm=\"r\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"")
            .Add("WWW-Authenticate", "Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\"")
            .Add("WWW-Authenticate", "Digest realm=\"r\", nonce=\"n3\", algorithm=SHA-512-256")
            .Build();

        var c = DigestAuthenticator.PickChallenge(response);

        Assert.Equal("SHA-256", c!.Algorithm);
        Assert.Equal("n2", c.Nonce);
    }

    [Fact]
    public void TryParse_RandomAndMutatedInput_NeverThrows()
    {
        var rng = new Random(4242);
        const string seed = "Digest realm=\"r\", nonce=\"abc\", algorithm=SHA-256, qop=\"auth\", opaque=\"o\", stale=TRUE";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = seed.ToCharArray();
            var edits = rng.Next(1, 6);
            for (var e = 0; e < edits; e++)
            {
                chars[rng.Next(chars.Length)] = (char)rng.Next(0, 128);
            }

            var text = rng.Next(4) == 0 ? new string(chars, 0, rng.Next(chars.Length)) : new string(chars);
            _ = DigestChallenge.TryParse(text, out _);
        }
    }
}
