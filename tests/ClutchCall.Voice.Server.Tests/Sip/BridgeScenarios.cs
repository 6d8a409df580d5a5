using ClutchCall.Voice.TestSupport.Sipp;
using static ClutchCall.Voice.TestSupport.Sipp.SippXml;

namespace ClutchCall.Voice.Server.Tests.Sip;

/// <summary>sipp scenarios for the bridge tests (the built-in ones answer PCMU without telephone-event).</summary>
internal static class BridgeScenarios
{
    private const string InviteBranch = "z9hG4bK-[pid]-[call_number]-invite";

    /// <summary>UAS: 180, rings for <paramref name="ringMs"/>, answers PCMU + telephone-event, then waits for our BYE.</summary>
    public static string AnswerAfterRinging(int ringMs) =>
        Scenario("answer after ringing", [.. SippUas.AnswerUpToAck(0, "PCMU", ringMs), RecvByeSendOk()]);

    /// <summary>UAS: rejects the INVITE with a final status.</summary>
    public static string Reject(int status, string reason) => Scenario(
        "reject",
        RecvRequest("INVITE", crlf: true),
        Send(Response($"{status} {reason}", ToTag)),
        RecvRequest("ACK"));

    /// <summary>UAS: rings and never answers; expects CANCEL, answers it 200 and the INVITE 487 (RFC 3261 §9.2).</summary>
    public static string RingForever() => SippUas.RingForever();

    /// <summary>
    /// UAC from <paramref name="caller"/>: expects 100/180 then 200, plays sipp's G.711 A-law speech recording
    /// <paramref name="plays"/> times (about 6.8 s each), then RFC 2833 <paramref name="digits"/> from the sample
    /// pcaps, and hangs up with BYE.
    /// </summary>
    public static string CallerPlayingSpeech(string caller, int plays, string digits, int pauseMs = 7000, int holdMs = 0, int leadMs = 0)
    {
        var from = From(caller, "Caller");
        return Scenario(
            "inbound caller",
            [
                CallerInvite(caller),
                RecvResponse(100, optional: true),
                RecvResponse(180, optional: true),
                RecvResponse(200, rtd: true, crlf: true),
                Send(Ack(1, from)),
                leadMs > 0 ? Pause(leadMs) : string.Empty,
                .. Enumerable.Repeat(PlayPcap("g711a.pcap") + Pause(pauseMs), plays),
                PlayDigits(digits),
                holdMs > 0 ? Pause(holdMs) : string.Empty,
                Send(Bye(2, from), retrans: true),
                RecvResponse(200, crlf: true),
            ]);
    }

    /// <summary>
    /// UAC from <paramref name="caller"/> that must be refused with <paramref name="status"/> and nothing but 100
    /// before it; the ACK reuses the INVITE's branch (RFC 3261 §17.1.1.3).
    /// </summary>
    public static string CallerRefused(string caller, int status) => Scenario(
        "refused caller",
        CallerInvite(caller),
        RecvResponse(100, optional: true),
        RecvResponse(status),
        Send(Ack(1, From(caller, "Caller"), InviteBranch)));

    private static string CallerInvite(string caller) => Send(
        Invite(
            1,
            From(caller, "Caller"),
            SdpOffer("8 101", ["a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-11,16"]),
            branch: InviteBranch),
        retrans: true);
}
