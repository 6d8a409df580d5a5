using static ClutchCall.Voice.TestSupport.Sipp.SippXml;

namespace ClutchCall.Voice.TestSupport.Sipp;

/// <summary>sipp as the called party: the scenarios and openings the SIP and server tests share.</summary>
public static class SippUas
{
    /// <summary>Rings and never answers; expects CANCEL, answers it 200 and the INVITE 487 (RFC 3261 §9.2).</summary>
    public static string RingForever() => Scenario(
        "ring",
        RecvRequest("INVITE", crlf: true),
        Send(Ringing()),
        RecvRequest("CANCEL"),
        Send(Ok(ToTag)),
        Send(Response("487 Request Terminated", ToTag, cseq: "CSeq: [last_cseq_number] INVITE")),
        RecvRequest("ACK"));

    /// <summary>
    /// INVITE, 180, <paramref name="ringMs"/> of ringing, 200 with <paramref name="encoding"/> (payload type
    /// <paramref name="payloadType"/>) plus telephone-event, ACK: the opening of every answering scenario.
    /// </summary>
    public static IEnumerable<string> AnswerUpToAck(int payloadType, string encoding, int ringMs = 0) =>
    [
        RecvRequest("INVITE", crlf: true),
        Send(Ringing()),
        ringMs > 0 ? Pause(ringMs) : string.Empty,
        Send(
            Ok(ToTag, [UasContact], SdpAnswer($"{payloadType} 101", [$"a=rtpmap:{payloadType} {encoding}/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15"])),
            retrans: true),
        RecvRequest("ACK", crlf: true),
    ];
}
