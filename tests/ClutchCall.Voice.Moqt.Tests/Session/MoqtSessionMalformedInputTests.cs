using ClutchCall.Voice.Moqt.Session;
using ClutchCall.Voice.Moqt.Wire;
using ClutchCall.Voice.Moqt.Wire.Messages;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Moqt.Tests.Session;

public sealed class MoqtSessionMalformedInputTests
{
    private static readonly FullTrackName Track = FullTrackName.Uplink("CA1");

    private static byte[] Publish(ulong requestId, ulong alias) => SessionTestPeer.Frame(new PublishMessage { RequestId = requestId, Track = Track, TrackAlias = alias });

    [Fact]
    public async Task Setup_ControlMessageBeforeSetup_ClosesWithProtocolViolation()
    {
        var peer = SessionTestPeer.Create();
        await peer.OpenControlAsync();
        await peer.WriteControlAsync(SessionTestPeer.Frame(new SubscribeMessage { RequestId = 0, Track = Track }));
        Assert.Equal((long)MoqtSessionErrorCode.ProtocolViolation, await peer.CloseCodeAsync());
        await Assert.ThrowsAnyAsync<Exception>(() => peer.ServerSession!);
    }

    [Fact]
    public async Task Setup_NoCommonVersion_ClosesWithVersionNegotiationFailed()
    {
        var peer = SessionTestPeer.Create();
        await peer.OpenControlAsync();
        await peer.WriteControlAsync(SessionTestPeer.ClientSetup((MoqtVersion)0xff000001));
        Assert.Equal((long)MoqtSessionErrorCode.VersionNegotiationFailed, await peer.CloseCodeAsync());
    }

    [Fact]
    public async Task Setup_UniStreamFirst_ClosesWithProtocolViolation()
    {
        var peer = SessionTestPeer.Create();
        await peer.OpenUniAsync(SessionTestPeer.ClientSetup());
        Assert.Equal((long)MoqtSessionErrorCode.ProtocolViolation, await peer.CloseCodeAsync());
    }

    [Fact]
    public async Task Control_UnknownMessageType_ClosesWithProtocolViolation()
    {
        var peer = SessionTestPeer.Create();
        await peer.SetupAsync();
        await peer.WriteControlAsync(new byte[] { 0x3f, 0x00, 0x00 });
        Assert.Equal((long)MoqtSessionErrorCode.ProtocolViolation, await peer.CloseCodeAsync());
    }

    [Fact]
    public async Task Control_TruncatedVarintThenFin_ClosesWithProtocolViolation()
    {
        var peer = SessionTestPeer.Create();
        await peer.SetupAsync();
        await peer.WriteControlAsync(new byte[] { 0x40 });
        await peer.Control!.CompleteWritesAsync();
        Assert.Equal((long)MoqtSessionErrorCode.ProtocolViolation, await peer.CloseCodeAsync());
    }

    [Fact]
    public async Task Control_LengthPastLimit_ClosesWithProtocolViolationBeforeBuffering()
    {
        var peer = SessionTestPeer.Create(new MoqtSessionOptions { MaxControlMessageBytes = 1024 });
        await peer.SetupAsync();
        await peer.WriteControlAsync(new byte[] { 0x03, 0xff, 0xff });
        Assert.Equal((long)MoqtSessionErrorCode.ProtocolViolation, await peer.CloseCodeAsync());
    }

    [Fact]
    public async Task Control_SecondSetup_ClosesWithProtocolViolation()
    {
        var peer = SessionTestPeer.Create();
        await peer.SetupAsync();
        await peer.WriteControlAsync(SessionTestPeer.ClientSetup());
        Assert.Equal((long)MoqtSessionErrorCode.ProtocolViolation, await peer.CloseCodeAsync());
    }

    [Fact]
    public async Task Control_ServerParityRequestId_ClosesWithInvalidRequestId()
    {
        var peer = SessionTestPeer.Create();
        await peer.SetupAsync();
        await peer.WriteControlAsync(SessionTestPeer.Frame(new SubscribeMessage { RequestId = 1, Track = Track }));
        Assert.Equal((long)MoqtSessionErrorCode.InvalidRequestId, await peer.CloseCodeAsync());
    }

    [Fact]
    public async Task Control_GoAwayFromClient_ClosesWithProtocolViolation()
    {
        var peer = SessionTestPeer.Create();
        await peer.SetupAsync();
        await peer.WriteControlAsync(SessionTestPeer.Frame(new GoAwayMessage()));
        Assert.Equal((long)MoqtSessionErrorCode.ProtocolViolation, await peer.CloseCodeAsync());
    }

