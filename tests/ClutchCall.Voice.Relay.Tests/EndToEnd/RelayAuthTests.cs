using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Relay.Access;
using ClutchCall.Voice.Relay.Auth;

namespace ClutchCall.Voice.Relay.Tests.EndToEnd;

public sealed class RelayAuthTests
{
    private static readonly RelayTokenKey Key = RelayTokenKey.CreateRandom();

    private static string TokenFor(IReadOnlyList<RelayTrackGrant> grants) =>
        new RelayTokenIssuer(Key, TimeProvider.System).Issue("org1", grants, TimeSpan.FromMinutes(5)).Token;

    private static RelayHarness NewRelay() => new(new TokenRelayAuthorizer(new RelayTokenValidator(Key)));

    [Fact]
    public async Task Subscribe_OtherSidWithTokenForOneSid_RefusedUnauthorizedAndSessionGoesOn()
    {
        await using var relay = NewRelay();
        var caller = await relay.ConnectAsync(TokenFor(RelayTrackGrant.CallerSide("CA1")));
        var server = await relay.ConnectAsync(TokenFor(RelayTrackGrant.ServerSide("CA1")));

        var refused = await Assert.ThrowsAsync<MoqtRequestException>(async () =>
            await caller.SubscribeAudioAsync(FullTrackName.Downlink("CA2"), _ => { }, TestContext.Current.CancellationToken));
        Assert.Equal(MoqtMessageType.SubscribeError, refused.Response);
        Assert.Equal((ulong)MoqtSubscribeErrorCode.Unauthorized, refused.ErrorCode);

        // Publishing the wrong direction of its own call is refused too.
        var wrongWay = await Assert.ThrowsAsync<MoqtRequestException>(async () =>
            await caller.PublishAudioAsync(FullTrackName.Downlink("CA1"), TestContext.Current.CancellationToken));
        Assert.Equal(MoqtMessageType.PublishError, wrongWay.Response);
        Assert.Equal((ulong)MoqtPublishErrorCode.Unauthorized, wrongWay.ErrorCode);

        // The same session still does what its grant allows.
        var got = new AudioCollector();
        await using var sub = await server.SubscribeAudioAsync(FullTrackName.Uplink("CA1"), got.Callback, TestContext.Current.CancellationToken);
        await using var pub = await caller.PublishAudioAsync(FullTrackName.Uplink("CA1"), TestContext.Current.CancellationToken);
        pub.Publish(SyntheticFrames.Frame(3), SyntheticFrames.NowUs());
        await got.WaitForCountAsync(1);
        Assert.Equal(SyntheticFrames.Frame(3), got.Items[0].Payload);
    }

    [Fact]
    public async Task Setup_WithoutOrWithBadToken_ClosedUnauthorized()
    {
        await using var relay = NewRelay();
        await Assert.ThrowsAnyAsync<Exception>(async () => await relay.ConnectAsync(token: null));
        foreach (var token in new[] { "not.a.jwt", TokenFor(RelayTrackGrant.CallerSide("CA1"))[..^4] + "AAAA" })
        {
            var connection = await relay.Connector.ConnectAsync(relay.Uri, new(), TestContext.Current.CancellationToken);
            var closed = await Assert.ThrowsAnyAsync<Exception>(async () =>
                await MoqtSession.ConnectAsync(connection, new MoqtSessionOptions { AuthorizationToken = token }, TestContext.Current.CancellationToken));
            var info = await connection.Closed.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            Assert.Equal((long)MoqtSessionErrorCode.Unauthorized, info.ErrorCode);
        }

        await Wait.UntilAsync(() => relay.Server.SetupFailures == 3, what: "setup failures counted");
        Assert.Equal(0, relay.Server.SessionCount);
    }

    [Fact]
    public async Task Setup_TokenInUrlQuery_Accepted()
    {
        await using var relay = NewRelay();
        var token = TokenFor(RelayTrackGrant.CallerSide("CA9"));
        var connection = await relay.Connector.ConnectAsync(new Uri(relay.Uri + "?jwt=" + Uri.EscapeDataString(token)), new(), TestContext.Current.CancellationToken);
        var session = await MoqtSession.ConnectAsync(connection, new MoqtSessionOptions(), TestContext.Current.CancellationToken);
        session.Start(new MoqtSessionHandler());
        await Wait.UntilAsync(() => relay.Server.SessionCount == 1, what: "session");
        var status = await Assert.ThrowsAsync<MoqtRequestException>(async () =>
            await session.TrackStatusAsync(FullTrackName.Downlink("CA9"), TestContext.Current.CancellationToken));
        Assert.Equal((ulong)MoqtSubscribeErrorCode.TrackDoesNotExist, status.ErrorCode);
        await session.CloseAsync(MoqtSessionErrorCode.NoError, "done");
    }
}
