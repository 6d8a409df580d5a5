namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>Custom sipp scenarios, written to a temp file per test (the built-in ones answer PCMU only).</summary>
internal static class SippScenarios
{
    private const string Head = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n";

    private const string ToTag = "[last_To:];tag=[pid]SIPpTag01[call_number]";

    /// <summary>Answers with the given codec (PCMA 8 or PCMU 0) plus telephone-event; waits for BYE.</summary>
    public static string Answer(int payloadType, string encoding) => Head + $$"""
<scenario name="answer">
  <recv request="INVITE" crlf="true"/>
  <send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
{{ToTag}}
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Length: 0

]]></send>
  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
{{ToTag}}
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP {{payloadType}} 101
a=rtpmap:{{payloadType}} {{encoding}}/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15

]]></send>
  <recv request="ACK" crlf="true"/>
  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
</scenario>
""";

    /// <summary>Rejects the INVITE with a final status.</summary>
    public static string Reject(int status, string reason, string extraHeader = "") => Head + $$"""
<scenario name="reject">
  <recv request="INVITE" crlf="true"/>
  <send><![CDATA[
SIP/2.0 {{status}} {{reason}}
[last_Via:]
[last_From:]
{{ToTag}}
[last_Call-ID:]
[last_CSeq:]
{{extraHeader}}
Content-Length: 0

]]></send>
  <recv request="ACK"/>
</scenario>
""";

    /// <summary>Rings and never answers; expects CANCEL, answers it 200 and the INVITE 487 (RFC 3261 §9.2).</summary>
    public static string RingForever() => Head + $$"""
<scenario name="ring">
  <recv request="INVITE" crlf="true"/>
  <send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
{{ToTag}}
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Length: 0

]]></send>
  <recv request="CANCEL"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
{{ToTag}}
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <send><![CDATA[
SIP/2.0 487 Request Terminated
[last_Via:]
[last_From:]
{{ToTag}}
[last_Call-ID:]
CSeq: [last_cseq_number] INVITE
Content-Length: 0

]]></send>
  <recv request="ACK"/>
</scenario>
""";

    public static string Write(string xml)
    {
        var dir = Directory.CreateTempSubdirectory("sipp-scn-");
        var path = Path.Combine(dir.FullName, "scenario.xml");
        File.WriteAllText(path, xml);
        return path;
    }

