using System.Net;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Sdp;
using ClutchCall.Voice.Sip.Transactions;
using ClutchCall.Voice.Sip.Transport;
using ClutchCall.Voice.TestSupport.Sipp;

namespace ClutchCall.Voice.Sip.Tests.Interop;

/// <summary>The transaction layer against a real sipp over UDP on loopback.</summary>
public sealed class SippInteropTests
{
    private static SdpMediaOptions Media(int port) => new() { Address = "127.0.0.1", Port = port, Codecs = [SdpCodec.Pcmu, SdpCodec.Pcma] };

    [Fact]
    public async Task Uac_AgainstSippUas_InviteRingingOkAckByeOk()
    {
        var ct = TestContext.Current.CancellationToken;
        var sippPort = SippProcess.FreeUdpPort();
        using var sipp = SippProcess.Start($"-sn uas -i 127.0.0.1 -p {sippPort} -mp {SippProcess.FreeUdpPort()} -m 1");
        await using var transport = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0));
        var layer = new SipTransactionLayer(transport, TimeProvider.System);
        transport.Start();
        var target = new IPEndPoint(IPAddress.Loopback, sippPort);
        await Task.Delay(300, ct);

        var local = TransactionHelpers.Local(transport);
        var invite = SipMessageBuilder.Request("INVITE", $"sip:service@127.0.0.1:{sippPort}")
            .Add("Via", layer.NewVia()).Add("Max-Forwards", "70")
            .Add("From", $"<sip:bridge@{local}>;tag=uac1").Add("To", $"<sip:service@127.0.0.1:{sippPort}>")
            .Add("Call-ID", SipResponseFactory.NewCallId("127.0.0.1")).Add("CSeq", "1 INVITE")
            .Add("Contact", $"<sip:bridge@{local}>")
            .SetBody("application/sdp", SdpOfferAnswer.CreateOffer(Media(40000)).ToString());
        var provisional = new List<int>();
        var tx = layer.SendRequest(invite, target);
        tx.Provisional += r => provisional.Add(r.StatusCode);

        var ok = await tx.FinalResponse.WaitAsync(TimeSpan.FromSeconds(10), ct);

        Assert.Equal(200, ok.StatusCode);
        // sipp can answer 180 before the handler above is attached; the transaction records it either way.
        Assert.True(provisional.Contains(180) || tx.HighestProvisionalStatus == 180, $"no 180 seen (highest provisional {tx.HighestProvisionalStatus})");
        Assert.True(SdpParser.TryParse(ok.Body.Span, out var answer, out _));
        Assert.True(answer!.Media[0].Port > 0);

        // RFC 3261 §13.2.2.4: the UAC core ACKs the 2xx in a new transaction (new branch), CSeq number kept.
        var toWithTag = ok.GetHeader("To")!;
        var remoteTarget = ok.Contacts.Count > 0 ? ok.Contacts[0].Uri.Raw : $"sip:service@127.0.0.1:{sippPort}";
        layer.SendStateless(InDialog("ACK", remoteTarget, 1, layer, tx.Request, toWithTag), target);
        await Task.Delay(200, ct);
        var bye = layer.SendRequest(InDialog("BYE", remoteTarget, 2, layer, tx.Request, toWithTag), target);
        var byeResponse = await bye.FinalResponse.WaitAsync(TimeSpan.FromSeconds(10), ct);

        Assert.Equal(200, byeResponse.StatusCode);
        Assert.Equal(0, await sipp.WaitAsync(TimeSpan.FromSeconds(10), ct));
        Assert.Equal(string.Empty, sipp.Errors.Trim());
    }

    [Fact]
    public async Task Uas_SippUacCall_AnsweredWithSdp_ByeAnswered()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var transport = new SipUdpTransport(new IPEndPoint(IPAddress.Loopback, 0));
        var layer = new SipTransactionLayer(transport, TimeProvider.System);
        var acked = new TaskCompletionSource();
        var byed = new TaskCompletionSource();
        SdpNegotiation? negotiated = null;
        layer.RequestReceived = tx =>
        {
            switch (tx.Request.Method)
            {
                case "INVITE":
                    tx.Respond(tx.CreateResponse(180, "Ringing"));
                    SdpParser.TryParse(tx.Request.Body.Span, out var offer, out _);
                    var answer = SdpOfferAnswer.CreateAnswer(offer!, Media(41000), out negotiated);
                    tx.AckReceived += _ => acked.TrySetResult();
                    tx.Respond(tx.CreateResponse(200, "OK").Add("Contact", $"<sip:bridge@{TransactionHelpers.Local(transport)}>")
                        .SetBody("application/sdp", answer.ToString()));
                    break;
                case "BYE":
                    tx.Respond(tx.CreateResponse(200, "OK"));
                    byed.TrySetResult();
                    break;
                default:
                    tx.Respond(tx.CreateResponse(405, "Method Not Allowed"));
                    break;
            }
        };
        transport.Start();

        using var sipp = SippProcess.Start($"-sn uac 127.0.0.1:{transport.LocalEndPoint.Port} -i 127.0.0.1 -p {SippProcess.FreeUdpPort()} -mp {SippProcess.FreeUdpPort()} -s service -m 1 -d 500");
        var rc = await sipp.WaitAsync(TimeSpan.FromSeconds(15), ct);

        Assert.True(rc == 0, $"sipp exit {rc}: {sipp.Errors}");
        Assert.True(acked.Task.IsCompleted, "ACK for the 2xx did not arrive");
        Assert.True(byed.Task.IsCompleted, "BYE did not arrive");
        Assert.Equal("PCMU", negotiated!.Codec.Encoding);
        Assert.Equal(0, transport.Counters.Malformed);
    }

    private static SipMessageBuilder InDialog(string method, string remoteTarget, uint cseq, SipTransactionLayer layer, SipMessage invite, string toWithTag) =>
        SipMessageBuilder.Request(method, remoteTarget)
            .Add("Via", layer.NewVia()).Add("Max-Forwards", "70")
            .Add("From", invite.GetHeader("From")!).Add("To", toWithTag)
            .Add("Call-ID", invite.CallId!).Add("CSeq", $"{cseq} {method}");
}

internal static class TransactionHelpers
{
    public static string Local(SipTransport t) => SipTransactionLayer.Format(t.LocalEndPoint);
}
