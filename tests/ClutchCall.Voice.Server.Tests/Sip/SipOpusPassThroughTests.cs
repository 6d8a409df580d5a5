using System.Collections.Concurrent;
using System.Net;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Server.Sip;
using ClutchCall.Voice.Server.Tests.Infrastructure;
using ClutchCall.Voice.Sip.Media;
using ClutchCall.Voice.Sip.UserAgent;
using Microsoft.Extensions.DependencyInjection;

namespace ClutchCall.Voice.Server.Tests.Sip;

/// <summary>
/// An Opus trunk: the far end is our own user agent offering only Opus, so the bridge passes RTP payloads to
/// and from the relay untranscoded. Through the real server and the SDK's audio bridge on loopback.
/// </summary>
public sealed class SipOpusPassThroughTests(PostgresServer postgres)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Originate_OpusTrunk_PassesAudioThroughBothWaysUntranscoded()
    {
        var ct = TestContext.Current.CancellationToken;
        var farRtp = 20000 + (Random.Shared.Next(0, 300) * 100);
        await using var farEnd = new SipUserAgent(
            new SipUserAgentOptions
            {
                BindAddress = IPAddress.Loopback,
                SipPort = 0,
                RtpPortMin = farRtp,
                RtpPortMax = farRtp + 99,
                Media = new SipMediaSettings { PcmSampleRate = 48000 },
            },
            [new SipTrunkOptions { Id = "server", Host = "127.0.0.1", Codecs = "opus" }],
            TimeProvider.System);
        var farCall = new TaskCompletionSource<SipCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        var heard = new ConcurrentQueue<double>();
        farEnd.IncomingCall += call =>
        {
            call.AcceptAsync().AsTask().GetAwaiter().GetResult();
            call.Media!.PcmReceived += (pcm, kind, _) =>
            {
                if (kind == SipFrameKind.Decoded)
                {
                    heard.Enqueue(OpusLevels.Rms(pcm));
                }
            };
            farCall.TrySetResult(call);
        };
        farEnd.Start();

        await using var server = await TestServer.StartAsync(Backend.Sqlite, postgres, settings: SipTestSettings.Server(farEnd.Port, "opus,PCMU", trunkId: "opus"));
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);

        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "+14155550100", From = "+14155550111", TrunkId = "opus" }, ct);
        var far = await farCall.Task.WaitAsync(Deadline, ct);
        Assert.Equal(AudioCodec.Opus, far.Media!.Codec);
        await WaitUntilAsync(async () => (await voice.Calls.GetAsync(call.Sid, ct)).Status == CallStatus.InProgress, "in progress");
        var bridges = server.Services.GetRequiredService<SipBridgeServices>();
        await WaitUntilAsync(() => Task.FromResult(bridges.Find(call.Sid)?.Bridge is not null), "the bridge joined the relay");
        Assert.True(bridges.Find(call.Sid)!.Bridge!.PassThrough);

        var uplink = new ConcurrentQueue<byte[]>();
        await using var bridge = await voice.AudioBridge.AttachAsync(call.Sid, new AudioBridgeOptions { OnUplink = f => uplink.Enqueue(f.Payload.ToArray()) }, ct);

        // The far end speaks a 440 Hz tone for 1.5 s while we publish a 300 Hz tone on downlink.
        using var downEncoder = new OpusEncoder(AudioFormat.Opus48Mono);
        var packet = new byte[1500];
        var pcm = new short[960];
        using (var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20)))
        {
            for (var f = 0; f < 75; f++)
            {
                Tone(pcm, f, 440);
                far.Media.SendPcm(pcm);
                Tone(pcm, f, 300);
                Assert.True(bridge.PublishDownlink(packet.AsSpan(0, downEncoder.Encode(pcm, packet))));
                await timer.WaitForNextTickAsync(ct);
            }
        }

        await WaitUntilAsync(() => Task.FromResult(OpusLevels.LoudestRms(uplink.ToArray()) > 2000), "the far end's tone on uplink");
        await WaitUntilAsync(() => Task.FromResult(heard.Count(r => r > 2000) >= 10), "our downlink tone at the far end");

        await call.HangupAsync(ct);
        var end = await far.Completion.WaitAsync(Deadline, ct);
        Assert.Equal(SipCallOutcome.Completed, end.Outcome);
        Assert.True(end.ByRemote);
        Assert.Equal(CallStatus.Completed, (await voice.Calls.GetAsync(call.Sid, ct)).Status);
    }

    private static void Tone(short[] pcm, int frame, double hz)
    {
        for (var i = 0; i < pcm.Length; i++)
        {
            pcm[i] = (short)(12000 * Math.Sin(2 * Math.PI * hz * ((frame * pcm.Length) + i) / 48000));
        }
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => Poll.UntilAsync(condition, what, Deadline);
}