    /// <summary>
    /// A UAC offering PCMA + telephone-event that plays sipp's sample G.711 A-law recording, then RFC 2833
    /// digits from the sample pcaps, and hangs up with BYE.
    /// </summary>
    public static string UacPlayingPcaps(string digits, int audioPauseMs)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(Head).Append("""
<scenario name="uac pcap">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Caller" <sip:+14155550199@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:sipp@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[local_ip_type] [local_ip]
t=0 0
m=audio [auto_media_port] RTP/AVP 8 101
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-11,16

]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true" crlf="true"/>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Caller" <sip:+14155550199@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <nop><action><exec play_pcap_audio="/usr/share/sip-tester/g711a.pcap"/></action></nop>
""");
        sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"  <pause milliseconds=\"{audioPauseMs}\"/>\n");
        foreach (var d in digits)
        {
            var name = d switch { '*' => "star", '#' => "pound", _ => d.ToString() };
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"  <nop><action><exec play_pcap_audio=\"/usr/share/sip-tester/dtmf_2833_{name}.pcap\"/></action></nop>\n  <pause milliseconds=\"400\"/>\n");
        }

        // One more digit by SIP INFO application/dtmf-relay, as some carriers send them.
        sb.Append("""
  <send retrans="500"><![CDATA[
INFO sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Caller" <sip:+14155550199@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 INFO
Max-Forwards: 70
Content-Type: application/dtmf-relay
Content-Length: [len]

Signal=9
Duration=160

]]></send>
  <recv response="200"/>
  <send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Caller" <sip:+14155550199@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 3 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200" crlf="true"/>
</scenario>
""");
        return sb.ToString();
    }

    /// <summary>Answers, then accepts a REFER (202), reports the transfer target's 200 by NOTIFY sipfrag (RFC 3515) and expects BYE.</summary>
    public static string AnswerThenAcceptRefer()
    {
        var answer = Answer(0, "PCMU");
        var upToAck = answer[..(answer.IndexOf("  <recv request=\"BYE\"/>", StringComparison.Ordinal))];
        return upToAck + """
  <recv request="REFER" rrs="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="from"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="to"/>
    </action>
  </recv>
  <send><![CDATA[
SIP/2.0 202 Accepted
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Length: 0

]]></send>
  <send retrans="500"><![CDATA[
NOTIFY [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: [$to]
To: [$from]
[last_Call-ID:]
CSeq: 1 NOTIFY
Max-Forwards: 70
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Event: refer
Subscription-State: terminated;reason=noresource
Content-Type: message/sipfrag
Content-Length: [len]

SIP/2.0 200 OK
]]></send>
  <recv response="200"/>
  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
</scenario>
""";
    }

    /// <summary>
    /// A UAC asking for a session timer (RFC 4028, refresher=uac) that refreshes by UPDATE without a body,
    /// holds with a sendonly re-INVITE and then hangs up; sipp checks each of our answers with regexps.
    /// </summary>
    public static string UacSessionTimerUpdateAndHold() => Head + """
<scenario name="timer update hold">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+14155550199@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:sipp@[local_ip]:[local_port]>
Max-Forwards: 70
Supported: timer
Session-Expires: 90;refresher=uac
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[local_ip_type] [local_ip]
t=0 0
m=audio [auto_media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000

]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true">
    <action><ereg regexp="Session-Expires: 90;refresher=uac" search_in="msg" check_it="true" assign_to="se1"/></action>
  </recv>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+14155550199@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <pause milliseconds="300"/>
  <send retrans="500"><![CDATA[
UPDATE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+14155550199@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 UPDATE
Contact: <sip:sipp@[local_ip]:[local_port]>
Max-Forwards: 70
Supported: timer
Session-Expires: 90;refresher=uac
Content-Length: 0

]]></send>
  <recv response="200">
    <action><ereg regexp="Session-Expires: 90;refresher=uac" search_in="msg" check_it="true" assign_to="se2"/></action>
  </recv>
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+14155550199@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 3 INVITE
Contact: <sip:sipp@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user1 53655765 2353687638 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[local_ip_type] [local_ip]
t=0 0
m=audio [auto_media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000
a=sendonly

]]></send>
  <recv response="100" optional="true"/>
  <recv response="200">
    <action><ereg regexp="a=recvonly" search_in="body" check_it="true" assign_to="hold"/></action>
  </recv>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+14155550199@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 3 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <pause milliseconds="200"/>
  <send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:+14155550199@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 4 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>
  <Reference variables="se1,se2,hold"/>
</scenario>
""";

    private const string SdpAnswerPcmu = """
v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000

""";

    /// <summary>
    /// RFC 3262 UAS: checks our INVITE offers 100rel, sends a reliable 180 (RSeq 1) and expects its PRACK, repeats the
    /// 180 (a late retransmission, not to be PRACKed again), sends a reliable 183 with SDP (RSeq 2) and expects its
    /// PRACK, then a stale RSeq 1 that must be ignored, answers 200 and expects a BYE whose CSeq continues after the
    /// PRACKs. Anything we send that the script does not expect makes sipp fail. (No send follows another send whose
    /// answer sipp expects: sipp aborts on a message that arrives while it is still sending.)
    /// </summary>
    public static string AnswerWithReliableProvisionals()
    {
        var invTo = "To:[$invto];tag=[pid]SIPpTag01[call_number]";
        string Provisional(int code, string reason, int rseq, bool sdp) => $$"""
  <send><![CDATA[
SIP/2.0 {{code}} {{reason}}
Via:[$invvia]
[last_From:]
{{invTo}}
[last_Call-ID:]
CSeq:[$invcseq]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Require: 100rel
RSeq: {{rseq}}
{{(sdp ? "Content-Type: application/sdp\nContent-Length: [len]\n\n" + SdpAnswerPcmu : "Content-Length: 0\n\n")}}]]></send>
""";
        string PrackOk() => """
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
""";
        return Head + $$"""
<scenario name="100rel uas">
  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="Supported: [a-z0-9, ]*100rel" search_in="msg" check_it="true" assign_to="sup"/>
      <ereg regexp=".*" search_in="hdr" header="Via:" assign_to="invvia"/>
      <ereg regexp=".*" search_in="hdr" header="CSeq:" assign_to="invcseq"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="invto"/>
    </action>
  </recv>
{{Provisional(180, "Ringing", 1, false)}}
  <recv request="PRACK">
    <action><ereg regexp="RAck: 1 1 INVITE" search_in="msg" check_it="true" assign_to="rack1"/></action>
  </recv>
{{PrackOk()}}
{{Provisional(180, "Ringing", 1, false)}}
{{Provisional(183, "Session Progress", 2, true)}}
  <recv request="PRACK">
    <action><ereg regexp="RAck: 2 1 INVITE" search_in="msg" check_it="true" assign_to="rack2"/></action>
  </recv>
{{PrackOk()}}
{{Provisional(183, "Session Progress", 1, false)}}
  <pause milliseconds="300"/>
  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
Via:[$invvia]
[last_From:]
{{invTo}}
[last_Call-ID:]
CSeq:[$invcseq]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

{{SdpAnswerPcmu}}]]></send>
  <recv request="ACK" crlf="true"/>
  <recv request="BYE">
    <action><ereg regexp="CSeq: 4 BYE" search_in="msg" check_it="true" assign_to="byecseq"/></action>
  </recv>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <Reference variables="sup,rack1,rack2,byecseq,invvia,invcseq,invto"/>
</scenario>
""";
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
        var sb = new System.Text.StringBuilder();
        sb.Append(Head).Append($$"""
<scenario name="session timer uas">
  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="Supported: [a-z0-9, ]*timer" search_in="msg" check_it="true" assign_to="sup"/>
      <ereg regexp="Session-Expires: 1800" search_in="msg" check_it="true" assign_to="se"/>
      <ereg regexp="Min-SE: 90" search_in="msg" check_it="true" assign_to="minse"/>
    </action>
  </recv>
  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
{{ToTag}}
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Allow: {{allow}}
Supported: timer
Require: timer
Session-Expires: 90;refresher=uac
Content-Type: application/sdp
Content-Length: [len]

{{SdpAnswerPcmu}}]]></send>
  <recv request="ACK" crlf="true"/>

""");
        var refreshMethod = allowUpdate ? "UPDATE" : "INVITE";
        for (var i = 0; i < refreshes; i++)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""
  <recv request="{{refreshMethod}}">
    <action>
      <ereg regexp="Session-Expires: 90;refresher=uac" search_in="msg" check_it="true" assign_to="r{{i}}"/>
      <ereg regexp="{{(allowUpdate ? "Content-Length: 0" : "m=audio")}}" search_in="msg" check_it="true" assign_to="b{{i}}"/>
    </action>
  </recv>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Require: timer
Session-Expires: 90;refresher=uac
{{(allowUpdate ? "Content-Length: 0\n\n" : "Content-Type: application/sdp\nContent-Length: [len]\n\n" + SdpAnswerPcmu)}}]]></send>
{{(allowUpdate ? string.Empty : "  <recv request=\"ACK\"/>\n")}}
  <Reference variables="r{{i}},b{{i}}"/>

