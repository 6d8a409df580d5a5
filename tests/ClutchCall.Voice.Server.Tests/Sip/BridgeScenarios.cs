using System.Globalization;
using System.Text;

namespace ClutchCall.Voice.Server.Tests.Sip;

/// <summary>sipp scenarios for the bridge tests (the built-in ones answer PCMU without telephone-event).</summary>
internal static class BridgeScenarios
{
    private const string Head = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n";

    private const string ToTag = "[last_To:];tag=[pid]SIPpTag01[call_number]";

    /// <summary>UAS: 180, rings for <paramref name="ringMs"/>, answers PCMU + telephone-event, then waits for our BYE.</summary>
    public static string AnswerAfterRinging(int ringMs) => Head + $$"""
<scenario name="answer after ringing">
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
  <pause milliseconds="{{ringMs}}"/>
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
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
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

    /// <summary>UAS: rejects the INVITE with a final status.</summary>
    public static string Reject(int status, string reason) => Head + $$"""
<scenario name="reject">
  <recv request="INVITE" crlf="true"/>
  <send><![CDATA[
SIP/2.0 {{status}} {{reason}}
[last_Via:]
[last_From:]
{{ToTag}}
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <recv request="ACK"/>
</scenario>
""";

    /// <summary>UAS: rings and never answers; expects CANCEL, answers it 200 and the INVITE 487 (RFC 3261 §9.2).</summary>
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

    private const string InviteBranch = "z9hG4bK-[pid]-[call_number]-invite";

    private static string Invite(string caller) => $$"""
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch={{InviteBranch}}
From: "Caller" <sip:{{caller}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
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
""";

    /// <summary>
    /// UAC from <paramref name="caller"/>: expects 100/180 then 200, plays sipp's G.711 A-law speech recording
    /// <paramref name="plays"/> times (about 6.8 s each), then RFC 2833 <paramref name="digits"/> from the sample
    /// pcaps, and hangs up with BYE.
    /// </summary>
    public static string CallerPlayingSpeech(string caller, int plays, string digits, int pauseMs = 7000, int holdMs = 0, int leadMs = 0)
    {
        var sb = new StringBuilder(Head).Append("<scenario name=\"inbound caller\">\n").Append(Invite(caller)).Append($$"""
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true" crlf="true"/>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Caller" <sip:{{caller}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>

""");
        if (leadMs > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  <pause milliseconds=\"{leadMs}\"/>\n");
        }

        for (var i = 0; i < plays; i++)
        {
            sb.Append("  <nop><action><exec play_pcap_audio=\"/usr/share/sip-tester/g711a.pcap\"/></action></nop>\n  <pause milliseconds=\"" + pauseMs.ToString(CultureInfo.InvariantCulture) + "\"/>\n");
        }

        foreach (var d in digits)
        {
            var name = d switch { '*' => "star", '#' => "pound", _ => d.ToString() };
            sb.Append(CultureInfo.InvariantCulture, $"  <nop><action><exec play_pcap_audio=\"/usr/share/sip-tester/dtmf_2833_{name}.pcap\"/></action></nop>\n  <pause milliseconds=\"400\"/>\n");
        }

        if (holdMs > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  <pause milliseconds=\"{holdMs}\"/>\n");
        }

        sb.Append($$"""
  <send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Caller" <sip:{{caller}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200" crlf="true"/>
</scenario>
""");
        return sb.ToString();
    }

    /// <summary>
    /// UAC from <paramref name="caller"/> that must be refused with <paramref name="status"/> and nothing but 100
    /// before it; the ACK reuses the INVITE's branch (RFC 3261 §17.1.1.3).
    /// </summary>
    public static string CallerRefused(string caller, int status) => Head + "<scenario name=\"refused caller\">\n" + Invite(caller) + $$"""
  <recv response="100" optional="true"/>
  <recv response="{{status}}"/>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch={{InviteBranch}}
From: "Caller" <sip:{{caller}}@[local_ip]:[local_port]>;tag=[pid]SIPpTag09[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
</scenario>
""";
}
