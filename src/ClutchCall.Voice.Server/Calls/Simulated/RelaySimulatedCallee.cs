using ClutchCall.Voice.Media;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Audio;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Relay.Auth;
using ClutchCall.Voice.Server.Relay;
using Microsoft.Extensions.Logging;

namespace ClutchCall.Voice.Server.Calls.Simulated;

/// <summary>
/// The test line's far end as a MoQT client of the in-process relay (in-memory transport, caller-side token):
/// it publishes <c>voice/&lt;sid&gt;/uplink</c> and subscribes <c>voice/&lt;sid&gt;/downlink</c>.
/// <c>sim:speech</c> loops a synthesized sentence on uplink; <c>sim:echo</c> speaks a greeting once and
/// republishes every downlink object on uplink unchanged (payload and capture timestamp).
/// Frames are paced by the shared <see cref="MediaClock"/> (absolute 20 ms deadlines).
/// </summary>
internal sealed partial class RelaySimulatedCallee(
    RelayTokenIssuer issuer,
    InProcessRelay relay,
    MediaClock clock,
    SpeechFrames prompts,
    TimeProvider time,
    ILogger<RelaySimulatedCallee> logger) : ISimulatedCallee
{
    public async Task RunAsync(SimulatedCallContext context, CancellationToken callEnded)
    {
        var sid = context.CallSid;
        var frames = context.Line == SimulatedLine.Speech
            ? await prompts.SpeechAsync().WaitAsync(callEnded).ConfigureAwait(false)
            : await prompts.GreetingAsync().WaitAsync(callEnded).ConfigureAwait(false);

        // The line lives as long as the call; the token only has to outlive reconnects, so take the longest allowed.
        var token = issuer.Issue(context.OrgId, RelayTrackGrant.CallerSide(sid), RelayTokenIssuer.MaxTtl).Token;
        var client = await MoqtClient.ConnectAsync(new MoqtClientOptions
        {
            Endpoints = [new MoqtClientEndpoint(relay.Network.CreateConnector(), relay.Uri)],
            AuthorizationToken = token,
        }, callEnded).ConfigureAwait(false);
        await using (client.ConfigureAwait(false))
        {
            var uplink = await client.PublishAudioAsync(FullTrackName.Uplink(sid), callEnded).ConfigureAwait(false);
            AudioTrackSubscription? downlink = null;
            if (context.Line == SimulatedLine.Echo)
            {
                downlink = await client.SubscribeAudioAsync(FullTrackName.Downlink(sid), o => Echo(uplink, o), callEnded).ConfigureAwait(false);
            }

            LogLineUp(sid, context.Line, frames.Length);
            var player = new PromptPlayer(uplink, frames, loop: context.Line == SimulatedLine.Speech, time);
            using (clock.Register(player))
            {
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, time, callEnded).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (callEnded.IsCancellationRequested)
                {
                }
            }

            if (downlink is not null)
            {
                await downlink.DisposeAsync().ConfigureAwait(false);
            }

            await uplink.DisposeAsync().ConfigureAwait(false);
            LogLineDown(sid, player.Played, downlink?.Received ?? 0);
        }
    }

    private void Echo(AudioTrackPublication uplink, in AudioObject received) =>
        uplink.Publish(received.Payload.Span, received.CaptureTimestampUs >= 0 ? received.CaptureTimestampUs : UnixMicros(time));

    internal static long UnixMicros(TimeProvider time) => (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>Publishes one prepared frame per clock tick; stops after the last frame unless looping.</summary>
    private sealed class PromptPlayer(AudioTrackPublication uplink, byte[][] frames, bool loop, TimeProvider time) : IMediaClockSubscriber
    {
        private long _next;

        public long Played => Interlocked.Read(ref _next);

        public void OnTick(in MediaClockTick tick)
        {
            var next = Interlocked.Read(ref _next);
            if (frames.Length == 0 || (!loop && next >= frames.Length))
            {
                return;
            }

            uplink.Publish(frames[next % frames.Length], UnixMicros(time));
            Interlocked.Increment(ref _next);
        }
    }

    [LoggerMessage(EventId = 4211, Level = LogLevel.Debug, Message = "Test line {Line} joined the relay for call {CallSid} ({Frames} prompt frames)")]
    private partial void LogLineUp(string callSid, SimulatedLine line, int frames);

    [LoggerMessage(EventId = 4212, Level = LogLevel.Debug, Message = "Test line left call {CallSid}: {Played} prompt frames played, {Echoed} downlink frames received")]
    private partial void LogLineDown(string callSid, long played, long echoed);
}