    [Fact]
    public async Task Control_ControlStreamClosed_ClosesWithProtocolViolation()
    {
        var peer = SessionTestPeer.Create();
        await peer.SetupAsync();
        await peer.Control!.CompleteWritesAsync();
        Assert.Equal((long)MoqtSessionErrorCode.ProtocolViolation, await peer.CloseCodeAsync());
    }

    [Fact]
    public async Task Control_DuplicateTrackAlias_ClosesWithDuplicateTrackAlias()
    {
        var peer = SessionTestPeer.Create();
        await peer.SetupAsync();
        await peer.WriteControlAsync(SessionTestPeer.Concat(Publish(0, 9), Publish(2, 9)));
        Assert.Equal((long)MoqtSessionErrorCode.DuplicateTrackAlias, await peer.CloseCodeAsync());
    }

    [Fact]
    public async Task Control_MessageStalledHalfway_ClosesWithControlMessageTimeout()
    {
        var time = new FakeTimeProvider();
        var peer = SessionTestPeer.Create(new MoqtSessionOptions { Time = time, ControlMessageTimeout = TimeSpan.FromSeconds(5) });
        await peer.SetupAsync();
        var frame = SessionTestPeer.Frame(new SubscribeMessage { RequestId = 0, Track = Track });
        await peer.WriteControlAsync(frame.AsMemory(0, frame.Length - 3));
        var code = await peer.CloseCodeAsync(() => time.Advance(TimeSpan.FromSeconds(1)));
        Assert.Equal((long)MoqtSessionErrorCode.ControlMessageTimeout, code);
    }

    [Fact]
    public async Task Data_StreamStalledMidObject_ClosesWithDataStreamTimeout()
    {
        var time = new FakeTimeProvider();
        var peer = SessionTestPeer.Create(new MoqtSessionOptions { Time = time, DataStreamTimeout = TimeSpan.FromSeconds(5) });
        await peer.SetupAsync();
        await peer.WriteControlAsync(Publish(0, 4));
        await peer.OpenUniAsync(SessionTestPeer.SubgroupStream(4, 0, 200, completeObject: false));
        var code = await peer.CloseCodeAsync(() => time.Advance(TimeSpan.FromSeconds(1)));
        Assert.Equal((long)MoqtSessionErrorCode.DataStreamTimeout, code);
    }

    [Fact]
    public async Task Data_ObjectPastSizeLimit_ClosesWithProtocolViolation()
    {
        var peer = SessionTestPeer.Create(new MoqtSessionOptions { MaxObjectBytes = 1000 });
        await peer.SetupAsync();
        await peer.WriteControlAsync(Publish(0, 4));
        await peer.OpenUniAsync(SessionTestPeer.SubgroupStream(4, 0, 5000, completeObject: false));
        Assert.Equal((long)MoqtSessionErrorCode.ProtocolViolation, await peer.CloseCodeAsync());
    }

    [Fact]
    public async Task Data_StreamEndsInsideObject_ClosesWithProtocolViolation()
    {
        var peer = SessionTestPeer.Create();
        await peer.SetupAsync();
        await peer.WriteControlAsync(Publish(0, 4));
        var s = await peer.OpenUniAsync(SessionTestPeer.SubgroupStream(4, 0, 200, completeObject: false));
        await s.CompleteWritesAsync();
        Assert.Equal((long)MoqtSessionErrorCode.ProtocolViolation, await peer.CloseCodeAsync());
    }

    [Fact]
    public async Task Data_UnknownStreamType_ClosesWithProtocolViolation()
    {
        var peer = SessionTestPeer.Create();
        await peer.SetupAsync();
        await peer.OpenUniAsync(new byte[] { 0x3a, 1, 2, 3 });
        Assert.Equal((long)MoqtSessionErrorCode.ProtocolViolation, await peer.CloseCodeAsync());
    }

    [Fact]
    public async Task Data_SecondBidirectionalStream_ClosesWithProtocolViolation()
    {
        var peer = SessionTestPeer.Create();
        await peer.SetupAsync();
        var extra = await peer.Client.OpenBidirectionalStreamAsync(TestContext.Current.CancellationToken);
        await extra.Output!.WriteAsync(new byte[] { 1 }, TestContext.Current.CancellationToken);
        Assert.Equal((long)MoqtSessionErrorCode.ProtocolViolation, await peer.CloseCodeAsync());
    }

    [Fact]
    public async Task Data_WellFormedObjects_AreDelivered()
    {
        var handler = new SessionTestPeer.AcceptingHandler();
        var peer = SessionTestPeer.Create(handler: handler);
        await peer.SetupAsync();
        await peer.WriteControlAsync(Publish(0, 4));
        var s = await peer.OpenUniAsync(SessionTestPeer.SubgroupStream(4, 0, 100));
        await s.CompleteWritesAsync();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (handler.Objects < 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, handler.Objects);
        Assert.False(peer.Client.Closed.IsCompleted);
    }
}
