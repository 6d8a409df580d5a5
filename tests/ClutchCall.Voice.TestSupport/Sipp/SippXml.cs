using System.Globalization;

namespace ClutchCall.Voice.TestSupport.Sipp;

/// <summary>
/// The words sipp scenarios are written in: steps (<c>recv</c>, <c>send</c>, <c>pause</c>, ...) and the SIP
/// messages sipp sends, with sipp's keywords (<c>[last_Via:]</c>, <c>[branch]</c>, <c>[len]</c>) filled in once
/// here. A scenario reads as <c>Scenario(name, step, step, ...)</c>; each step is one XML element on its own line.
/// </summary>
public static class SippXml
{
    /// <summary>The XML declaration every scenario starts with.</summary>
    public const string Head = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n";

    /// <summary>As UAS: the request's To with sipp's local tag added (the first response that creates the dialog).</summary>
    public const string ToTag = "[last_To:];tag=[pid]SIPpTag01[call_number]";

    /// <summary>As UAS: the request's To unchanged (a response inside the dialog).</summary>
    public const string LastTo = "[last_To:]";

    /// <summary>As UAS: the request's Via, echoed into the response.</summary>
    public const string LastVia = "[last_Via:]";

    /// <summary>As UAS: the request's CSeq, echoed into the response.</summary>
    public const string LastCSeq = "[last_CSeq:]";

    /// <summary>Contact of sipp as UAS (its listening address and transport).</summary>
    public const string UasContact = "Contact: <sip:[local_ip]:[local_port];transport=[transport]>";

    /// <summary>Contact of sipp as UAC.</summary>
    public const string UacContact = "Contact: <sip:sipp@[local_ip]:[local_port]>";

    /// <summary>The Max-Forwards every request carries (RFC 3261 §8.1.1.6).</summary>
    public const string MaxForwards = "Max-Forwards: 70";

    /// <summary>Request-URI of sipp as UAC: the <c>-s</c> service at the remote address.</summary>
    public const string RequestUri = "sip:[service]@[remote_ip]:[remote_port]";

    /// <summary>A fresh branch per request (sipp's own).</summary>
    public const string NewBranch = "[branch]";

    private const string ToRemote = "To: <sip:[service]@[remote_ip]:[remote_port]>";

    private const string ToRemotePeer = "To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]";

    private const string PcapFolder = "/usr/share/sip-tester/";

    /// <summary>A whole scenario: the XML head, then each step in order.</summary>
    public static string Scenario(string name, params IEnumerable<string> steps) =>
        Head + $"<scenario name=\"{name}\">\n" + string.Concat(steps) + "</scenario>";

    /// <summary>Waits for a request; <paramref name="actions"/> are <see cref="Check"/>/<see cref="Capture"/> elements.</summary>
    public static string RecvRequest(string method, bool crlf = false, bool rrs = false, params IEnumerable<string> actions) =>
        Recv($"request=\"{method}\"" + (crlf ? " crlf=\"true\"" : string.Empty) + (rrs ? " rrs=\"true\"" : string.Empty), actions);

    /// <summary>Waits for a response; <paramref name="rtd"/> stops the response-time clock.</summary>
    public static string RecvResponse(int status, bool optional = false, bool rtd = false, bool crlf = false, params IEnumerable<string> actions) =>
        Recv(
            string.Create(CultureInfo.InvariantCulture, $"response=\"{status}\"")
            + (optional ? " optional=\"true\"" : string.Empty) + (rtd ? " rtd=\"true\"" : string.Empty) + (crlf ? " crlf=\"true\"" : string.Empty),
            actions);

    /// <summary>An action that fails the scenario unless <paramref name="regexp"/> matches the received message.</summary>
    public static string Check(string regexp, string assignTo, string searchIn = "msg") =>
        $"<ereg regexp=\"{regexp}\" search_in=\"{searchIn}\" check_it=\"true\" assign_to=\"{assignTo}\"/>";

    /// <summary>An action that keeps a received header's value in variable <paramref name="assignTo"/>.</summary>
    public static string Capture(string header, string assignTo) =>
        $"<ereg regexp=\".*\" search_in=\"hdr\" header=\"{header}\" assign_to=\"{assignTo}\"/>";

    /// <summary>Sends a message; <paramref name="retrans"/> retransmits it every 500 ms until answered (UDP).</summary>
    public static string Send(string message, bool retrans = false) =>
        (retrans ? "  <send retrans=\"500\"><![CDATA[\n" : "  <send><![CDATA[\n") + message + "]]></send>\n";

    /// <summary>Waits <paramref name="milliseconds"/>.</summary>
    public static string Pause(int milliseconds) =>
        string.Create(CultureInfo.InvariantCulture, $"  <pause milliseconds=\"{milliseconds}\"/>\n");

    /// <summary>Plays RTP from one of sipp's sample pcaps (e.g. <c>g711a.pcap</c>).</summary>
    public static string PlayPcap(string file) =>
        $"  <nop><action><exec play_pcap_audio=\"{PcapFolder}{file}\"/></action></nop>\n";

    /// <summary>Plays each digit as RFC 2833 events from sipp's sample pcaps, 400 ms apart.</summary>
    public static string PlayDigits(string digits) => string.Concat(digits.Select(d =>
        PlayPcap($"dtmf_2833_{d switch { '*' => "star", '#' => "pound", _ => d.ToString() }}.pcap") + Pause(400)));

