using System.Globalization;
using ClutchCall.Voice.Sip.Messages;

namespace ClutchCall.Voice.Sip.Dialogs;

/// <summary>
/// The state of one dialog (RFC 3261 §12): its id (Call-ID, local and remote tag), local and remote URI,
/// remote target, route set and CSeq numbers. Builds in-dialog requests (§12.2.1.1) and checks incoming
/// ones (§12.2.2).
/// </summary>
internal sealed class SipDialog
{
    private readonly Lock _gate = new();
    private uint _localCSeq;

    private SipDialog(string callId, string localTag, string remoteTag, string localAddress, string remoteAddress, SipUri remoteTarget, List<string> routeSet, uint localCSeq, uint? remoteCSeq)
    {
        CallId = callId;
        LocalTag = localTag;
        RemoteTag = remoteTag;
        LocalAddress = localAddress;
        RemoteAddress = remoteAddress;
        RemoteTarget = remoteTarget;
        RouteSet = routeSet;
        _localCSeq = localCSeq;
        RemoteCSeq = remoteCSeq;
    }

    public string CallId { get; }

    public string LocalTag { get; }

    public string RemoteTag { get; }

    /// <summary>Our URI as written in From (UAC) or To (UAS), without the tag.</summary>
    public string LocalAddress { get; }

    /// <summary>The peer's URI as written in To (UAC) or From (UAS), without the tag.</summary>
    public string RemoteAddress { get; }

    /// <summary>Where in-dialog requests go: the peer's Contact (§12.1.1, §12.1.2), updated by target refresh (§12.2).</summary>
    public SipUri RemoteTarget { get; private set; }

    /// <summary>Route set as Route header values, in the order they are sent (§12.1.1, §12.1.2).</summary>
    public IReadOnlyList<string> RouteSet { get; }

    /// <summary>The highest CSeq received from the peer, or null before the first in-dialog request.</summary>
    public uint? RemoteCSeq { get; private set; }

    public uint LocalCSeq
    {
        get
        {
            lock (_gate)
            {
                return _localCSeq;
            }
        }
    }

    /// <summary>RFC 3261 §12.1.2: the UAC's dialog from a 2xx (or a 101-199 with a To tag for an early dialog).</summary>
    public static SipDialog? FromUacResponse(SipMessage request, SipMessage response)
    {
        if (response.To?.Tag is not { Length: > 0 } remoteTag || request.From?.Tag is not { } localTag || response.CallId is null)
        {
            return null;
        }

        // §12.1.2: the route set is the Record-Route list in reverse order.
        var routes = response.GetHeaderValues(SipHeaderNames.RecordRoute);
        routes.Reverse();
        var target = response.Contacts.Count > 0 ? response.Contacts[0].Uri : request.RequestUri!;
        return new SipDialog(response.CallId, localTag, remoteTag, WithoutTag(request.From!), WithoutTag(response.To!), target, routes, request.CSeq!.Value.Number, null);
    }

    /// <summary>RFC 3261 §12.1.1: the UAS's dialog from the request it answers with a 2xx (or 18x) carrying <paramref name="localTag"/>.</summary>
    public static SipDialog? FromUasRequest(SipMessage request, string localTag)
    {
        if (request.CallId is null || request.From is null || request.To is null || request.Contacts.Count == 0)
        {
            return null;
        }

        // §12.1.1: the route set is the Record-Route list in order; local CSeq starts empty (we pick 1).
        var routes = request.GetHeaderValues(SipHeaderNames.RecordRoute);
        return new SipDialog(request.CallId, localTag, request.From.Tag ?? string.Empty, WithoutTag(request.To), WithoutTag(request.From),
            request.Contacts[0].Uri, routes, 0, request.CSeq?.Number);
    }

    /// <summary>RFC 3261 §12.2.2: does this request belong to the dialog (Call-ID, To tag = local, From tag = remote)?</summary>
    public bool Matches(SipMessage request) =>
        request.CallId == CallId && request.To?.Tag == LocalTag && (request.From?.Tag ?? string.Empty) == RemoteTag;

    /// <summary>
    /// RFC 3261 §12.2.2: a request with a CSeq lower than the last one is out of order (answered 500);
    /// otherwise the remote CSeq advances. A target refresh (re-INVITE, UPDATE) replaces the remote target.
    /// </summary>
    public bool AcceptRemoteRequest(SipMessage request)
    {
        lock (_gate)
        {
            var n = request.CSeq!.Value.Number;
            if (request.Method != "ACK" && RemoteCSeq is { } last && n <= last && request.Method != "CANCEL")
            {
                return false;
            }

            if (request.Method != "ACK")
            {
                RemoteCSeq = n;
            }

            if (request.Method is "INVITE" or "UPDATE" && request.Contacts.Count > 0)
            {
                RemoteTarget = request.Contacts[0].Uri;
            }

            return true;
        }
    }

    /// <summary>§12.2.1.2: a 2xx to a target refresh request updates the remote target.</summary>
    public void OnTargetRefreshResponse(SipMessage response)
    {
        if (response.Contacts.Count > 0)
        {
            lock (_gate)
            {
                RemoteTarget = response.Contacts[0].Uri;
            }
        }
    }

    /// <summary>Takes the next local CSeq number (§12.2.1.1: one higher than the previous, never for ACK/CANCEL).</summary>
    public uint NextCSeq()
    {
        lock (_gate)
        {
            return ++_localCSeq;
        }
    }

    /// <summary>
    /// RFC 3261 §12.2.1.1: Request-URI is the remote target (loose routing: every route in the set is
    /// sent as Route), To the remote URI with its tag, From the local URI with ours, the dialog's Call-ID
    /// and the given CSeq. Via and Contact are the caller's.
    /// </summary>
    public SipMessageBuilder CreateRequest(string method, uint cseq, string via, string contact)
    {
        var b = SipMessageBuilder.Request(method, RemoteTarget.Raw)
            .Add(SipHeaderNames.Via, via)
            .Add(SipHeaderNames.MaxForwards, "70");
        foreach (var r in RouteSet)
        {
            b.Add(SipHeaderNames.Route, r);
        }

        b.Add(SipHeaderNames.From, LocalAddress + ";tag=" + LocalTag)
            .Add(SipHeaderNames.To, RemoteAddress + (RemoteTag.Length > 0 ? ";tag=" + RemoteTag : string.Empty))
            .Add(SipHeaderNames.CallId, CallId)
            .Add(SipHeaderNames.CSeq, cseq.ToString(CultureInfo.InvariantCulture) + " " + method);
        if (method is not ("ACK" or "CANCEL" or "BYE"))
        {
            b.Add(SipHeaderNames.Contact, contact);
        }

        return b;
    }

    /// <summary>The URI the next hop is taken from: the first route when there is one (§8.1.2 loose routing), else the remote target.</summary>
    public SipUri NextHop()
    {
        if (RouteSet.Count > 0 && SipAddress.TryParse(RouteSet[0], out var route))
        {
            return route!.Uri;
        }

        return RemoteTarget;
    }

    private static string WithoutTag(SipAddress address)
    {
        var copy = new SipAddress(address.Uri, address.DisplayName);
        foreach (var p in address.Parameters)
        {
            if (!string.Equals(p.Key, "tag", StringComparison.OrdinalIgnoreCase))
            {
                copy.Parameters.Add(p);
            }
        }

        return copy.ToString();
    }
}