""");
        }

        if (failStatus != 0)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""
  <recv request="{{refreshMethod}}"/>
  <send><![CDATA[
SIP/2.0 {{failStatus}} Refused
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
{{(allowUpdate ? string.Empty : "  <recv request=\"ACK\"/>\n")}}
""");
        }

        sb.Append("""
  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <Reference variables="sup,se,minse"/>
</scenario>
""");
        return sb.ToString();
    }

    /// <summary>
    /// RFC 4028 §6: refuses our first INVITE with 422 and <c>Min-SE: minSe</c>, expects the retry to ask for exactly
    /// that interval (Session-Expires and Min-SE), answers it with <c>refresher=uas</c> and never refreshes, so our
    /// side ends the call with BYE at expiry.
    /// </summary>
    public static string Reject422ThenAnswer(int minSe) => Head + $$"""
<scenario name="422 then answer">
  <recv request="INVITE" crlf="true"/>
  <send><![CDATA[
SIP/2.0 422 Session Interval Too Small
[last_Via:]
[last_From:]
{{ToTag}}
[last_Call-ID:]
[last_CSeq:]
Min-SE: {{minSe}}
Content-Length: 0

]]></send>
  <recv request="ACK"/>
  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="Session-Expires: {{minSe}}" search_in="msg" check_it="true" assign_to="se"/>
      <ereg regexp="Min-SE: {{minSe}}" search_in="msg" check_it="true" assign_to="minse"/>
      <ereg regexp="CSeq: 2 INVITE" search_in="msg" check_it="true" assign_to="cseq"/>
    </action>
  </recv>
  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
{{ToTag}}
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Supported: timer
Session-Expires: {{minSe}};refresher=uas
Content-Type: application/sdp
Content-Length: [len]

{{SdpAnswerPcmu}}]]></send>
  <recv request="ACK" crlf="true"/>
  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <Reference variables="se,minse,cseq"/>
</scenario>
""";

    private const string UacSdpOffer = """
v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[local_ip_type] [local_ip]
t=0 0
m=audio [auto_media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000

""";

    private const string UacFrom = "From: <sip:+14155550199@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]";

    private const string UacToPeer = "To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]";

    /// <summary>
    /// RFC 3262 UAC: an INVITE with <c>Require: 100rel</c>; the 180 must be reliable (Require: 100rel, RSeq), is
    /// PRACKed with its RSeq, and the 200 follows; then ACK and BYE.
    /// </summary>
    public static string UacRequiring100rel() => Head + $$"""
<scenario name="100rel uac">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
{{UacFrom}}
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:sipp@[local_ip]:[local_port]>
Max-Forwards: 70
Supported: 100rel
Require: 100rel
Content-Type: application/sdp
Content-Length: [len]

{{UacSdpOffer}}]]></send>
  <recv response="100" optional="true"/>
  <recv response="180">
    <action>
      <ereg regexp="RSeq: ([0-9]+)" search_in="msg" check_it="true" assign_to="rsall,rseq"/>
      <ereg regexp="Require: 100rel" search_in="msg" check_it="true" assign_to="req"/>
    </action>
  </recv>
  <send retrans="500"><![CDATA[
PRACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
{{UacFrom}}
{{UacToPeer}}
Call-ID: [call_id]
CSeq: 2 PRACK
RAck: [$rseq] 1 INVITE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200" crlf="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
{{UacFrom}}
{{UacToPeer}}
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <pause milliseconds="200"/>
  <send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
{{UacFrom}}
{{UacToPeer}}
Call-ID: [call_id]
CSeq: 3 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>
  <Reference variables="rsall,req"/>
</scenario>
""";

    /// <summary>
    /// RFC 4028 §9 UAC asking <c>refresher=uas</c>: our answer must keep it (so we refresh), and our UPDATE refresh
    /// (<c>refresher=uac</c>, as we are its UAC) is answered 200; then sipp hangs up.
    /// </summary>
    public static string UacAskingUasRefresher() => Head + $$"""
<scenario name="refresher uas uac">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
{{UacFrom}}
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:sipp@[local_ip]:[local_port]>
Max-Forwards: 70
Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE
Supported: timer
Session-Expires: 90;refresher=uas
Content-Type: application/sdp
Content-Length: [len]

{{UacSdpOffer}}]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true">
    <action><ereg regexp="Session-Expires: 90;refresher=uas" search_in="msg" check_it="true" assign_to="se1"/></action>
  </recv>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
{{UacFrom}}
{{UacToPeer}}
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv request="UPDATE">
    <action><ereg regexp="Session-Expires: 90;refresher=uac" search_in="msg" check_it="true" assign_to="se2"/></action>
  </recv>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:sipp@[local_ip]:[local_port]>
Require: timer
Session-Expires: 90;refresher=uac
Content-Length: 0

]]></send>
  <pause milliseconds="200"/>
  <send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
{{UacFrom}}
{{UacToPeer}}
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>
  <Reference variables="se1,se2"/>
</scenario>
""";
}
