using ClutchCall.Voice.Sip.Dialogs;
using ClutchCall.Voice.Sip.Messages;

namespace ClutchCall.Voice.Sip.Tests.Dialogs;

public sealed class SipDialogTests
{
    private static SipMessage Invite() => SipMessageBuilder.Request("INVITE", "sip:+14155550123@carrier.example")
        .Add("Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc").Add("Max-Forwards", "70")
        .Add("From", "<sip:+14155550100@carrier.example>;tag=ours").Add("To", "<sip:+14155550123@carrier.example>")
        .Add("Call-ID", "c1@10.0.0.1").Add("CSeq", "7 INVITE").Add("Contact", "<sip:bridge@10.0.0.1:5060>").Build();

    [Fact]
    public void FromUacResponse_RecordRoutes_RouteSetReversedAndRequestsFollowIt()
    {
        var invite = Invite();
        var ok = SipResponseFactory.Create(invite, 200, "OK", "theirs")
            .Add("Record-Route", "<sip:p2.example;lr>, <sip:p1.example;lr>")
            .Add("Contact", "<sip:callee@192.0.2.9:5070>").Build();

        var dialog = SipDialog.FromUacResponse(invite, ok)!;
        var bye = dialog.CreateRequest("BYE", dialog.NextCSeq(), "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKbye", "<sip:bridge@10.0.0.1>").Build();

        // RFC 3261 §12.1.2: route set = Record-Route reversed; §12.2.1.1: Request-URI = remote target.
        Assert.Equal(["<sip:p1.example;lr>", "<sip:p2.example;lr>"], dialog.RouteSet);
        Assert.Equal("sip:callee@192.0.2.9:5070", bye.RequestUriText);
        Assert.Equal(["<sip:p1.example;lr>", "<sip:p2.example;lr>"], bye.GetHeaderValues("Route"));
        Assert.Equal("p1.example", dialog.NextHop().Host);
        Assert.Equal("ours", bye.From!.Tag);
        Assert.Equal("theirs", bye.To!.Tag);
        Assert.Equal(8u, bye.CSeq!.Value.Number);
    }

    [Fact]
    public void AcceptRemoteRequest_LowerCSeqRejected_TargetRefreshedByReInvite()
    {
        var invite = Invite();
        var dialog = SipDialog.FromUasRequest(invite, "uas")!;
        SipMessage InDialog(string method, uint cseq, string contact) => SipMessageBuilder.Request(method, "sip:bridge@10.0.0.1")
            .Add("Via", "SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK" + cseq).Add("From", "<sip:+14155550100@carrier.example>;tag=ours")
            .Add("To", "<sip:+14155550123@carrier.example>;tag=uas").Add("Call-ID", "c1@10.0.0.1").Add("CSeq", $"{cseq} {method}")
            .Add("Contact", contact).Build();

        Assert.True(dialog.Matches(InDialog("BYE", 8, "<sip:x@h>")));
        Assert.True(dialog.AcceptRemoteRequest(InDialog("INVITE", 9, "<sip:moved@192.0.2.55:5080>")));
        Assert.Equal("sip:moved@192.0.2.55:5080", dialog.RemoteTarget.Raw);
        Assert.False(dialog.AcceptRemoteRequest(InDialog("INFO", 8, "<sip:x@h>")));
    }
}
