using ClutchCall.Voice.TestSupport.Sipp;
using static ClutchCall.Voice.TestSupport.Sipp.SippXml;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>Custom sipp scenarios, written to a temp file per test (the built-in ones answer PCMU only).</summary>
internal static class SippScenarios
{
    private const string SipFrag = "message/sipfrag";

    private static readonly string Caller = From("+14155550199");

    private static readonly string PcmuOffer = SdpOffer("0", ["a=rtpmap:0 PCMU/8000"]);

    private static readonly string PcmuAnswer = SdpAnswer("0", ["a=rtpmap:0 PCMU/8000"]);

    public static string Write(string xml) => SippProcess.WriteScenario(xml);

    /// <summary>Answers with the given codec (PCMA 8 or PCMU 0) plus telephone-event; waits for BYE.</summary>
    public static string Answer(int payloadType, string encoding) =>
        Scenario("answer", [.. SippUas.AnswerUpToAck(payloadType, encoding), RecvByeSendOk()]);

    /// <summary>Rejects the INVITE with a final status.</summary>
    public static string Reject(int status, string reason, string extraHeader = "") =>
        RejectInTurn((status, reason, extraHeader));

    /// <summary>Rejects one INVITE after another, each with its final status (a retry after Retry-After, say).</summary>
    public static string RejectInTurn(params IEnumerable<(int Status, string Reason, string ExtraHeader)> rejections) =>
        Scenario("reject", rejections.SelectMany(r => new[]
        {
            RecvRequest("INVITE", crlf: true),
            Send(Response($"{r.Status} {r.Reason}", ToTag, r.ExtraHeader.Length == 0 ? [] : [r.ExtraHeader])),
            RecvRequest("ACK"),
        }));

    /// <summary>Rings (180 without Contact), then rejects the INVITE with a final status.</summary>
    public static string RingThenReject(int status, string reason, string extraHeader) => Scenario(
        "reject",
        RecvRequest("INVITE", crlf: true),
        Send(Response("180 Ringing", ToTag)),
        Send(Response($"{status} {reason}", ToTag, extraHeader.Length == 0 ? [] : [extraHeader])),
        RecvRequest("ACK"));

    /// <summary>Rings and never answers; expects CANCEL, answers it 200 and the INVITE 487 (RFC 3261 §9.2).</summary>
    public static string RingForever() => SippUas.RingForever();

    /// <summary>Answers OPTIONS pings 200 with Allow (the trunk keep-alive's far end).</summary>
    public static string OptionsUas() => Scenario(
        "options-uas",
        RecvRequest("OPTIONS"),
        Send(Ok(ToTag, ["Allow: INVITE, ACK, BYE, CANCEL, OPTIONS"])));

    /// <summary>
    /// A UAC offering PCMA + telephone-event that plays sipp's sample G.711 A-law recording, then RFC 2833
    /// digits from the sample pcaps, and hangs up with BYE.
    /// </summary>
    public static string UacPlayingPcaps(string digits, int audioPauseMs)
    {
        var caller = From("+14155550199", "Caller");
        var offer = SdpOffer("8 101", ["a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-11,16"]);
        return Scenario(
            "uac pcap",
            Send(Invite(1, caller, offer), retrans: true),
            RecvResponse(100, optional: true),
            RecvResponse(180, optional: true),
            RecvResponse(200, rtd: true, crlf: true),
            Send(Ack(1, caller)),
            PlayPcap("g711a.pcap"),
            Pause(audioPauseMs),
            PlayDigits(digits),

            // One more digit by SIP INFO application/dtmf-relay, as some carriers send them.
            Send(Request("INFO", 2, caller, true, [MaxForwards], "application/dtmf-relay", "Signal=9\nDuration=160\n"), retrans: true),
            RecvResponse(200),
            Send(Bye(3, caller), retrans: true),
            RecvResponse(200, crlf: true));
    }

    /// <summary>Answers, then accepts a REFER (202), reports the transfer target's 200 by NOTIFY sipfrag (RFC 3515) and expects BYE.</summary>
    public static string AnswerThenAcceptRefer() => Scenario(
        "answer",
        [
            .. SippUas.AnswerUpToAck(0, "PCMU"),
            RecvRequest("REFER", rrs: true, actions: [Capture("From:", "from"), Capture("To:", "to")]),
            Send(Response("202 Accepted", headers: [UasContact])),
            Send(
                Message(
                    "NOTIFY [next_url] SIP/2.0",
                    [UacVia(), "From: [$to]", "To: [$from]", "[last_Call-ID:]", "CSeq: 1 NOTIFY", MaxForwards, UasContact, "Event: refer", "Subscription-State: terminated;reason=noresource"],
                    SipFrag,
                    "SIP/2.0 200 OK\n"),
                retrans: true),
            RecvResponse(200),
            RecvByeSendOk(),
        ]);

