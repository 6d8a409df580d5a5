using System.Text;

namespace ClutchCall.Voice.Server.Tests.Api;

public sealed class SdkTests
{
    [Theory]
    [InlineData("https://voice.example.com", "https://voice.example.com/")]
    [InlineData("https://voice.example.com/", "https://voice.example.com/")]
    [InlineData("http://127.0.0.1:8080//", "http://127.0.0.1:8080/")]
    public void Voice_BaseUrl_TrailingSlashTrimmed(string baseUrl, string expected)
    {
        using var voice = new Voice(new VoiceOptions { BaseUrl = baseUrl, ApiKey = "k" });
        Assert.Equal(expected, voice.BaseUri.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("voice.example.com")]
    [InlineData("ftp://voice.example.com")]
    [InlineData("https://voice.example.com/api")]
    [InlineData("https://voice.example.com?x=1")]
    public void Voice_BadBaseUrl_RejectedClearly(string baseUrl)
    {
        var ex = Assert.Throws<ArgumentException>(() => new Voice(new VoiceOptions { BaseUrl = baseUrl, ApiKey = "k" }));
        Assert.Contains("BaseUrl", ex.Message);
    }

    [Fact]
    public void Voice_MissingApiKey_Rejected() =>
        Assert.Contains("ApiKey", Assert.Throws<ArgumentException>(() => new Voice(new VoiceOptions { BaseUrl = "https://x.test" })).Message);

    [Fact]
    public void WebhookSignature_ServerSignerAndSdkVerifierAgree()
    {
        var body = Encoding.UTF8.GetBytes("""{"type":"call.started"}""");
        var now = DateTimeOffset.UtcNow;
        var header = ClutchCall.Voice.Server.Webhooks.WebhookSigner.Sign("whsec_abc", now.ToUnixTimeSeconds(), body);
        Assert.Equal(header, WebhookSignature.Sign("whsec_abc", body, now));
        Assert.True(WebhookSignature.Verify(header, body, "whsec_abc", now: now));
        Assert.False(WebhookSignature.Verify(header, body, "whsec_abd", now: now));
        Assert.False(WebhookSignature.Verify(header, body, "whsec_abc", now: now.AddMinutes(6)));
        Assert.True(WebhookSignature.Verify(header, body, "whsec_abc", TimeSpan.FromMinutes(10), now.AddMinutes(6)));
        Assert.False(WebhookSignature.Verify(header.Replace("v1=", "v0=", StringComparison.Ordinal), body, "whsec_abc", now: now));
    }

    [Fact]
    public void WebhookSignature_GarbageHeaders_NeverThrow()
    {
        var rng = new Random(99);
        var body = "x"u8.ToArray();
        const string alphabet = "t=v1,0123456789abcdef ;=\0";
        for (var i = 0; i < 5000; i++)
        {
            var header = new string(Enumerable.Range(0, rng.Next(0, 120)).Select(_ => alphabet[rng.Next(alphabet.Length)]).ToArray());
            Assert.False(WebhookSignature.Verify(header, body, "s"));
        }
    }
}
