using System.Text;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;

namespace ClutchCall.Voice.Moqt.Tests.Wire;

/// <summary>Random but valid control messages of every type, for round-trip and fuzz tests.</summary>
internal static class RandomMessages
{
    public static MoqtControlMessage Create(Random rng, MoqtMessageType type) => type switch
    {
        MoqtMessageType.ClientSetup => new ClientSetupMessage
        {
            SupportedVersions = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => (MoqtVersion)(0xff000000UL + (ulong)rng.Next(0, 40))).ToArray(),
            Parameters = SetupParams(rng),
        },
        MoqtMessageType.ServerSetup => new ServerSetupMessage { SelectedVersion = MoqtVersion.Draft14, Parameters = SetupParams(rng) },
        MoqtMessageType.GoAway => new GoAwayMessage { NewSessionUri = Text(rng, 60) },
        MoqtMessageType.MaxRequestId => new MaxRequestIdMessage { RequestId = V(rng) },
        MoqtMessageType.RequestsBlocked => new RequestsBlockedMessage { MaximumRequestId = V(rng) },
        MoqtMessageType.Subscribe => new SubscribeMessage
        {
            RequestId = V(rng),
            Track = Track(rng),
            SubscriberPriority = (byte)rng.Next(256),
            GroupOrder = Order(rng, allowZero: true),
            Forward = rng.Next(2) == 1,
            Filter = Filter(rng),
            Parameters = Params(rng),
        },
        MoqtMessageType.SubscribeOk => new SubscribeOkMessage
        {
            RequestId = V(rng),
            TrackAlias = V(rng),
            Expires = V(rng),
            GroupOrder = Order(rng),
            LargestLocation = OptLoc(rng),
            Parameters = Params(rng),
        },
        MoqtMessageType.SubscribeError => new SubscribeErrorMessage { RequestId = V(rng), ErrorCode = (MoqtSubscribeErrorCode)V(rng), ReasonPhrase = Text(rng, 40) },
        MoqtMessageType.SubscribeUpdate => new SubscribeUpdateMessage
        {
            RequestId = V(rng),
            SubscriptionRequestId = V(rng),
            StartLocation = Loc(rng),
            EndGroup = V(rng),
            SubscriberPriority = (byte)rng.Next(256),
            Forward = rng.Next(2) == 1,
            Parameters = Params(rng),
        },
        MoqtMessageType.Unsubscribe => new UnsubscribeMessage { RequestId = V(rng) },
        MoqtMessageType.PublishDone => new PublishDoneMessage
        {
            RequestId = V(rng),
            StatusCode = (MoqtPublishDoneCode)V(rng),
            StreamCount = V(rng),
            ReasonPhrase = Text(rng, 40),
        },
        MoqtMessageType.Publish => new PublishMessage
        {
            RequestId = V(rng),
            Track = Track(rng),
            TrackAlias = V(rng),
            GroupOrder = Order(rng),
            LargestLocation = OptLoc(rng),
            Forward = rng.Next(2) == 1,
            Parameters = Params(rng),
        },
        MoqtMessageType.PublishOk => new PublishOkMessage
        {
            RequestId = V(rng),
            Forward = rng.Next(2) == 1,
            SubscriberPriority = (byte)rng.Next(256),
            GroupOrder = Order(rng),
            Filter = Filter(rng),
            Parameters = Params(rng),
        },
        MoqtMessageType.PublishError => new PublishErrorMessage { RequestId = V(rng), ErrorCode = (MoqtPublishErrorCode)V(rng), ReasonPhrase = Text(rng, 40) },
        MoqtMessageType.Fetch => rng.Next(2) == 0
            ? new FetchMessage
            {
                RequestId = V(rng),
                SubscriberPriority = (byte)rng.Next(256),
                GroupOrder = Order(rng, allowZero: true),
                FetchType = MoqtFetchType.Standalone,
                Track = Track(rng),
                StartLocation = Loc(rng),
                EndLocation = Loc(rng),
                Parameters = Params(rng),
            }
            : new FetchMessage
            {
                RequestId = V(rng),
                SubscriberPriority = (byte)rng.Next(256),
                GroupOrder = Order(rng, allowZero: true),
                FetchType = rng.Next(2) == 0 ? MoqtFetchType.RelativeJoining : MoqtFetchType.AbsoluteJoining,
                JoiningRequestId = V(rng),
                JoiningStart = V(rng),
                Parameters = Params(rng),
            },
        MoqtMessageType.FetchOk => new FetchOkMessage
        {
            RequestId = V(rng),
            GroupOrder = Order(rng),
            EndOfTrack = rng.Next(2) == 1,
            EndLocation = Loc(rng),
            Parameters = Params(rng),
        },
        MoqtMessageType.FetchError => new FetchErrorMessage { RequestId = V(rng), ErrorCode = (MoqtFetchErrorCode)V(rng), ReasonPhrase = Text(rng, 40) },
        MoqtMessageType.FetchCancel => new FetchCancelMessage { RequestId = V(rng) },
        MoqtMessageType.TrackStatus => new TrackStatusMessage
        {
            RequestId = V(rng),
            Track = Track(rng),
            SubscriberPriority = (byte)rng.Next(256),
            GroupOrder = Order(rng, allowZero: true),
            Forward = rng.Next(2) == 1,
            Filter = Filter(rng),
            Parameters = Params(rng),
        },
        MoqtMessageType.TrackStatusOk => new TrackStatusOkMessage
        {
            RequestId = V(rng),
            TrackAlias = V(rng),
            Expires = V(rng),
            GroupOrder = Order(rng),
            LargestLocation = OptLoc(rng),
            Parameters = Params(rng),
        },
        MoqtMessageType.TrackStatusError => new TrackStatusErrorMessage { RequestId = V(rng), ErrorCode = (MoqtSubscribeErrorCode)V(rng), ReasonPhrase = Text(rng, 40) },
        MoqtMessageType.PublishNamespace => new PublishNamespaceMessage { RequestId = V(rng), Namespace = Ns(rng), Parameters = Params(rng) },
        MoqtMessageType.PublishNamespaceOk => new PublishNamespaceOkMessage { RequestId = V(rng), Parameters = rng.Next(2) == 0 ? null : Params(rng) },
        MoqtMessageType.PublishNamespaceError => new PublishNamespaceErrorMessage
        {
            RequestId = V(rng),
            ErrorCode = (MoqtPublishNamespaceErrorCode)V(rng),
            ReasonPhrase = Text(rng, 40),
        },
        MoqtMessageType.PublishNamespaceDone => new PublishNamespaceDoneMessage { Namespace = Ns(rng) },
        MoqtMessageType.PublishNamespaceCancel => new PublishNamespaceCancelMessage
        {
            Namespace = Ns(rng),
            ErrorCode = (MoqtPublishNamespaceErrorCode)V(rng),
            ReasonPhrase = Text(rng, 40),
        },
        MoqtMessageType.SubscribeNamespace => new SubscribeNamespaceMessage { RequestId = V(rng), NamespacePrefix = Ns(rng), Parameters = Params(rng) },
        MoqtMessageType.SubscribeNamespaceOk => new SubscribeNamespaceOkMessage { RequestId = V(rng), Parameters = rng.Next(2) == 0 ? null : Params(rng) },
        MoqtMessageType.SubscribeNamespaceError => new SubscribeNamespaceErrorMessage
        {
            RequestId = V(rng),
            ErrorCode = (MoqtSubscribeNamespaceErrorCode)V(rng),
            ReasonPhrase = Text(rng, 40),
        },
        MoqtMessageType.UnsubscribeNamespace => new UnsubscribeNamespaceMessage { NamespacePrefix = Ns(rng) },
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>A varint value of a random magnitude (1, 2, 4 or 8 bytes).</summary>
    public static ulong V(Random rng) => rng.Next(4) switch
    {
        0 => (ulong)rng.Next(64),
        1 => (ulong)rng.Next(16384),
        2 => (ulong)rng.NextInt64(1L << 30),
        _ => (ulong)rng.NextInt64(1L << 62),
    };

