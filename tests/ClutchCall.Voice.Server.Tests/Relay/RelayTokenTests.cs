using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using ClutchCall.Voice.Relay.Auth;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Server.Tests.Relay;

public sealed class RelayTokenTests
{
    private const string Sid = "CA0123456789abcdef0123456789abcdef";
    private static readonly RelayTokenKey Key = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private static (string Token, FakeTimeProvider Time) Issue(TimeSpan? ttl = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var issued = new RelayTokenIssuer(Key, time).Issue("ORorg", RelayTrackGrant.ServerSide(Sid), ttl ?? TimeSpan.FromMinutes(5));
        return (issued.Token, time);
    }

    [Fact]
    public void Validate_FreshToken_ReturnsGrant()
    {
        var (token, time) = Issue();
        var validator = new RelayTokenValidator(Key);
        Assert.True(validator.TryValidate(token, time.GetUtcNow(), out var grant, out var error), error);
        Assert.Equal("ORorg", grant.OrgId);
        Assert.Equal(time.GetUtcNow().AddMinutes(5), grant.ExpiresAt);
        Assert.True(grant.CanSubscribe("voice/" + Sid, "uplink"));
        Assert.True(grant.CanPublish("voice/" + Sid, "downlink"));
        Assert.False(grant.CanPublish("voice/" + Sid, "uplink"));
        Assert.False(grant.CanSubscribe("voice/" + Sid, "downlink"));
        Assert.True(grant.CoversNamespace("voice/" + Sid));
        Assert.False(grant.CoversNamespace("voice/CAother"));
    }

    [Fact]
    public void Validate_Expired_BeyondSkewOnly()
    {
        var (token, time) = Issue(TimeSpan.FromSeconds(60));
        var validator = new RelayTokenValidator(Key, TimeSpan.FromSeconds(30));
        Assert.True(validator.TryValidate(token, time.GetUtcNow().AddSeconds(89), out _, out _));
        Assert.False(validator.TryValidate(token, time.GetUtcNow().AddSeconds(90), out _, out var error));
        Assert.Equal("token has expired", error);
        Assert.False(validator.TryValidate(token, time.GetUtcNow().AddSeconds(-31), out _, out error));
        Assert.Equal("token is issued in the future", error);
    }

    [Fact]
    public void Validate_WrongKey_Rejected()
    {
        var (token, time) = Issue();
        Assert.False(new RelayTokenValidator(RelayTokenKey.CreateRandom()).TryValidate(token, time.GetUtcNow(), out _, out var error));
        Assert.Equal("token signature does not match", error);
    }

