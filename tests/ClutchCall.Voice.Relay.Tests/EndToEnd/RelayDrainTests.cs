using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Transport;

namespace ClutchCall.Voice.Relay.Tests.EndToEnd;

public sealed class RelayDrainTests
{
    [Fact]
    public async Task Shutdown_SendsGoAwayToEverySession_ThenCloses()
    {
        var relay = new RelayHarness();
        var goAways = 0;
        var sessions = new List<MoqtSession>();
        for (var i = 0; i < 3; i++)
        {
            var connection = await relay.Connector.ConnectAsync(relay.Uri, new MoqtTransportConnectOptions(), TestContext.Current.CancellationToken);
            var session = await MoqtSession.ConnectAsync(connection, new MoqtSessionOptions(), TestContext.Current.CancellationToken);
            session.Start(new GoAwayCounter(() => Interlocked.Increment(ref goAways)));
            sessions.Add(session);
        }

        await Wait.UntilAsync(() => relay.Server.SessionCount == 3, what: "sessions");
        await relay.Server.ShutdownAsync(TimeSpan.FromMilliseconds(300));
        Assert.Equal(3, Volatile.Read(ref goAways));
        foreach (var s in sessions)
        {
            var info = await s.Completion.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            Assert.Equal(Moqt.Wire.MoqtSessionErrorCode.GoawayTimeout, info.Code);
        }
    }

    [Fact]
    public async Task Client_GoAway_MovesToANewSessionWithoutLosingItsSubscription()
    {
        await using var relay = new RelayHarness();
        var subscriber = await relay.ConnectAsync();
        var publisher = await relay.ConnectAsync();
        var track = Moqt.FullTrackName.Uplink("CAdrain");
        var got = new AudioCollector();
        await using var sub = await subscriber.SubscribeAudioAsync(track, got.Callback, TestContext.Current.CancellationToken);
        await using var pub = await publisher.PublishAudioAsync(track, TestContext.Current.CancellationToken);
        pub.Publish(SyntheticFrames.Frame(0), SyntheticFrames.NowUs());
        await got.WaitForCountAsync(1);

        var old = subscriber.Session!;
        await relay.Server.GoAwayAsync();
        await Wait.UntilAsync(() => subscriber.ConnectCount == 2 && subscriber.State == MoqtClientState.Connected, what: "move after GOAWAY");
        var i = 1;
        await Wait.UntilAsync(() =>
        {
            pub.Publish(SyntheticFrames.Frame(i), SyntheticFrames.NowUs());
            i++;
            return got.Count >= 3;
        }, what: "frames on the new session");
        await old.Completion.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
    }

    private sealed class GoAwayCounter(Action onGoAway) : MoqtSessionHandler
    {
        public override void OnGoAway(MoqtSession session, string newSessionUri) => onGoAway();
    }
}
