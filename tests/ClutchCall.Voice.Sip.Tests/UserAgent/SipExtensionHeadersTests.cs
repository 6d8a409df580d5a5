using System.Text;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.UserAgent;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>RSeq, RAck (RFC 3262 §7) and Session-Expires, Min-SE (RFC 4028 §4, §5): valid, malformed and fuzzed values.</summary>
public sealed class SipExtensionHeadersTests
{
    [Theory]
    [InlineData("1800", 1800u, "None")]
    [InlineData("90;refresher=uac", 90u, "Uac")]
    [InlineData("4000 ; refresher = UAS", 4000u, "Uas")]
    [InlineData("1800;foo=bar;refresher=uas;baz", 1800u, "Uas")]
    [InlineData("4294967295", uint.MaxValue, "None")]
    [InlineData("600;x=\"quoted value\"", 600u, "None")]
    public void SessionExpires_Valid_Parsed(string value, uint seconds, string refresher)
    {
        Assert.True(SipExtensionHeaders.TryParseSessionExpires(value, out var se, out var error), error);
        Assert.Equal(new SipSessionExpires(seconds, Enum.Parse<SipRefresherParam>(refresher)), se);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("abc", "delta-seconds")]
    [InlineData("-90", "delta-seconds")]
    [InlineData("4294967296", "delta-seconds")]
    [InlineData("90;refresher=both", "refresher must be uac or uas")]
    [InlineData("90;refresher=uac;refresher=uas", "twice")]
    [InlineData("90;refresher", "refresher must be uac or uas")]
    [InlineData("90;=uac", "not a token")]
    [InlineData("90;a=\"open", "malformed value")]
    [InlineData("90 uac", "delta-seconds")]
    public void SessionExpires_Malformed_ClearError(string value, string expected)
    {
        Assert.False(SipExtensionHeaders.TryParseSessionExpires(value, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void SessionExpires_TooLong_RefusedBeforeScanning()
    {
        Assert.False(SipExtensionHeaders.TryParseSessionExpires("90;" + new string('a', 600), out _, out var error));
        Assert.Contains("longer than", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90", 90u)]
    [InlineData(" 1800 ;lr", 1800u)]
    public void MinSe_Valid_Parsed(string value, uint seconds)
    {
        Assert.True(SipExtensionHeaders.TryParseMinSe(value, out var got, out var error), error);
        Assert.Equal(seconds, got);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("ninety")]
    [InlineData("90;;")]
    [InlineData("12345678901")]
    public void MinSe_Malformed_ClearError(string? value)
    {
        Assert.False(SipExtensionHeaders.TryParseMinSe(value, out var got, out var error));
        Assert.Equal(0u, got);
        Assert.StartsWith("Min-SE", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", 1u)]
    [InlineData(" 988789 ", 988789u)]
    [InlineData("4294967295", uint.MaxValue)]
    public void RSeq_Valid_Parsed(string value, uint rseq)
    {
        Assert.True(SipExtensionHeaders.TryParseRSeq(value, out var got, out var error), error);
        Assert.Equal(rseq, got);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("")]
    [InlineData("1 2")]
    [InlineData("0x10")]
    [InlineData("4294967296")]
    [InlineData("+5")]
    public void RSeq_Malformed_ClearError(string value)
    {
        Assert.False(SipExtensionHeaders.TryParseRSeq(value, out _, out var error));
        Assert.StartsWith("RSeq", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("776656 1 INVITE", 776656u, 1u, "INVITE")]
    [InlineData("  5\t 314159   INVITE ", 5u, 314159u, "INVITE")]
    public void RAck_Valid_Parsed(string value, uint rseq, uint cseq, string method)
    {
        Assert.True(SipExtensionHeaders.TryParseRAck(value, out var rack, out var error), error);
        Assert.Equal(new SipRAck(rseq, cseq, method), rack);
        Assert.Equal($"{rseq} {cseq} {method}", SipExtensionHeaders.FormatRAck(rseq, cseq, method));
    }

    [Theory]
    [InlineData("1 INVITE", "must be")]
    [InlineData("1 2 INVITE extra", "must be")]
    [InlineData("0 1 INVITE", "response-num")]
    [InlineData("1 x INVITE", "CSeq-num")]
    [InlineData("1 99999999999 INVITE", "CSeq-num")]
    [InlineData("1 1 INV<ITE", "not a token")]
    [InlineData("", "empty")]
    public void RAck_Malformed_ClearError(string value, string expected)
    {
        Assert.False(SipExtensionHeaders.TryParseRAck(value, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void SessionTimerAnswer_RequestBelowMinSe_422WhenSupportedElseRaised()
    {
        var supported = Request("Supported: timer\r\nSession-Expires: 60\r\n");
        var answer = SipSessionTimer.AnswerRequest(supported, 90, out _);
        Assert.True(answer.Reject);
        Assert.Equal(90, answer.RejectMinSe);

        // RFC 4028 §9: a UAC that does not know the extension cannot retry, so we raise the interval and refresh.
        var unsupported = Request("Session-Expires: 60\r\n");
        answer = SipSessionTimer.AnswerRequest(unsupported, 90, out _);
        Assert.False(answer.Reject);
        Assert.Equal(90u, answer.Seconds);
        Assert.Equal(SipRefresherParam.Uas, answer.Refresher);
        Assert.False(answer.RequireTimer);
    }

    [Theory]
    [InlineData("Supported: timer\r\nSession-Expires: 1800\r\n", "Uac", true)]
    [InlineData("Supported: timer\r\nSession-Expires: 1800;refresher=uas\r\n", "Uas", false)]
    [InlineData("Session-Expires: 1800;refresher=uac\r\n", "Uas", false)]
    public void SessionTimerAnswer_RefresherChoice_PerRfc4028Section9(string headers, string refresher, bool requireTimer)
    {
        var answer = SipSessionTimer.AnswerRequest(Request(headers), 90, out _);
        Assert.Equal(1800u, answer.Seconds);
        Assert.Equal(Enum.Parse<SipRefresherParam>(refresher), answer.Refresher);
        Assert.Equal(requireTimer, answer.RequireTimer);
    }

    [Fact]
    public void Fuzz_RandomAndMutatedValues_NeverThrow()
    {
        var rng = new Random(4028);
        string[] seeds =
        [
            "1800;refresher=uac", "90", "776656 1 INVITE", "4294967295", "90;x=\"y\";refresher=uas", "1 314159 PRACK",
        ];
        const string alphabet = "0123456789 ;=\"\t\r\nuacsrefresh-xINVITE\u00e9\0";
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            string value;
            if (i % 2 == 0)
            {
                var sb = new StringBuilder(seeds[rng.Next(seeds.Length)]);
                for (var m = rng.Next(1, 5); m > 0; m--)
                {
                    var pos = rng.Next(sb.Length + 1);
                    switch (rng.Next(3))
                    {
                        case 0 when sb.Length > 0 && pos < sb.Length:
                            sb.Remove(pos, 1);
                            break;
                        case 1 when pos < sb.Length:
                            sb[pos] = alphabet[rng.Next(alphabet.Length)];
                            break;
                        default:
                            sb.Insert(pos, alphabet[rng.Next(alphabet.Length)]);
                            break;
                    }
                }

                value = sb.ToString();
            }
            else
            {
                var chars = new char[rng.Next(0, 700)];
                for (var c = 0; c < chars.Length; c++)
                {
                    chars[c] = rng.Next(4) == 0 ? (char)rng.Next(0, 0x3000) : alphabet[rng.Next(alphabet.Length)];
                }

                value = new string(chars);
            }

            accepted += Check(SipExtensionHeaders.TryParseSessionExpires(value, out _, out var e1), e1);
            accepted += Check(SipExtensionHeaders.TryParseMinSe(value, out _, out var e2), e2);
            accepted += Check(SipExtensionHeaders.TryParseRSeq(value, out _, out var e3), e3);
            accepted += Check(SipExtensionHeaders.TryParseRAck(value, out _, out var e4), e4);
        }

        // The mutations keep some values valid: the loop exercises both outcomes.
        Assert.InRange(accepted, 100, 79_000);

        static int Check(bool ok, string? error)
        {
            Assert.True(ok == (error is null), $"ok={ok} but error='{error}'");
            return ok ? 1 : 0;
        }
    }

    private static SipMessage Request(string extraHeaders) =>
        Sip.Parsing.SipMessageParser.TryParse(Encoding.UTF8.GetBytes(
            "INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\n"
            + "To: <sip:bob@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n" + extraHeaders + "Content-Length: 0\r\n\r\n"),
            out var m, out var error) ? m! : throw new InvalidOperationException(error.ToString());
}