    /// <summary>
    /// A UAC asking for a session timer (RFC 4028, refresher=uac) that refreshes by UPDATE without a body,
    /// holds with a sendonly re-INVITE and then hangs up; sipp checks each of our answers with regexps.
    /// </summary>
    public static string UacSessionTimerUpdateAndHold() => Scenario(
        "timer update hold",
        Send(Invite(1, Caller, PcmuOffer, ["Supported: timer", "Session-Expires: 90;refresher=uac"]), retrans: true),
        RecvResponse(100, optional: true),
        RecvResponse(180, optional: true),
        RecvResponse(200, rtd: true, actions: Check("Session-Expires: 90;refresher=uac", "se1")),
        Send(Ack(1, Caller)),
        Pause(300),
        Send(Request("UPDATE", 2, Caller, true, [UacContact, MaxForwards, "Supported: timer", "Session-Expires: 90;refresher=uac"]), retrans: true),
        RecvResponse(200, actions: Check("Session-Expires: 90;refresher=uac", "se2")),
        Send(Invite(3, Caller, SdpOffer("0", ["a=rtpmap:0 PCMU/8000", "a=sendonly"], sessionVersion: 2353687638), inDialog: true), retrans: true),
        RecvResponse(100, optional: true),
        RecvResponse(200, actions: Check("a=recvonly", "hold", searchIn: "body")),
        Send(Ack(3, Caller)),
        Pause(200),
        Send(Bye(4, Caller), retrans: true),
        RecvResponse(200),
        Reference("se1,se2,hold"));

    /// <summary>
    /// RFC 3262 UAS: checks our INVITE offers 100rel, sends a reliable 180 (RSeq 1) and expects its PRACK, repeats the
    /// 180 (a late retransmission, not to be PRACKed again), sends a reliable 183 with SDP (RSeq 2) and expects its
    /// PRACK, then a stale RSeq 1 that must be ignored, answers 200 and expects a BYE whose CSeq continues after the
    /// PRACKs. Anything we send that the script does not expect makes sipp fail. (No send follows another send whose
    /// answer sipp expects: sipp aborts on a message that arrives while it is still sending.)
    /// </summary>
    public static string AnswerWithReliableProvisionals()
    {
        // Responses to the INVITE go out after other transactions, so they echo its saved Via, To and CSeq.
        const string InvTo = "To:[$invto];tag=[pid]SIPpTag01[call_number]";
        static string ToInvite(string status, IEnumerable<string> headers, string? sdp = null, bool retrans = false) =>
            Send(Response(status, InvTo, [UasContact, .. headers], sdp, via: "Via:[$invvia]", cseq: "CSeq:[$invcseq]"), retrans);
        static string Provisional(string status, int rseq, string? sdp = null) => ToInvite(status, ["Require: 100rel", $"RSeq: {rseq}"], sdp);

        return Scenario(
            "100rel uas",
            RecvRequest(
                "INVITE",
                crlf: true,
                actions: [Check("Supported: [a-z0-9, ]*100rel", "sup"), Capture("Via:", "invvia"), Capture("CSeq:", "invcseq"), Capture("To:", "invto")]),
            Provisional("180 Ringing", 1),
            RecvRequest("PRACK", actions: Check("RAck: 1 1 INVITE", "rack1")),
            Send(Ok()),
            Provisional("180 Ringing", 1),
            Provisional("183 Session Progress", 2, PcmuAnswer),
            RecvRequest("PRACK", actions: Check("RAck: 2 1 INVITE", "rack2")),
            Send(Ok()),
            Provisional("183 Session Progress", 1),
            Pause(300),
            ToInvite("200 OK", [], PcmuAnswer, retrans: true),
            RecvRequest("ACK", crlf: true),
            RecvRequest("BYE", actions: Check("CSeq: 4 BYE", "byecseq")),
            Send(Ok()),
            Reference("sup,rack1,rack2,byecseq,invvia,invcseq,invto"));
    }