    /// <summary>Marks variables as used (sipp refuses a scenario that assigns a variable it never reads).</summary>
    public static string Reference(string variables) => $"  <Reference variables=\"{variables}\"/>\n";

    /// <summary>As UAS: waits for the BYE and answers it 200.</summary>
    public static string RecvByeSendOk() => RecvRequest("BYE") + Send(Ok());

    /// <summary>
    /// A SIP message: start line, headers, then <c>Content-Length: 0</c> or the typed body with sipp's <c>[len]</c>.
    /// Every header is written as given, an empty one as an empty line.
    /// </summary>
    public static string Message(string startLine, IEnumerable<string> headers, string? contentType = null, string? body = null) =>
        startLine + "\n" + string.Concat(headers.Select(h => h + "\n"))
        + (body is null ? "Content-Length: 0\n\n" : $"Content-Type: {contentType}\nContent-Length: [len]\n\n{body}");

    /// <summary>As UAS: a response to the last request, echoing its Via, From, Call-ID and CSeq.</summary>
    public static string Response(string status, string to = LastTo, IEnumerable<string>? headers = null, string? sdp = null, string via = LastVia, string cseq = LastCSeq) =>
        Message("SIP/2.0 " + status, [via, "[last_From:]", to, "[last_Call-ID:]", cseq, .. headers ?? []], sdp is null ? null : "application/sdp", sdp);

    /// <summary>As UAS: 200 OK to the last request.</summary>
    public static string Ok(string to = LastTo, IEnumerable<string>? headers = null, string? sdp = null) => Response("200 OK", to, headers, sdp);

    /// <summary>As UAS: 180 Ringing to the INVITE, creating the dialog.</summary>
    public static string Ringing() => Response("180 Ringing", ToTag, [UasContact]);

    /// <summary>As UAC: the From header of <paramref name="user"/> at sipp's address, with sipp's tag.</summary>
    public static string From(string user, string? displayName = null) =>
        $"From: {(displayName is null ? string.Empty : $"\"{displayName}\" ")}<sip:{user}@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]";

    /// <summary>
    /// As UAC: a request to the service, <paramref name="headers"/> following CSeq. In the dialog (<paramref name="inDialog"/>)
    /// the To carries the peer's tag.
    /// </summary>
    public static string Request(string method, int cseq, string from, bool inDialog, IEnumerable<string> headers, string? contentType = null, string? body = null, string branch = NewBranch) =>
        Message(
            $"{method} {RequestUri} SIP/2.0",
            [UacVia(branch), from, inDialog ? ToRemotePeer : ToRemote, "Call-ID: [call_id]", string.Create(CultureInfo.InvariantCulture, $"CSeq: {cseq} {method}"), .. headers],
            contentType,
            body);

    /// <summary>As UAC: an INVITE with an SDP offer; <paramref name="headers"/> follow Contact and Max-Forwards.</summary>
    public static string Invite(int cseq, string from, string sdp, IEnumerable<string>? headers = null, bool inDialog = false, string branch = NewBranch) =>
        Request("INVITE", cseq, from, inDialog, [UacContact, MaxForwards, .. headers ?? []], "application/sdp", sdp, branch);

    /// <summary>As UAC: the ACK for a final response to INVITE <paramref name="cseq"/>.</summary>
    public static string Ack(int cseq, string from, string branch = NewBranch) => Request("ACK", cseq, from, true, [MaxForwards], branch: branch);

    /// <summary>As UAC: a BYE in the dialog.</summary>
    public static string Bye(int cseq, string from) => Request("BYE", cseq, from, true, [MaxForwards]);

    /// <summary>Via of sipp as UAC.</summary>
    public static string UacVia(string branch = NewBranch) => $"Via: SIP/2.0/[transport] [local_ip]:[local_port];branch={branch}";

    /// <summary>An SDP offer from sipp as UAC (its own address, an automatic media port).</summary>
    public static string SdpOffer(string formats, IEnumerable<string> attributes, long sessionVersion = 2353687637) =>
        Sdp("IN IP[local_ip_type] [local_ip]", "[auto_media_port]", formats, attributes, sessionVersion);

    /// <summary>An SDP answer from sipp as UAS (its <c>-mi</c>/<c>-mp</c> media address).</summary>
    public static string SdpAnswer(string formats, IEnumerable<string> attributes) =>
        Sdp("IN IP[media_ip_type] [media_ip]", "[media_port]", formats, attributes, 2353687637);

    private static string Sdp(string connection, string port, string formats, IEnumerable<string> attributes, long sessionVersion) =>
        string.Create(CultureInfo.InvariantCulture, $"v=0\no=user1 53655765 {sessionVersion} IN IP[local_ip_type] [local_ip]\ns=-\nc={connection}\nt=0 0\nm=audio {port} RTP/AVP {formats}\n")
        + string.Concat(attributes.Select(a => a + "\n"));

    private static string Recv(string attributes, IEnumerable<string> actions)
    {
        var list = actions.ToList();
        return list.Count switch
        {
            0 => $"  <recv {attributes}/>\n",
            1 => $"  <recv {attributes}>\n    <action>{list[0]}</action>\n  </recv>\n",
            _ => $"  <recv {attributes}>\n    <action>\n" + string.Concat(list.Select(a => $"      {a}\n")) + "    </action>\n  </recv>\n",
        };
    }
}
