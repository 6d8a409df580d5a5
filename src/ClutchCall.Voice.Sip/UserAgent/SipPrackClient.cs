using System.Net.Sockets;
using ClutchCall.Voice.Sip.Dialogs;
using ClutchCall.Voice.Sip.Messages;

namespace ClutchCall.Voice.Sip.UserAgent;

/// <summary>
/// The UAC side of RFC 3262 for one outbound INVITE: each reliable 18x (<c>Require: 100rel</c> with an RSeq) is
/// acknowledged by a PRACK sent within its early dialog, one early dialog per To tag (§4).
/// </summary>
internal sealed class SipPrackClient
{
    private readonly Lock _gate = new();
    private readonly SipCall _call;
    private readonly string _from;
    private readonly Dictionary<string, (SipDialog Dialog, uint LastRSeq)> _early = new(StringComparer.Ordinal);
    private int _sent;
    private int _dropped;

    public SipPrackClient(SipCall call, string from)
    {
        _call = call;
        _from = from;
    }

    /// <summary>PRACKs sent (challenged retries not counted).</summary>
    public int PracksSent => Volatile.Read(ref _sent);

    /// <summary>Reliable 18x not acknowledged: retransmissions, out-of-order or malformed ones.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>
    /// RFC 3262 §4: the first reliable provisional response of an early dialog is taken with whatever RSeq it
    /// has; a later one only when its RSeq is one higher than the last. Such a response is PRACKed and true is
    /// returned (it is processed as any 18x); anything else, retransmissions included, is neither acknowledged
    /// nor processed. A reliable 18x without a valid RSeq or To tag is malformed and dropped too.
    /// </summary>
    public bool Accept(SipMessage invite, SipMessage response)
    {
        if (!SipExtensionHeaders.TryParseRSeq(response.GetHeader("RSeq"), out var rseq, out _) || response.To?.Tag is not { Length: > 0 } tag)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }

        SipDialog dialog;
        lock (_gate)
        {
            if (_early.TryGetValue(tag, out var early))
            {
                if (rseq != unchecked(early.LastRSeq + 1))
                {
                    Interlocked.Increment(ref _dropped);
                    return false;
                }

                dialog = early.Dialog;
            }
            else
            {
                // RFC 3261 §12.1.2: the 18x with a To tag creates the early dialog the PRACK is sent in.
                if (SipDialog.FromUacResponse(invite, response) is not { } created)
                {
                    Interlocked.Increment(ref _dropped);
                    return false;
                }

                dialog = created;
            }

            _early[tag] = (dialog, rseq);
        }

        // The CSeq is taken now, before the 2xx can arrive, so the confirmed dialog continues after it.
        var cseq = dialog.NextCSeq();
        var inviteCSeq = invite.CSeq!.Value;
        _ = SendAsync(dialog, cseq, SipExtensionHeaders.FormatRAck(rseq, inviteCSeq.Number, inviteCSeq.Method));
        return true;
    }

    /// <summary>
    /// RFC 3261 §12.2.1.1: the confirmed dialog made from the 2xx continues the local CSeq of its early dialog,
    /// so requests after the PRACKs (BYE, UPDATE) keep rising.
    /// </summary>
    public void ContinueCSeq(SipDialog confirmed)
    {
        SipDialog? early;
        lock (_gate)
        {
            early = _early.TryGetValue(confirmed.RemoteTag, out var e) ? e.Dialog : null;
        }

        while (early is not null && confirmed.LocalCSeq < early.LocalCSeq)
        {
            confirmed.NextCSeq();
        }
    }

    private async Task SendAsync(SipDialog dialog, uint firstCSeq, string rack)
    {
        var agent = _call.Agent;
        try
        {
            var to = await agent.ResolveAsync(dialog.NextHop(), CancellationToken.None).ConfigureAwait(false);
            var first = true;
            Interlocked.Increment(ref _sent);

            // RFC 3262 §7.1: PRACK carries RAck = RSeq, CSeq number and method of the response it acknowledges.
            await agent.SendWithAuthAsync(
                () =>
                {
                    var cseq = first ? firstCSeq : dialog.NextCSeq();
                    first = false;
                    return dialog.CreateRequest("PRACK", cseq, agent.NewVia(to), agent.Contact(_from, to))
                        .Add("RAck", rack)
                        .Add(SipHeaderNames.UserAgent, agent.Options.Product);
                },
                to, SipUserAgent.CredentialsOf(_call.Trunk), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SipException or SocketException)
        {
            // An unreachable early dialog is not fatal: the far end gives up on its 18x, and the INVITE's final
            // response decides the call.
        }
    }
}
