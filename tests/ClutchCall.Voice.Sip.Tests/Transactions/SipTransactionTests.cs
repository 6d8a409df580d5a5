using System.Globalization;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Transactions;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Sip.Tests.Transactions;

public sealed class SipTransactionTests
{
    private readonly FakeTimeProvider _time = new();

    private static SipMessageBuilder Request(string method, SipTransactionLayer layer, string branch = "z9hG4bKclient1") =>
        SipMessageBuilder.Request(method, "sip:bob@127.0.0.1:5070")
            .Add("Via", $"SIP/2.0/{layer.Transport.Protocol} 127.0.0.1:5060;branch={branch};rport")
            .Add("Max-Forwards", "70").Add("From", "<sip:alice@127.0.0.1>;tag=a1").Add("To", "<sip:bob@127.0.0.1>")
            .Add("Call-ID", "tx-test@127.0.0.1").Add("CSeq", "1 " + method);

    private static string Response(SipMessage request, int code, string reason, string toTag = "b2")
    {
        var b = SipResponseFactory.Create(request, code, reason, toTag);
        return System.Text.Encoding.UTF8.GetString(b.ToArray());
    }

    private static string IncomingRequest(string method, string branch = "z9hG4bKserver1", int cseq = 1) =>
        $"{method} sip:bridge@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch={branch}\r\nMax-Forwards: 70\r\n" +
        $"From: <sip:carrier@127.0.0.1>;tag=c1\r\nTo: <sip:bridge@127.0.0.1>\r\nCall-ID: srv-test@127.0.0.1\r\nCSeq: {cseq.ToString(CultureInfo.InvariantCulture)} {method}\r\nContent-Length: 0\r\n\r\n";

