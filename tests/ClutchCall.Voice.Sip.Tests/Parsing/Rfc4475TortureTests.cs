using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Parsing;

namespace ClutchCall.Voice.Sip.Tests.Parsing;

/// <summary>
/// RFC 4475 torture messages, data-driven. <see cref="Expectations"/> holds, per file, the RFC section,
/// whether it must parse (or the parse error), and what this UAS answers (0: nothing is sent, either
/// because the request proceeds to the application or because a response is discarded).
/// </summary>
public sealed class Rfc4475TortureTests
{
    internal sealed record Expectation(string Section, SipParseErrorKind Error, int Response, Action<SipMessage>? Check = null);

    internal static readonly Dictionary<string, Expectation> Expectations = new()
    {
        // §3.1.1 Valid messages: must parse.
        ["wsinv.dat"] = new("§3.1.1.1 short tortuous INVITE", SipParseErrorKind.None, 0, m =>
        {
            Assert.Equal("INVITE", m.Method);
            Assert.Equal("1918181833n", m.To!.Tag);
            Assert.Equal("J Rosenberg \\\"", m.From!.DisplayName);
            Assert.Equal("98asjd8", m.From.Tag);
            Assert.Equal(68, m.MaxForwards);
            Assert.Equal(new SipCSeq(9, "INVITE"), m.CSeq);
            Assert.Equal(3, m.Vias.Count);
            Assert.Equal(("UDP", "192.0.2.2", "390skdjuw"), (m.Vias[0].Transport, m.Vias[0].Host, m.Vias[0].Branch));
            Assert.Equal(("TCP", "spindle.example.com", "z9hG4bK9ikj8"), (m.Vias[1].Transport, m.Vias[1].Host, m.Vias[1].Branch));
            Assert.Equal(("192.168.255.111", "z9hG4bK30239"), (m.Vias[2].Host, m.Vias[2].Branch));
            Assert.Equal("Quoted string \"\"", m.Contacts.Single().DisplayName);
            Assert.Equal("0.33", m.Contacts[0].GetParameter("q"));
            Assert.Equal("newvalue", m.Contacts[0].GetParameter("newparam"));
            Assert.Equal("newfangled value continued newfangled value", m.GetHeader("NewFangledHeader"));
            Assert.Equal(";;,,;;,;", m.GetHeader("UnknownHeaderWithUnusualValue"));
            Assert.Equal(string.Empty, m.GetHeader("Subject"));
            Assert.Equal(150, m.Body.Length);
        }),
        ["intmeth.dat"] = new("§3.1.1.2 wide range of valid characters", SipParseErrorKind.None, 501, m =>
        {
            Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~", m.Method);
            Assert.Equal("example.com", m.RequestUri!.Host);
            Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", m.RequestUri.User);
            Assert.Equal("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", m.RequestUri.Password);
            Assert.Equal("BEL:\a NUL:\0 DEL:\x7F", m.To!.DisplayName);
            Assert.Equal("token1~` token2'+_ token3*%!.-", m.From!.DisplayName);
            Assert.Equal("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", m.CallId);
            Assert.Equal(139122385u, m.CSeq!.Value.Number);
            Assert.Equal(255, m.MaxForwards);
        }),
        ["esc01.dat"] = new("§3.1.1.3 valid use of % escaping", SipParseErrorKind.None, 0, m =>
        {
            Assert.Equal("sips%3Auser%40example.com", m.RequestUri!.User);
            Assert.Equal("example.net", m.RequestUri.Host);
        }),
        ["escnull.dat"] = new("§3.1.1.4 escaped nulls in URIs", SipParseErrorKind.None, 405, m =>
        {
            Assert.Equal("null-%00-null", m.To!.Uri.User);
            Assert.Equal(2, m.Contacts.Count);
        }),
        ["esc02.dat"] = new("§3.1.1.5 % that is not an escape", SipParseErrorKind.None, 501, m =>
        {
            Assert.Equal("RE%47IST%45R", m.Method);
            Assert.Equal("%Z%45", m.To!.DisplayName);
            Assert.Equal(2, m.Contacts.Count);
            Assert.Equal("<sip:alias2@host2.example.com>", m.GetHeader("C%6Fntact"));
        }),
        ["lwsdisp.dat"] = new("§3.1.1.6 no LWS between display name and <", SipParseErrorKind.None, 0, m =>
        {
            Assert.Equal("caller", m.From!.DisplayName);
            Assert.Equal("323", m.From.Tag);
        }),
        ["longreq.dat"] = new("§3.1.1.7 long values in header fields", SipParseErrorKind.None, 0, m =>
        {
            Assert.Equal(34, m.Vias.Count);
            Assert.Equal("sip33.example.com", m.Vias[0].Host);
            Assert.StartsWith("amazinglylongcallername", m.From!.Uri.User, StringComparison.Ordinal);
            Assert.Equal(3, m.From.Parameters.Count);
            Assert.Equal(150, m.Body.Length);
        }),
        ["dblreq.dat"] = new("§3.1.1.8 extra trailing octets in a UDP datagram", SipParseErrorKind.None, 405, m =>
        {
            Assert.Equal("REGISTER", m.Method);
            Assert.Equal(0, m.Body.Length);
            Assert.True(m.TrailingBytes > 0);
        }),
        ["semiuri.dat"] = new("§3.1.1.9 semicolons in URI user part", SipParseErrorKind.None, 0, m =>
        {
            Assert.Equal("user;par=u%40example.net", m.RequestUri!.User);
            Assert.Equal("example.com", m.RequestUri.Host);
            Assert.Empty(m.RequestUri.Parameters);
            Assert.Equal(6, m.GetHeaderValues("Accept").Count);
        }),
        ["transports.dat"] = new("§3.1.1.10 varied and unknown transports", SipParseErrorKind.None, 0, m =>
            Assert.Equal(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"], m.Vias.Select(v => v.Transport))),
        ["mpart01.dat"] = new("§3.1.1.11 multipart MIME message", SipParseErrorKind.None, 405, m =>
        {
            Assert.StartsWith("multipart/", m.ContentType, StringComparison.Ordinal);
            Assert.Equal(553, m.Body.Length);
        }),
        ["unreason.dat"] = new("§3.1.1.12 unusual reason phrase", SipParseErrorKind.None, 0, m =>
        {
            Assert.Equal(200, m.StatusCode);
            Assert.Equal("= 2**3 * 5**2 но сто девяносто девять - простое", m.ReasonPhrase);
            Assert.Equal("INVITE", m.Method);
        }),
        ["noreason.dat"] = new("§3.1.1.13 empty reason phrase", SipParseErrorKind.None, 0, m =>
        {
            Assert.Equal(100, m.StatusCode);
            Assert.Equal(string.Empty, m.ReasonPhrase);
        }),

        // §3.1.2 Invalid messages: must be rejected; requests answered 400 (505 for the version).
        ["badinv01.dat"] = new("§3.1.2.1 extraneous header field separators", SipParseErrorKind.BadHeaderValue, 400),
        ["clerr.dat"] = new("§3.1.2.2 Content-Length larger than message", SipParseErrorKind.BodyTruncated, 400),
        ["ncl.dat"] = new("§3.1.2.3 negative Content-Length", SipParseErrorKind.BadContentLength, 400),
        ["scalar02.dat"] = new("§3.1.2.4 request scalar fields with overlarge values", SipParseErrorKind.BadHeaderValue, 400),
        ["scalarlg.dat"] = new("§3.1.2.5 response scalar fields with overlarge values (discarded)", SipParseErrorKind.BadHeaderValue, 0),
        ["quotbal.dat"] = new("§3.1.2.6 unterminated quoted string in display name", SipParseErrorKind.BadHeaderValue, 400),
        ["ltgtruri.dat"] = new("§3.1.2.7 <> enclosing Request-URI", SipParseErrorKind.BadRequestUri, 400),
        ["lwsruri.dat"] = new("§3.1.2.8 embedded LWS in Request-URI", SipParseErrorKind.BadStartLine, 400),
        ["lwsstart.dat"] = new("§3.1.2.9 multiple SP in Request-Line", SipParseErrorKind.BadStartLine, 400),
        ["trws.dat"] = new("§3.1.2.10 SP at end of Request-Line", SipParseErrorKind.BadStartLine, 400),
        ["escruri.dat"] = new("§3.1.2.11 escaped headers in SIP Request-URI", SipParseErrorKind.BadRequestUri, 400),
        ["baddate.dat"] = new("§3.1.2.12 invalid time zone in Date (Date is not needed: processed without it)", SipParseErrorKind.None, 0, m =>
            Assert.Equal("Fri, 01 Jan 2010 16:00:00 EST", m.GetHeader("Date"))),
        ["regbadct.dat"] = new("§3.1.2.13 name-addr URI not enclosed in <>", SipParseErrorKind.BadHeaderValue, 400),
        ["badaspec.dat"] = new("§3.1.2.14 spaces within addr-spec", SipParseErrorKind.BadHeaderValue, 400),
        ["baddn.dat"] = new("§3.1.2.15 non-token characters in display name", SipParseErrorKind.BadHeaderValue, 400),
        ["badvers.dat"] = new("§3.1.2.16 unknown protocol version", SipParseErrorKind.VersionNotSupported, 505),
        ["mismatch01.dat"] = new("§3.1.2.17 start line and CSeq method mismatch", SipParseErrorKind.CSeqMethodMismatch, 400),
        ["mismatch02.dat"] = new("§3.1.2.18 unknown method with CSeq method mismatch", SipParseErrorKind.CSeqMethodMismatch, 400),
        ["bigcode.dat"] = new("§3.1.2.19 overlarge response code (discarded)", SipParseErrorKind.BadStatusCode, 0),

        // §3.2 Transaction layer.
        ["badbranch.dat"] = new("§3.2.1 missing transaction identifier (RFC 2543 matching fallback)", SipParseErrorKind.None, 0, m =>
        {
            Assert.Equal("z9hG4bK", m.TopVia!.Branch);
            Assert.False(m.TopVia.HasRfc3261Branch);
        }),

        // §3.3 Application layer semantics.
        ["insuf.dat"] = new("§3.3.1 missing required header fields", SipParseErrorKind.MissingHeader, 400),
        ["unkscm.dat"] = new("§3.3.2 Request-URI with unknown scheme", SipParseErrorKind.None, 416, m =>
            Assert.Equal("nobodyknowsthisscheme", m.RequestUri!.Scheme)),
        ["novelsc.dat"] = new("§3.3.3 known but atypical scheme", SipParseErrorKind.None, 416, m =>
            Assert.Equal("soap.beep", m.RequestUri!.Scheme)),
        ["unksm2.dat"] = new("§3.3.4 unknown URI schemes in header fields", SipParseErrorKind.None, 405, m =>
        {
            Assert.Equal("isbn", m.To!.Uri.Scheme);
            Assert.Equal("http", m.From!.Uri.Scheme);
            Assert.Equal("name", m.Contacts.Single().Uri.Scheme);
        }),
        ["bext01.dat"] = new("§3.3.5 Proxy-Require and Require", SipParseErrorKind.None, 420),
        ["invut.dat"] = new("§3.3.6 unknown Content-Type", SipParseErrorKind.None, 415),
        ["regaut01.dat"] = new("§3.3.7 unknown authorization scheme (no registrar here: 405)", SipParseErrorKind.None, 405, m =>
            Assert.StartsWith("NoOneKnowsThisScheme", m.GetHeader("Authorization"), StringComparison.OrdinalIgnoreCase)),
        ["multi01.dat"] = new("§3.3.8 multiple values in single-value fields", SipParseErrorKind.DuplicateHeader, 400),
        ["mcl01.dat"] = new("§3.3.9 multiple Content-Length values", SipParseErrorKind.DuplicateHeader, 400),
        ["bcast.dat"] = new("§3.3.10 200 OK with broadcast Via", SipParseErrorKind.None, 0, m =>
            Assert.Equal("255.255.255.255", m.Vias[1].Host)),
        ["zeromf.dat"] = new("§3.3.11 Max-Forwards of zero (a UAS processes it)", SipParseErrorKind.None, 0, m =>
            Assert.Equal(0, m.MaxForwards)),
        ["cparam01.dat"] = new("§3.3.12 REGISTER with a Contact header parameter", SipParseErrorKind.None, 405, m =>
        {
            Assert.Empty(m.Contacts.Single().Uri.Parameters);
            Assert.Single(m.Contacts[0].Parameters);
        }),
        ["cparam02.dat"] = new("§3.3.13 REGISTER with a url-parameter", SipParseErrorKind.None, 405, m =>
        {
            Assert.Single(m.Contacts.Single().Uri.Parameters);
            Assert.Empty(m.Contacts[0].Parameters);
        }),
        ["regescrt.dat"] = new("§3.3.14 REGISTER with a URL escaped header", SipParseErrorKind.None, 405, m =>
            Assert.Equal(new KeyValuePair<string, string>("Route", "%3Csip:sip.example.com%3E"), m.Contacts.Single().Uri.Headers.Single())),
        ["sdp01.dat"] = new("§3.3.15 unacceptable Accept offering", SipParseErrorKind.None, 406),

        // §3.4 Backward compatibility.
        ["inv2543.dat"] = new("§3.4.1 INVITE with RFC 2543 syntax", SipParseErrorKind.None, 0, m =>
        {
            Assert.Null(m.TopVia!.Branch);
            Assert.Null(m.MaxForwards);
            Assert.Null(m.From!.Tag);
        }),
    };

    public static TheoryData<string> Files => [.. Expectations.Keys.Order(StringComparer.Ordinal)];

    [Fact]
    public void Table_CoversEveryFileInTheArchive()
    {
        var files = Directory.GetFiles(TortureMessages.Directory, "*.dat").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(49, files.Count);
        Assert.Equal(files, Expectations.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void TortureMessage_ParsesOrIsRejected_AsRfc4475Says(string file)
    {
        var expected = Expectations[file];
        var bytes = TortureMessages.Load(file);

        var parsed = SipMessageParser.TryParse(bytes, out var msg, out var error);

        Assert.True(expected.Error == error.Kind, $"{file}: expected {expected.Error}, got {error}");
        Assert.Equal(expected.Error == SipParseErrorKind.None, parsed);
        if (parsed)
        {
            expected.Check?.Invoke(msg!);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void TortureMessage_UasAnswersWithTheRightStatus(string file)
    {
        var expected = Expectations[file];
        var response = SipRequestValidator.ResponseToInvalid(TortureMessages.Load(file), SipUasPolicy.Default, out var request, out _);

        Assert.True(expected.Response == (response?.StatusCode ?? 0), $"{file}: expected {expected.Response}, got {response?.StatusCode}");
        if (response is not null && request!.To is not null && request.CallId is not null && request.CSeq is not null && request.Vias.Count > 0)
        {
            // The response itself parses, and echoes the request's transaction identifiers (RFC 3261 §8.2.6.2).
            var wire = response.ToArray();
            Assert.True(SipMessageParser.TryParse(wire, out var parsedResponse, out var rerr), $"{file}: {rerr}\n{System.Text.Encoding.UTF8.GetString(wire)}");
            Assert.Equal(request!.CountHeaders(SipHeaderNames.Via), parsedResponse!.Vias.Count);
            Assert.Equal(expected.Response, parsedResponse.StatusCode);
            Assert.NotNull(parsedResponse.To!.Tag);
        }
        else if (response is not null)
        {
            // Fields too broken to re-parse are still copied verbatim; the status line must be right.
            var text = System.Text.Encoding.UTF8.GetString(response.ToArray());
            Assert.StartsWith($"SIP/2.0 {expected.Response} ", text, StringComparison.Ordinal);
            Assert.Contains("\r\nVia: ", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Bext01_420_ListsOnlyTheRequireOptions()
    {
        var response = SipRequestValidator.ResponseToInvalid(TortureMessages.Load("bext01.dat"), SipUasPolicy.Default, out _, out _)!.Build();

        Assert.Equal(["nothingSupportsThis", "nothingSupportsThisEither"], response.GetHeaderValues("Unsupported"));
    }

    [Fact]
    public void Invut_415_CarriesAccept()
    {
        var response = SipRequestValidator.ResponseToInvalid(TortureMessages.Load("invut.dat"), SipUasPolicy.Default, out _, out _)!.Build();

        Assert.Contains("application/sdp", response.GetHeaderValues("Accept"));
    }
}
