using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Sip.Dtmf;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Parsing;
using ClutchCall.Voice.Sip.Rtp;

namespace ClutchCall.Voice.Benchmarks.Sip;

[MemoryDiagnoser]
public class SipBenchmarks
{
    private static readonly byte[] Invite = Encoding.UTF8.GetBytes(
        "INVITE sip:+15551234567@trunk.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK776asdhds;rport\r\n" +
        "Max-Forwards: 70\r\nTo: <sip:+15551234567@trunk.example.com>\r\n" +
        "From: \"ClutchCall\" <sip:+15557654321@bridge.example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@bridge.example.com\r\nCSeq: 314159 INVITE\r\n" +
        "Contact: <sip:bridge@198.51.100.7:5060>\r\nSupported: timer\r\nContent-Type: application/sdp\r\nContent-Length: 129\r\n\r\n" +
        "v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n");

    private readonly ArrayBufferWriter<byte> _writer = new(2048);
    private readonly byte[] _rtp = new byte[172];
    private readonly byte[] _payload = new byte[160];
    private readonly byte[] _dtmf = [5, 0x8A, 0x03, 0x20];
    private SipMessage _parsed = null!;

    [GlobalSetup]
    public void Setup()
    {
        SipMessageParser.TryParse(Invite, out var m, out _);
        _parsed = m!;
        RtpPacket.Write(_rtp, false, 0, 1, 160, 0x1234, _payload);
    }

    [Benchmark]
    public bool SipInviteParse() => SipMessageParser.TryParse(Invite, out _, out _);

    [Benchmark]
    public int SipInviteSerialize()
    {
        _writer.ResetWrittenCount();
        SipMessageWriter.Write(_parsed, _writer);
        return _writer.WrittenCount;
    }

    [Benchmark]
    public int RtpHeaderRead() => RtpPacket.TryRead(_rtp, out var h, out var p) ? h.SequenceNumber + p.Length : 0;

    [Benchmark]
    public int RtpHeaderWrite() => RtpPacket.Write(_rtp, false, 0, 2, 320, 0x1234, _payload);

    [Benchmark]
    public int DtmfEventParse() => TelephoneEvent.TryRead(_dtmf, out var ev) ? ev.Duration : 0;
}
