using System.Collections.Concurrent;
using System.Diagnostics;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Relay.Auth;
using ClutchCall.Voice.Server.Calls.Simulated;
using ClutchCall.Voice.Server.Relay;

namespace ClutchCall.Voice.Server.Tests.Agents;

/// <summary>What the far end of one test call heard on downlink.</summary>
internal sealed class CalleeLine
{
    public ConcurrentQueue<(byte[] Payload, long TimestampUs, long ArrivedAt)> Downlink { get; } = new();

    public TaskCompletionSource Joined { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long UplinkFrames;
}

/// <summary>
/// The test line's far end for agent tests, joined to the relay as the caller side exactly like the built-in
/// line (caller-side token, in-memory MoQT client, shared media clock): <c>sim:speech</c> speaks one real
/// LibriVox sentence after a second of silence and then stays silent (silence frames keep flowing, as from a
/// phone), recording every downlink object; <c>sim:echo</c> answers silently without joining the relay.
/// </summary>
internal sealed class LibriVoxCallee(RelayTokenIssuer issuer, InProcessRelay relay, MediaClock clock, byte[][] speech, byte[] silence) : ISimulatedCallee
{
    public const int LeadingSilenceFrames = 50;

    public ConcurrentDictionary<string, CalleeLine> Lines { get; } = new(StringComparer.Ordinal);

    public async Task RunAsync(SimulatedCallContext context, CancellationToken callEnded)
    {
        var line = Lines.GetOrAdd(context.CallSid, _ => new CalleeLine());
        if (context.Line == SimulatedLine.Echo)
        {
            line.Joined.TrySetResult();
            await WaitEndAsync(callEnded);
            return;
        }

        var token = issuer.Issue(context.OrgId, RelayTrackGrant.CallerSide(context.CallSid), RelayTokenIssuer.MaxTtl).Token;
        var client = await MoqtClient.ConnectAsync(new MoqtClientOptions
        {
            Endpoints = [new MoqtClientEndpoint(relay.Network.CreateConnector(), relay.Uri)],
            AuthorizationToken = token,
        }, callEnded);
        await using (client)
        {
            var uplink = await client.PublishAudioAsync(FullTrackName.Uplink(context.CallSid), callEnded);
            var downlink = await client.SubscribeAudioAsync(
                FullTrackName.Downlink(context.CallSid),
                o => line.Downlink.Enqueue((o.Payload.ToArray(), o.CaptureTimestampUs, Stopwatch.GetTimestamp())),
                callEnded);
            line.Joined.TrySetResult();
            var player = new Player(uplink, speech, silence, line);
            using (clock.Register(player))
            {
                await WaitEndAsync(callEnded);
            }

            await downlink.DisposeAsync();
            await uplink.DisposeAsync();
        }
    }

    /// <summary>Encodes 16 kHz PCM as 48 kHz Opus frames, as a phone bridge would publish it.</summary>
    public static byte[][] Encode(short[] pcm16k)
    {
        var resampler = new Resampler(16000, 48000);
        var up = new short[Resampler.MaxOutput(16000, 48000, pcm16k.Length) + 16];
        var n = resampler.Process(pcm16k, up);
        using var encoder = new OpusEncoder(new AudioFormat(48000, 1));
        var frames = new List<byte[]>();
        var packet = new byte[1500];
        var frame = new short[960];
        for (var i = 0; i < n; i += 960)
        {
            Array.Clear(frame);
            up.AsSpan(i, Math.Min(960, n - i)).CopyTo(frame);
            frames.Add(packet.AsSpan(0, encoder.Encode(frame, packet)).ToArray());
        }

        return [.. frames];
    }

    private static async Task WaitEndAsync(CancellationToken callEnded)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, callEnded);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class Player(AudioTrackPublication uplink, byte[][] speech, byte[] silence, CalleeLine line) : IMediaClockSubscriber
    {
        private long _next;

        public void OnTick(in MediaClockTick tick)
        {
            var i = _next++ - LeadingSilenceFrames;
            var frame = i >= 0 && i < speech.Length ? speech[i] : silence;
            uplink.Publish(frame, (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / 10);
            Interlocked.Increment(ref line.UplinkFrames);
        }
    }
}