    [Fact]
    public async Task ClientInvite_Udp_TimerARetransmitsDoubling_TimerBTimesOutAt64T1()
    {
        var transport = new RecordingTransport(_time);
        var layer = new SipTransactionLayer(transport, _time);
        var tx = layer.SendRequest(Request("INVITE", layer), RecordingTransport.Peer);

        _time.Advance(TimeSpan.FromSeconds(31.9));
        Assert.False(tx.FinalResponse.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5], transport.SentSeconds("INVITE"));
        Assert.Equal(408, (await tx.FinalResponse).StatusCode);
        Assert.Equal(0, layer.ClientTransactionCount);
    }

    [Fact]
    public void ClientInvite_Provisional_StopsRetransmissions()
    {
        var transport = new RecordingTransport(_time);
        var layer = new SipTransactionLayer(transport, _time);
        var tx = layer.SendRequest(Request("INVITE", layer), RecordingTransport.Peer);
        _time.Advance(TimeSpan.FromSeconds(0.7));

        transport.Inject(Response(tx.Request, 180, "Ringing"));
        _time.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal([0, 0.5], transport.SentSeconds("INVITE"));
        Assert.Equal(SipTransactionState.Proceeding, tx.State);
    }

    [Fact]
    public async Task ClientInvite_486_AckedByTransaction_RetransmissionReAcked_TimerDTerminates()
    {
        var transport = new RecordingTransport(_time);
        var layer = new SipTransactionLayer(transport, _time);
        var tx = layer.SendRequest(Request("INVITE", layer), RecordingTransport.Peer);
        var busy = Response(tx.Request, 486, "Busy Here");

        transport.Inject(busy);
        Assert.Equal(486, (await tx.FinalResponse).StatusCode);
        _time.Advance(TimeSpan.FromSeconds(1));
        transport.Inject(busy);
        _time.Advance(TimeSpan.FromSeconds(30.9));
        Assert.Equal(SipTransactionState.Completed, tx.State);
        _time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.Equal([0, 1], transport.SentSeconds("ACK"));
        var ack = transport.Sent.First(s => s.Message.Method == "ACK").Message;
        Assert.Equal(tx.Request.TopVia!.Branch, ack.TopVia!.Branch);
        Assert.Equal("b2", ack.To!.Tag);
        Assert.Equal(new SipCSeq(1, "ACK"), ack.CSeq);
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public async Task ClientNonInvite_Udp_TimerECapsAtT2_TimerFTimesOut()
    {
        var transport = new RecordingTransport(_time);
        var layer = new SipTransactionLayer(transport, _time);
        var tx = layer.SendRequest(Request("OPTIONS", layer), RecordingTransport.Peer);

        _time.Advance(TimeSpan.FromSeconds(32));

        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5], transport.SentSeconds("OPTIONS"));
        Assert.Equal(408, (await tx.FinalResponse).StatusCode);
    }

    [Fact]
    public async Task ClientNonInvite_ProvisionalThenFinal_TimerKTerminatesAfterT4()
    {
        var transport = new RecordingTransport(_time);
        var layer = new SipTransactionLayer(transport, _time);
        var tx = layer.SendRequest(Request("BYE", layer), RecordingTransport.Peer);
        _time.Advance(TimeSpan.FromSeconds(0.2));
        transport.Inject(Response(tx.Request, 100, "Trying"));
        _time.Advance(TimeSpan.FromSeconds(5));
        // Timer E kept firing in Proceeding, reset to T2 each time (§17.1.2.2).
        Assert.Equal([0, 0.5, 4.5], transport.SentSeconds("BYE"));

        transport.Inject(Response(tx.Request, 200, "OK"));
        Assert.Equal(200, (await tx.FinalResponse).StatusCode);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(SipTransactionState.Completed, tx.State);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(SipTransactionState.Terminated, tx.State);
    }

    [Fact]
    public void ClientTransaction_Tcp_NoRetransmissions()
    {
        var transport = new RecordingTransport(_time, reliable: true);
        var layer = new SipTransactionLayer(transport, _time);
        layer.SendRequest(Request("INVITE", layer), RecordingTransport.Peer);

        _time.Advance(TimeSpan.FromSeconds(40));

        Assert.Equal([0], transport.SentSeconds("INVITE"));
    }

    [Fact]
    public void ServerInvite_486_TimerGRetransmits_TimerHGivesUp()
    {
        var transport = new RecordingTransport(_time);
        var layer = new SipTransactionLayer(transport, _time);
        SipServerTransaction? server = null;
        var timedOut = false;
        layer.RequestReceived = tx =>
        {
            server = tx;
            tx.AckTimedOut += _ => timedOut = true;
            tx.Respond(tx.CreateResponse(486, "Busy Here"));
        };

        transport.Inject(IncomingRequest("INVITE"));
        _time.Advance(TimeSpan.FromSeconds(32));

        Assert.Equal([0], transport.SentSeconds("SIP/2.0 100"));
        Assert.Equal([0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5], transport.SentSeconds("SIP/2.0 486"));
        Assert.True(timedOut);
        Assert.Equal(SipTransactionState.Terminated, server!.State);
    }

    [Fact]
    public void ServerInvite_AckStopsTimerG_TimerITerminatesAfterT4()
    {
        var transport = new RecordingTransport(_time);
        var layer = new SipTransactionLayer(transport, _time);
        SipServerTransaction? server = null;
        layer.RequestReceived = tx =>
        {
            server = tx;
            tx.Respond(tx.CreateResponse(603, "Decline"));
        };
        transport.Inject(IncomingRequest("INVITE"));
        _time.Advance(TimeSpan.FromSeconds(1));

        transport.Inject(IncomingRequest("ACK"));
        Assert.Equal(SipTransactionState.Confirmed, server!.State);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(SipTransactionState.Confirmed, server.State);
        _time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.Equal([0, 0.5], transport.SentSeconds("SIP/2.0 603"));
        Assert.Equal(SipTransactionState.Terminated, server.State);
    }

    [Fact]
    public void ServerInvite_2xxRetransmittedUntilAck_RetransmittedInviteAnsweredAgain()
    {
        var transport = new RecordingTransport(_time);
        var layer = new SipTransactionLayer(transport, _time);
        var calls = 0;
        SipServerTransaction? server = null;
        layer.RequestReceived = tx =>
        {
            calls++;
            server = tx;
            tx.Respond(tx.CreateResponse(200, "OK"));
        };
        transport.Inject(IncomingRequest("INVITE"));
        _time.Advance(TimeSpan.FromSeconds(0.6));
        transport.Inject(IncomingRequest("INVITE"));
        _time.Advance(TimeSpan.FromSeconds(1.0));

        // The 2xx ACK is a new transaction (new branch), matched by dialog.
        transport.Inject(IncomingRequest("ACK", branch: "z9hG4bKack2xx"));
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(1, calls);
        Assert.Equal([0, 0.5, 0.6, 1.5], transport.SentSeconds("SIP/2.0 200"));
        Assert.Equal(SipTransactionState.Terminated, server!.State);
    }

    [Fact]
    public void ServerNonInvite_RetransmittedRequestGetsSameResponse_TimerJ()
    {
        var transport = new RecordingTransport(_time);
        var layer = new SipTransactionLayer(transport, _time);
        SipServerTransaction? server = null;
        layer.RequestReceived = tx =>
        {
            server = tx;
            tx.Respond(tx.CreateResponse(200, "OK"));
        };
        transport.Inject(IncomingRequest("OPTIONS"));
        _time.Advance(TimeSpan.FromSeconds(0.5));
        transport.Inject(IncomingRequest("OPTIONS"));
        _time.Advance(TimeSpan.FromSeconds(31.4));
        Assert.Equal(SipTransactionState.Completed, server!.State);
        _time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.Equal([0, 0.5], transport.SentSeconds("SIP/2.0 200"));
        Assert.Equal(transport.Sent[0].Message.To!.Tag, transport.Sent[1].Message.To!.Tag);
        Assert.Equal(SipTransactionState.Terminated, server.State);
    }

    [Fact]
    public void ServerNonInvite_Tcp_TimerJZeroTerminatesAtOnce_ReusedBranchIsNewTransaction()
    {
        // RFC 3261 §17.2.2: Timer J is zero on reliable transports. The clock never moves here, so a
        // transaction that lingered until a zero-length timer fired would swallow the second request.
        var transport = new RecordingTransport(_time, reliable: true);
        var layer = new SipTransactionLayer(transport, _time);
        var servers = new List<SipServerTransaction>();
        layer.RequestReceived = tx =>
        {
            servers.Add(tx);
            tx.Respond(tx.CreateResponse(servers.Count == 1 ? 200 : 405, "Answer"));
        };

        transport.Inject(IncomingRequest("OPTIONS"));
        Assert.Equal(SipTransactionState.Terminated, servers[0].State);
        transport.Inject(IncomingRequest("OPTIONS"));

        Assert.Equal(2, servers.Count);
        Assert.Equal([200, 405], transport.Sent.Select(s => s.Message.StatusCode).ToArray());
    }

    [Fact]
    public void Cancel_MatchesInviteByBranch_200ThenTuSends487()
    {
        var transport = new RecordingTransport(_time);
        var layer = new SipTransactionLayer(transport, _time);
        layer.RequestReceived = tx =>
        {
            tx.Respond(tx.CreateResponse(180, "Ringing"));
            tx.Cancelled += t => t.Respond(t.CreateResponse(487, "Request Terminated"));
        };
        transport.Inject(IncomingRequest("INVITE"));

        transport.Inject(IncomingRequest("CANCEL"));
        transport.Inject(IncomingRequest("CANCEL", branch: "z9hG4bKunknown"));

        var sent = transport.Sent.Select(s => $"{s.Message.StatusCode} {s.Message.Method}").ToList();
        Assert.Equal(["100 INVITE", "180 INVITE", "200 CANCEL", "487 INVITE", "481 CANCEL"], sent);
    }

    [Fact]
    public void Server_InvalidRequest_RejectedInsideTransaction()
    {
        var transport = new RecordingTransport(_time);
        var layer = new SipTransactionLayer(transport, _time);
        var delivered = false;
        layer.RequestReceived = _ => delivered = true;

        transport.Inject(IncomingRequest("INVITE").Replace("Max-Forwards: 70\r\n", "Require: foo\r\n", StringComparison.Ordinal));

        Assert.False(delivered);
        Assert.Equal(420, transport.Sent.Single().Message.StatusCode);
    }

    [Fact]
    public void Transport_StampsReceivedAndRport()
    {
        var transport = new RecordingTransport(_time);
        var layer = new SipTransactionLayer(transport, _time);
        layer.RequestReceived = tx => tx.Respond(tx.CreateResponse(200, "OK"));

        transport.Inject(IncomingRequest("OPTIONS").Replace("127.0.0.1:5070;branch", "10.1.1.1:5099;rport;branch", StringComparison.Ordinal));

        var via = transport.Sent.Single().Message.TopVia!;
        Assert.Equal(("127.0.0.1", 5070), (via.Received, via.RPort));
    }
}
