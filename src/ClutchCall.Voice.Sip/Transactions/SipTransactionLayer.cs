using System.Collections.Concurrent;
using System.Net;
using ClutchCall.Voice.Sip.Messages;
using ClutchCall.Voice.Sip.Transport;

namespace ClutchCall.Voice.Sip.Transactions;

/// <summary>
/// Matches messages to transactions (RFC 3261 §17.1.3, §17.2.3), creates server transactions for new
/// requests and hands them to the transaction user, and routes CANCEL (§9.2) and ACKs for 2xx.
/// </summary>
internal sealed class SipTransactionLayer
{
    private readonly SipTransport _transport;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, SipClientTransaction> _clients = new();
    private readonly ConcurrentDictionary<string, SipServerTransaction> _servers = new();

    public SipTransactionLayer(SipTransport transport, TimeProvider time, SipTimers? timers = null, SipUasPolicy? policy = null)
    {
        _transport = transport;
        _time = time;
        Timers = timers ?? SipTimers.Default;
        Policy = policy ?? SipUasPolicy.Default;
        transport.MessageReceived = OnMessage;
    }

    public SipTimers Timers { get; }

    public SipUasPolicy Policy { get; }

    public SipTransport Transport => _transport;

    /// <summary>A new request passed the UAS checks of §8.2 and has its server transaction.</summary>
    public Action<SipServerTransaction>? RequestReceived { get; set; }

    /// <summary>An ACK for a 2xx whose transaction is gone, or any request outside a transaction.</summary>
    public Action<SipMessage, IPEndPoint>? StrayAck { get; set; }

    /// <summary>Responses matching no client transaction, e.g. 2xx retransmissions to an INVITE (§13.2.2.4).</summary>
    public Action<SipMessage>? StrayResponse { get; set; }

    public int ClientTransactionCount => _clients.Count;

    public int ServerTransactionCount => _servers.Count;

    /// <summary>Starts a client transaction for a request (which must carry a top Via with an RFC 3261 branch).</summary>
    public SipClientTransaction SendRequest(SipMessageBuilder request, IPEndPoint destination)
    {
        var wire = request.ToArray();
        var message = request.Build();
        if (message.TopVia is not { HasRfc3261Branch: true })
        {
            throw new ArgumentException("request needs a top Via with an RFC 3261 branch", nameof(request));
        }

        var tx = new SipClientTransaction(message, wire, destination, _transport, _time, Timers, t => _clients.TryRemove(t.Key, out _));
        _clients[tx.Key] = tx;
        tx.Start();
        return tx;
    }

    /// <summary>Sends a message outside any transaction (the ACK for a 2xx, RFC 3261 §13.2.2.4).</summary>
    public void SendStateless(SipMessageBuilder message, IPEndPoint destination) => _transport.Send(message.ToArray(), destination);

    /// <summary>Builds a Via for this transport with a fresh branch and rport (RFC 3581 §3).</summary>
    public string NewVia() => $"SIP/2.0/{_transport.Protocol} {Format(_transport.LocalEndPoint)};branch={SipResponseFactory.NewBranch()};rport";

    public static string Format(IPEndPoint ep) => ep.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ep.Address}]:{ep.Port}" : ep.ToString();

    /// <summary>RFC 3261 §17.2.3: branch + sent-by + method (ACK matches INVITE); RFC 2543 requests use their identifiers.</summary>
    public static string ServerKeyOf(SipMessage request)
    {
        var via = request.TopVia!;
        var method = request.Method is "ACK" ? "INVITE" : request.Method;
        if (via.HasRfc3261Branch)
        {
            return $"{via.Branch}|{via.Host}:{via.Port}|{method}";
        }

        // §17.2.3 backwards compatibility (RFC 4475 §3.2.1): Request-URI, tags, Call-ID, CSeq, top Via.
        return $"2543|{request.RequestUriText}|{request.From?.Tag}|{request.CallId}|{request.CSeq?.Number}|{via}|{method}";
    }

    internal void OnMessage(SipInbound inbound)
    {
        var m = inbound.Message;
        if (m.IsResponse)
        {
            var branch = m.TopVia?.Branch;
            if (branch is not null && _clients.TryGetValue(SipClientTransaction.KeyOf(branch, m.Method), out var ctx))
            {
                ctx.OnResponse(m);
            }
            else
            {
                StrayResponse?.Invoke(m);
            }

            return;
        }

        var key = ServerKeyOf(m);
        if (m.Method == "ACK")
        {
            if (_servers.TryGetValue(key, out var invite))
            {
                invite.OnAck(m);
                return;
            }

            // The ACK for a 2xx is its own transaction (§17.1.1.3): find the accepted INVITE by dialog.
            foreach (var s in _servers.Values)
            {
                if (s.IsInvite && s.State == SipTransactionState.Accepted && s.Request.CallId == m.CallId && s.Request.CSeq?.Number == m.CSeq?.Number)
                {
                    s.OnAck(m);
                    return;
                }
            }

            StrayAck?.Invoke(m, inbound.Remote);
            return;
        }

        if (_servers.TryGetValue(key, out var existing))
        {
            existing.OnRetransmittedRequest();
            return;
        }

        var tx = new SipServerTransaction(m, key, inbound.Remote, _transport, _time, Timers, t => _servers.TryRemove(t.Key, out _));
        if (!_servers.TryAdd(key, tx))
        {
            return;
        }

        if (SipRequestValidator.Validate(m, Policy) is { } rejection)
        {
            tx.Respond(rejection);
            return;
        }

        if (m.Method == "CANCEL")
        {
            // §9.2: the CANCEL matches the INVITE server transaction with the same branch and sent-by.
            var inviteKey = m.TopVia!.HasRfc3261Branch ? $"{m.TopVia.Branch}|{m.TopVia.Host}:{m.TopVia.Port}|INVITE" : ServerKeyOf(m).Replace("|CANCEL", "|INVITE", StringComparison.Ordinal);
            if (_servers.TryGetValue(inviteKey, out var target) && target.State == SipTransactionState.Proceeding)
            {
                tx.Respond(tx.CreateResponse(200, "OK"));
                target.OnCancel();
            }
            else
            {
                tx.Respond(tx.CreateResponse(481, "Call/Transaction Does Not Exist"));
            }

            return;
        }

        if (tx.IsInvite)
        {
            // §17.2.1: a 100 Trying at once, so the client stops retransmitting.
            tx.Respond(SipResponseFactory.Create(m, 100, "Trying"));
        }

        if (RequestReceived is { } handler)
        {
            handler(tx);
        }
        else
        {
            tx.Respond(tx.CreateResponse(501, "Not Implemented"));
        }
    }
}