    [Fact]
    public void Validate_EveryCharacterTampered_Rejected()
    {
        var (token, time) = Issue();
        var validator = new RelayTokenValidator(Key);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] == '.')
            {
                continue;
            }

            var chars = token.ToCharArray();
            chars[i] = alphabet[(alphabet.IndexOf(chars[i]) + 1) % alphabet.Length];
            var tampered = new string(chars);
            // The last base64url character may carry only padding bits; a change there can decode identically.
            if (validator.TryValidate(tampered, time.GetUtcNow(), out _, out _))
            {
                Assert.Equal(Convert.ToHexString(Decode(token)), Convert.ToHexString(Decode(tampered)));
            }
        }
    }

    [Fact]
    public void Validate_ForgedPayloadWithOriginalSignature_Rejected()
    {
        var (token, time) = Issue();
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
        var forged = payload.Replace("\"sub\"", "\"pub\"", StringComparison.Ordinal).Replace("\"act\":\"sub\"", "\"act\":\"pub\"", StringComparison.Ordinal);
        Assert.NotEqual(payload, forged);
        var tampered = parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(forged)) + "." + parts[2];
        Assert.False(new RelayTokenValidator(Key).TryValidate(tampered, time.GetUtcNow(), out _, out var error));
        Assert.Equal("token signature does not match", error);
    }

    [Theory]
    [InlineData("""{"alg":"none","typ":"JWT"}""")]
    [InlineData("""{"alg":"HS512","typ":"JWT"}""")]
    [InlineData("""{"alg":"RS256","typ":"JWT"}""")]
    [InlineData("""{"typ":"JWT"}""")]
    [InlineData("""{"alg":"HS256","crit":["exp"]}""")]
    [InlineData("""{"alg":"hs256"}""")]
    public void Validate_WrongAlg_RejectedEvenWhenSignedWithKey(string header)
    {
        var (token, time) = Issue();
        var payload = token.Split('.')[1];
        var signingInput = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)) + "." + payload;
        var sig = new byte[32];
        Key.Sign(Encoding.ASCII.GetBytes(signingInput), sig);
        var forged = signingInput + "." + Base64Url.EncodeToString(sig);
        Assert.False(new RelayTokenValidator(Key).TryValidate(forged, time.GetUtcNow(), out _, out var error));
        Assert.Equal("token alg must be HS256", error);

        var unsigned = signingInput + ".";
        Assert.False(new RelayTokenValidator(Key).TryValidate(unsigned, time.GetUtcNow(), out _, out _));
    }

    [Fact]
    public void Issue_BadArguments_Throw()
    {
        var issuer = new RelayTokenIssuer(Key, TimeProvider.System);
        Assert.Throws<ArgumentOutOfRangeException>(() => issuer.Issue("o", RelayTrackGrant.ServerSide(Sid), TimeSpan.FromHours(2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => issuer.Issue("o", RelayTrackGrant.ServerSide(Sid), TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => issuer.Issue("o", [], TimeSpan.FromMinutes(1)));
        Assert.Throws<ArgumentException>(() => new RelayTokenKey(new byte[16]));
    }

    [Fact]
    public void Validate_GarbageAndMutations_NeverThrow()
    {
        var (token, time) = Issue();
        var validator = new RelayTokenValidator(Key);
        var rng = new Random(4242);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/{}\":, \0é";
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            string candidate;
            switch (i % 4)
            {
                case 0:
                    candidate = new string(Enumerable.Range(0, rng.Next(0, 300)).Select(_ => alphabet[rng.Next(alphabet.Length)]).ToArray());
                    break;
                case 1:
                    {
                        var chars = token.ToCharArray();
                        for (var m = rng.Next(1, 6); m > 0; m--)
                        {
                            chars[rng.Next(chars.Length)] = alphabet[rng.Next(alphabet.Length)];
                        }

                        candidate = new string(chars);
                        break;
                    }

                case 2:
                    candidate = token[..rng.Next(token.Length)] + token[rng.Next(token.Length)..];
                    break;
                default:
                    {
                        // Structurally valid JWS with random JSON-ish payloads, correctly signed.
                        var json = RandomJson(rng);
                        var input = Base64Url.EncodeToString("""{"alg":"HS256"}"""u8) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
                        var sig = new byte[32];
                        Key.Sign(Encoding.ASCII.GetBytes(input), sig);
                        candidate = input + "." + Base64Url.EncodeToString(sig);
                        break;
                    }
            }

            if (validator.TryValidate(candidate, time.GetUtcNow(), out var grant, out var error))
            {
                accepted++;
                Assert.NotNull(grant);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error));
            }
        }

        Assert.True(accepted < 200, $"{accepted} garbage tokens accepted");
        Assert.False(validator.TryValidate(new string('a', RelayTokenValidator.MaxTokenLength + 1), time.GetUtcNow(), out _, out _));
        Assert.False(validator.TryValidate(null, time.GetUtcNow(), out _, out _));
    }

    private static string RandomJson(Random rng)
    {
        string[] pieces = ["{", "}", "[", "]", "\"iss\":", "\"clutchcall-voice\"", "\"sub\":", "\"o\"", "\"jti\":", "\"exp\":", "\"iat\":", "1772366400", "1772366700", "-1", "1e400", "\"tracks\":", "{\"ns\":\"voice/x\",\"track\":\"uplink\",\"act\":\"pub\"}", ",", "null", "true"];
        var sb = new StringBuilder();
        for (var n = rng.Next(1, 25); n > 0; n--)
        {
            sb.Append(pieces[rng.Next(pieces.Length)]);
        }

        return sb.ToString();
    }

    private static byte[] Decode(string token) => token.Split('.').SelectMany(p => Base64Url.DecodeFromChars(p)).ToArray();
}