    /// <summary>
    /// RFC 4028 UAS: checks our INVITE asks for a session timer, answers <c>Session-Expires: 90;refresher=uac</c> so we
    /// refresh, then expects <paramref name="refreshes"/> refreshes — UPDATE without a body when our Allow lists it
    /// (<paramref name="allowUpdate"/>), else re-INVITE with SDP — each answered with the interval again. With
    /// <paramref name="failStatus"/> the next refresh is refused with it and our BYE is expected.
    /// </summary>
    public static string AnswerWithSessionTimer(int refreshes, bool allowUpdate, int failStatus = 0)
    {
        var allow = allowUpdate ? "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE" : "INVITE, ACK, BYE, CANCEL, OPTIONS";
        var refreshMethod = allowUpdate ? "UPDATE" : "INVITE";

        // A re-INVITE refresh is a new offer/answer and gets its ACK; an UPDATE has neither.
        var ackOfRefresh = allowUpdate ? string.Empty : RecvRequest("ACK");
        IEnumerable<string> Refresh(int i) =>
        [
            RecvRequest(
                refreshMethod,
                actions: [Check("Session-Expires: 90;refresher=uac", $"r{i}"), Check(allowUpdate ? "Content-Length: 0" : "m=audio", $"b{i}")]),
            Send(Ok(headers: [UasContact, "Require: timer", "Session-Expires: 90;refresher=uac"], sdp: allowUpdate ? null : PcmuAnswer)),
            ackOfRefresh,
            Reference($"r{i},b{i}"),
        ];
        IEnumerable<string> Refusal() => failStatus == 0
            ? []
            : [RecvRequest(refreshMethod), Send(Response($"{failStatus} Refused")), ackOfRefresh];

        return Scenario(
            "session timer uas",
            [
                RecvRequest(
                    "INVITE",
                    crlf: true,
                    actions: [Check("Supported: [a-z0-9, ]*timer", "sup"), Check("Session-Expires: 1800", "se"), Check("Min-SE: 90", "minse")]),
                Send(
                    Ok(ToTag, [UasContact, $"Allow: {allow}", "Supported: timer", "Require: timer", "Session-Expires: 90;refresher=uac"], PcmuAnswer),
                    retrans: true),
                RecvRequest("ACK", crlf: true),
                .. Enumerable.Range(0, refreshes).SelectMany(Refresh),
                .. Refusal(),
                RecvByeSendOk(),
                Reference("sup,se,minse"),
            ]);
    }

    /// <summary>
    /// RFC 4028 §6: refuses our first INVITE with 422 and <c>Min-SE: minSe</c>, expects the retry to ask for exactly
    /// that interval (Session-Expires and Min-SE), answers it with <c>refresher=uas</c> and never refreshes, so our
    /// side ends the call with BYE at expiry.
    /// </summary>
    public static string Reject422ThenAnswer(int minSe) => Scenario(
        "422 then answer",
        RecvRequest("INVITE", crlf: true),
        Send(Response("422 Session Interval Too Small", ToTag, [$"Min-SE: {minSe}"])),
        RecvRequest("ACK"),
        RecvRequest(
            "INVITE",
            crlf: true,
            actions: [Check($"Session-Expires: {minSe}", "se"), Check($"Min-SE: {minSe}", "minse"), Check("CSeq: 2 INVITE", "cseq")]),
        Send(Ok(ToTag, [UasContact, "Supported: timer", $"Session-Expires: {minSe};refresher=uas"], PcmuAnswer), retrans: true),
        RecvRequest("ACK", crlf: true),
        RecvByeSendOk(),
        Reference("se,minse,cseq"));

    /// <summary>
    /// RFC 3262 UAC: an INVITE with <c>Require: 100rel</c>; the 180 must be reliable (Require: 100rel, RSeq), is
    /// PRACKed with its RSeq, and the 200 follows; then ACK and BYE.
    /// </summary>
    public static string UacRequiring100rel() => Scenario(
        "100rel uac",
        Send(Invite(1, Caller, PcmuOffer, ["Supported: 100rel", "Require: 100rel"]), retrans: true),
        RecvResponse(100, optional: true),
        RecvResponse(180, actions: [Check("RSeq: ([0-9]+)", "rsall,rseq"), Check("Require: 100rel", "req")]),
        Send(Request("PRACK", 2, Caller, true, ["RAck: [$rseq] 1 INVITE", MaxForwards]), retrans: true),
        RecvResponse(200, crlf: true),
        RecvResponse(200, rtd: true),
        Send(Ack(1, Caller)),
        Pause(200),
        Send(Bye(3, Caller), retrans: true),
        RecvResponse(200),
        Reference("rsall,req"));

    /// <summary>
    /// RFC 4028 §9 UAC asking <c>refresher=uas</c>: our answer must keep it (so we refresh), and our UPDATE refresh
    /// (<c>refresher=uac</c>, as we are its UAC) is answered 200; then sipp hangs up.
    /// </summary>
    public static string UacAskingUasRefresher() => Scenario(
        "refresher uas uac",
        Send(Invite(1, Caller, PcmuOffer, ["Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE", "Supported: timer", "Session-Expires: 90;refresher=uas"]), retrans: true),
        RecvResponse(100, optional: true),
        RecvResponse(180, optional: true),
        RecvResponse(200, rtd: true, actions: Check("Session-Expires: 90;refresher=uas", "se1")),
        Send(Ack(1, Caller)),
        RecvRequest("UPDATE", actions: Check("Session-Expires: 90;refresher=uac", "se2")),
        Send(Ok(headers: [UacContact, "Require: timer", "Session-Expires: 90;refresher=uac"])),
        Pause(200),
        Send(Bye(2, Caller), retrans: true),
        RecvResponse(200),
        Reference("se1,se2"));
}