    private static string Text(Random rng, int max)
    {
        var chars = new char[rng.Next(max)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)rng.Next(0x20, 0x7f);
        }

        return new string(chars);
    }

    private static TrackNamespace Ns(Random rng) =>
        TrackNamespace.FromStrings(Enumerable.Range(0, rng.Next(1, 5)).Select(_ => Text(rng, 12)).ToArray());

    private static FullTrackName Track(Random rng) => new(Ns(rng), Text(rng, 16));

    private static Location Loc(Random rng) => new(V(rng), V(rng));

    private static Location? OptLoc(Random rng) => rng.Next(2) == 0 ? null : Loc(rng);

    private static MoqtGroupOrder Order(Random rng, bool allowZero = false) => (MoqtGroupOrder)rng.Next(allowZero ? 0 : 1, 3);

    private static MoqtSubscriptionFilter Filter(Random rng) => rng.Next(4) switch
    {
        0 => MoqtSubscriptionFilter.NextGroupStart,
        1 => MoqtSubscriptionFilter.LargestObject,
        2 => MoqtSubscriptionFilter.AbsoluteStart(Loc(rng)),
        _ => MoqtSubscriptionFilter.AbsoluteRange(Loc(rng), V(rng)),
    };

    private static MoqtAuthorizationToken Token(Random rng) => (MoqtTokenAliasType)rng.Next(4) switch
    {
        MoqtTokenAliasType.Delete => new MoqtAuthorizationToken { AliasType = MoqtTokenAliasType.Delete, Alias = V(rng) },
        MoqtTokenAliasType.UseAlias => new MoqtAuthorizationToken { AliasType = MoqtTokenAliasType.UseAlias, Alias = V(rng) },
        MoqtTokenAliasType.Register => new MoqtAuthorizationToken
        {
            AliasType = MoqtTokenAliasType.Register,
            Alias = V(rng),
            TokenType = V(rng),
            Value = Encoding.UTF8.GetBytes(Text(rng, 30)),
        },
        _ => MoqtAuthorizationToken.UseValue(V(rng), Encoding.UTF8.GetBytes(Text(rng, 30))),
    };

    private static MoqtParameters Params(Random rng)
    {
        var tokens = Enumerable.Range(0, rng.Next(3)).Select(_ => Token(rng)).ToArray();
        var p = MoqtParameters.ForMessage(rng.Next(2) == 0 ? V(rng) : null, rng.Next(2) == 0 ? V(rng) : null, tokens);
        if (rng.Next(3) == 0)
        {
            // Unknown parameters survive the round trip, in order, duplicates allowed.
            var unknown = new byte[rng.Next(8)];
            rng.NextBytes(unknown);
            p = new MoqtParameters([.. p, MoqtParameter.FromBytes(0x21, unknown), MoqtParameter.Varint(0x40, V(rng)), MoqtParameter.FromBytes(0x21, unknown)]);
        }

        return p;
    }

    private static MoqtParameters SetupParams(Random rng) => MoqtParameters.ForSetup(
        rng.Next(2) == 0 ? "/" + Text(rng, 20) : null,
        rng.Next(2) == 0 ? V(rng) : null,
        rng.Next(2) == 0 ? V(rng) : null,
        rng.Next(2) == 0 ? Text(rng, 20) : null,
        Enumerable.Range(0, rng.Next(2)).Select(_ => Token(rng)));
}
