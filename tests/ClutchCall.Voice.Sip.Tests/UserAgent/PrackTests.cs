using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Parsing;
using ClutchCall.Voice.Sip.Tests.Interop;
using ClutchCall.Voice.Sip.Transactions;
using ClutchCall.Voice.Sip.UserAgent;
using ClutchCall.Voice.TestSupport;
using ClutchCall.Voice.TestSupport.Sipp;

namespace ClutchCall.Voice.Sip.Tests.UserAgent;

/// <summary>RFC 3262 reliable provisional responses: our UAC and UAS against sipp, a raw UDP peer and each other.</summary>
public sealed class PrackTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task PlaceCall_SippSendsReliable18x_EachPrackedOnceInOrderThenAnswered()
    {
        var ct = TestContext.Current.CancellationToken;
        var sippPort = SippProcess.FreeUdpPort();
        using var sipp = SippProcess.Start($"-sf {SippScenarios.Write(SippScenarios.AnswerWithReliableProvisionals())} -i 127.0.0.1 -p {sippPort} -mi 127.0.0.1 -mp {SippProcess.FreeUdpPort()} -m 1");

        // T1 = 2 s: a loaded machine rarely delays sipp's answers long enough for an INVITE or PRACK retransmission.
        await using var ua = FakeClockAgents.Create(TimeProvider.System, [TestAgents.Trunk(sippPort)], timers: new SipTimers { T1 = TimeSpan.FromSeconds(2) });
        await FakeClockAgents.WaitForUdpListenerAsync(sippPort, ct);

        var answered = new TaskCompletionSource();
        var call = ua.PlaceCall("t1", new SipCallRequest { To = "+14155550123" });
        call.Answered += _ => answered.TrySetResult();
        var first = await Task.WhenAny(answered.Task, call.Completion, Task.Delay(Generous, ct));
        Assert.True(first == answered.Task, $"not answered: {call.State} {call.EndInfo}, {call.PracksSent} PRACKs; sipp: {sipp.Errors}");

        // sipp sent 180 (RSeq 1) twice, 183 with SDP (RSeq 2) and a stale RSeq 1: two PRACKs, early media from the 183.
        Assert.Equal(2, call.PracksSent);
        Assert.True(call.HasEarlyMedia);
        await call.HangupAsync(ct);
        var rc = await sipp.WaitAsync(Generous, ct);
        Assert.True(rc == 0, $"sipp exit {rc}: {sipp.Errors}");
    }

    [Fact]
    public async Task IncomingCall_SippRequires100rel_Reliable180PrackedThenAnswered()
    {
        var ct = TestContext.Current.CancellationToken;

        // A clock that never moves keeps our 180 from being retransmitted while sipp (real time, loaded machine) PRACKs it.
        var time = new FakeTimeProvider();
        await using var ua = FakeClockAgents.Create(time, [TestAgents.Trunk(5060)]);
        await using var clockPump = FakeClockAgents.RunClockOnDispose(time);
        var accepted = FakeClockAgents.AcceptEachCall(ua);

        using var sipp = SippProcess.Start($"127.0.0.1:{ua.Port} -sf {SippScenarios.Write(SippScenarios.UacRequiring100rel())} -s +14155550100 -i 127.0.0.1 -p {SippProcess.FreeUdpPort()} -mi 127.0.0.1 -mp {SippProcess.FreeUdpPort()} -m 1");
        var rc = await sipp.WaitAsync(Generous, ct);
        Assert.True(rc == 0, $"sipp exit {rc}: {sipp.Errors}");

        var call = await accepted.WaitAsync(Generous, ct);
        Assert.NotNull(call.ReliableProvisionals);
        Assert.Equal(0u, call.ReliableProvisionals!.PendingRSeq);
        var end = await call.Completion.WaitAsync(Generous, ct);
        Assert.Equal(SipCallOutcome.Completed, end.Outcome);
        Assert.True(end.ByRemote);
    }

    [Fact]
    public async Task IncomingCall_Require100relOverUdp_180RetransmittedT1DoublingAnd2xxHeldUntilPrack()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        await using var ua = FakeClockAgents.Create(time, [], acceptUnknown: true);
        await using var clockPump = FakeClockAgents.RunClockOnDispose(time);

        // Answered at once: the 2xx must still wait for the PRACK (RFC 3262 §3).
        var accepted = FakeClockAgents.AcceptEachCall(ua);
        using var peer = new RawPeer(ua.LocalEndPoint);

        peer.Send(peer.Invite("Require: 100rel\r\nSupported: 100rel\r\n"));
        var ringing = await peer.NextAsync(m => m.StatusCode == 180, ct);
        Assert.Contains("100rel", ringing.GetHeaderValues(SipHeaderNames.Require));
        Assert.True(SipExtensionHeaders.TryParseRSeq(ringing.GetHeader("RSeq"), out var rseq, out _));
        var call = await accepted.WaitAsync(Generous, ct);

        // §3: retransmitted after T1, then 2*T1 — not before.
        time.Advance(TimeSpan.FromMilliseconds(499));
        time.Advance(TimeSpan.FromMilliseconds(1));
        var again = await peer.NextAsync(m => m.StatusCode == 180, ct);
        Assert.Equal(rseq.ToString(CultureInfo.InvariantCulture), again.GetHeader("RSeq"));
        time.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(200, ct);
        Assert.Equal(2, call.ReliableProvisionals!.Transmissions);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await peer.NextAsync(m => m.StatusCode == 180, ct);
        Assert.Equal(3, call.ReliableProvisionals.Transmissions);
        Assert.DoesNotContain(peer.Seen, m => m.StatusCode == 200);

        // A PRACK for another RSeq matches nothing: 481. A malformed RAck: 400.
        var toTag = ringing.To!.Tag!;
        peer.Send(peer.InDialog("PRACK", 2, toTag, $"RAck: {rseq + 1} 1 INVITE\r\n"));
        Assert.Equal(481, (await peer.NextAsync(m => m.Method == "PRACK", ct)).StatusCode);
        peer.Send(peer.InDialog("PRACK", 3, toTag, "RAck: one 1 INVITE\r\n"));
        Assert.Equal(400, (await peer.NextAsync(m => m.Method == "PRACK", ct)).StatusCode);

        peer.Send(peer.InDialog("PRACK", 4, toTag, $"RAck: {rseq} 1 INVITE\r\n"));
        Assert.Equal(200, (await peer.NextAsync(m => m.Method == "PRACK", ct)).StatusCode);
        var ok = await peer.NextAsync(m => m.Method == "INVITE" && m.StatusCode == 200, ct);
        Assert.StartsWith("application/sdp", ok.ContentType, StringComparison.Ordinal);
        peer.Send(peer.InDialog("ACK", 1, toTag, string.Empty));
        await FakeClockAgents.WaitUntilAsync(() => call.AckReceived, "the ACK for the 200", ct);

        // Acknowledged: no 180 is retransmitted any more (the next would have been due at 3.5 s and 7.5 s).
        var sent = call.ReliableProvisionals.Transmissions;
        time.Advance(TimeSpan.FromSeconds(10));
        await Task.Delay(200, ct);
        Assert.Equal(sent, call.ReliableProvisionals.Transmissions);

        peer.Send(peer.InDialog("BYE", 5, toTag, string.Empty));
        Assert.Equal(200, (await peer.NextAsync(m => m.Method == "BYE", ct)).StatusCode);
        Assert.True((await call.Completion.WaitAsync(Generous, ct)).ByRemote);
    }

    [Fact]
    public async Task IncomingCall_Reliable180NeverPracked_RefusedWith500After64T1()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        await using var ua = FakeClockAgents.Create(time, [], acceptUnknown: true);
        await using var clockPump = FakeClockAgents.RunClockOnDispose(time);
        var ringing = new TaskCompletionSource<SipCall>();
        ua.IncomingCall += call => ringing.TrySetResult(call);
        using var peer = new RawPeer(ua.LocalEndPoint);

        peer.Send(peer.Invite("Require: 100rel\r\n"));
        await peer.NextAsync(m => m.StatusCode == 180, ct);
        var call = await ringing.Task.WaitAsync(Generous, ct);

        // §3: retransmissions at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; at 64*T1 = 32 s the INVITE is refused 5xx.
        time.Advance(TimeSpan.FromSeconds(31.9));
        Assert.Equal(7, call.ReliableProvisionals!.Transmissions);
        Assert.Equal(SipCallState.Ringing, call.State);
        time.Advance(TimeSpan.FromSeconds(0.1));
        var final = await peer.NextAsync(m => m.StatusCode >= 300, ct);
        Assert.Equal(500, final.StatusCode);
        var end = await call.Completion.WaitAsync(Generous, ct);
        Assert.Equal(SipCallOutcome.Failed, end.Outcome);
        Assert.Contains("PRACK", end.Reason, StringComparison.Ordinal);
        Assert.Equal(7, peer.Seen.Count(m => m.StatusCode == 180));
    }

    [Fact]
    public async Task UaToUa_CalleePrefersReliable_CallerPracksAndCallIsAnswered()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        var calleeTrunk = new SipTrunkOptions { Id = "in", Host = "127.0.0.1", Port = 5060, ReliableProvisionalsWhenSupported = true };
        await using var callee = FakeClockAgents.Create(time, [calleeTrunk]);
        await using var caller = FakeClockAgents.Create(time, [TestAgents.Trunk(callee.Port)]);
        await using var clockPump = FakeClockAgents.RunClockOnDispose(time);
        var inbound = FakeClockAgents.AcceptEachCall(callee);

        var answered = new TaskCompletionSource();
        var call = caller.PlaceCall("t1", new SipCallRequest { To = "+14155550100" });
        call.Answered += _ => answered.TrySetResult();
        var first = await Task.WhenAny(answered.Task, call.Completion).WaitAsync(Generous, ct);
        Assert.True(first == answered.Task, $"not answered: {call.EndInfo}");
        var peer = await inbound.WaitAsync(Generous, ct);

        Assert.Equal(1, call.PracksSent);
        Assert.Equal(1, peer.ReliableProvisionals!.Transmissions);
        Assert.Equal(0u, peer.ReliableProvisionals.PendingRSeq);

        // BYE's CSeq continues after the PRACK's in the dialog (the callee would answer 500 otherwise).
        await call.HangupAsync(ct);
        var end = await peer.Completion.WaitAsync(Generous, ct);
        Assert.True(end.ByRemote);
        Assert.Equal(SipCallOutcome.Completed, end.Outcome);
    }

    /// <summary>A bare UDP SIP peer: sends hand-written requests and collects every message it receives.</summary>
    private sealed class RawPeer : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly IPEndPoint _target;
        private readonly Channel<SipMessage> _inbox = Channel.CreateUnbounded<SipMessage>();
        private readonly CancellationTokenSource _stop = new();
        private readonly string _callId = Guid.NewGuid().ToString("N");
        private readonly List<SipMessage> _seen = [];

        public RawPeer(IPEndPoint target)
        {
            _target = target;
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
            _ = ReceiveLoopAsync();
        }

        public int Port { get; }

        /// <summary>Every response received so far (a copy).</summary>
        public List<SipMessage> Seen
        {
            get
            {
                lock (_seen)
                {
                    return [.. _seen];
                }
            }
        }

        public string Invite(string extra)
        {
            const string Sdp = "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
            return $"INVITE sip:+14155550100@127.0.0.1:{_target.Port} SIP/2.0\r\n"
                + $"Via: SIP/2.0/UDP 127.0.0.1:{Port};branch=z9hG4bK-inv{_callId[..8]}\r\n"
                + $"From: <sip:+14155550199@127.0.0.1:{Port}>;tag=peer1\r\nTo: <sip:+14155550100@127.0.0.1:{_target.Port}>\r\n"
                + $"Call-ID: {_callId}\r\nCSeq: 1 INVITE\r\nContact: <sip:peer@127.0.0.1:{Port}>\r\nMax-Forwards: 70\r\n"
                + extra + $"Content-Type: application/sdp\r\nContent-Length: {Sdp.Length}\r\n\r\n" + Sdp;
        }

        public string InDialog(string method, int cseq, string toTag, string extra) =>
            $"{method} sip:+14155550100@127.0.0.1:{_target.Port} SIP/2.0\r\n"
            + $"Via: SIP/2.0/UDP 127.0.0.1:{Port};branch=z9hG4bK-{method}{cseq}{_callId[..6]}\r\n"
            + $"From: <sip:+14155550199@127.0.0.1:{Port}>;tag=peer1\r\nTo: <sip:+14155550100@127.0.0.1:{_target.Port}>;tag={toTag}\r\n"
            + $"Call-ID: {_callId}\r\nCSeq: {(method == "ACK" ? 1 : cseq)} {method}\r\nContact: <sip:peer@127.0.0.1:{Port}>\r\nMax-Forwards: 70\r\n"
            + extra + "Content-Length: 0\r\n\r\n";

        public void Send(string message) => _socket.SendTo(Encoding.UTF8.GetBytes(message), _target);

        /// <summary>The next received message (in arrival order) that matches; others are skipped (still in <see cref="Seen"/>).</summary>
        public async Task<SipMessage> NextAsync(Func<SipMessage, bool> match, CancellationToken ct)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(Generous);
            while (true)
            {
                var m = await _inbox.Reader.ReadAsync(cts.Token);
                if (match(m))
                {
                    return m;
                }
            }
        }

        private async Task ReceiveLoopAsync()
        {
            var buffer = new byte[65536];
            while (!_stop.IsCancellationRequested)
            {
                int n;
                try
                {
                    n = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                if (SipMessageParser.TryParse(buffer.AsSpan(0, n).ToArray(), out var m, out _) && m!.IsResponse)
                {
                    lock (_seen)
                    {
                        _seen.Add(m);
                    }

                    _inbox.Writer.TryWrite(m);
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _socket.Dispose();
            _stop.Dispose();
        }
    }
}
