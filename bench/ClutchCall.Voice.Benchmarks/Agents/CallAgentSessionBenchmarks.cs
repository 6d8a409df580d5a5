using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Agents;
using ClutchCall.Voice.Agents.Pipeline;
using ClutchCall.Voice.Agents.Runtime;
using ClutchCall.Voice.Media;

namespace ClutchCall.Voice.Benchmarks.Agents;

/// <summary>
/// An agent session's own per-frame cost, speech engines excluded (stand-ins that do no work): one caller
/// Opus object in (decode to 16 kHz, VAD, turn detection), one reply frame out (16 → 48 kHz resample, Opus
/// encode, publish), and an idle media-clock tick. The Opus codec is part of the measured path; STT/TTS are not.
/// </summary>
[MemoryDiagnoser]
public class CallAgentSessionBenchmarks
{
    private readonly AgentBenchSupport.CountingPublisher _publisher = new();
    private readonly short[] _reply = new short[CallSpeechPipeline.FrameSamples];
    private CallAgentSession _session = null!;
    private DownlinkAudioEncoder _encoder = null!;
    private MediaClock _clock = null!;
    private byte[] _quietPacket = null!;
    private long _tick;
    private long _ts = 1_000_000;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(7);
        var noise = new short[320];
        for (var i = 0; i < noise.Length; i++)
        {
            noise[i] = (short)rng.Next(-40, 40); // line noise well below speech: the VAD and turn detector run, no engine starts
        }

        _quietPacket = AgentBenchSupport.Encode(noise)[0];
        for (var i = 0; i < _reply.Length; i++)
        {
            _reply[i] = (short)(6000 * Math.Sin(2 * Math.PI * 220 * i / 16000.0));
        }

        _clock = new MediaClock(TimeProvider.System); // never started: ticks are delivered by hand
        var setup = new CallAgentSessionSetup("CAbench", EchoAgent.Kind, new EchoAgent(), new AgentBenchSupport.FixedStt(AgentBenchSupport.Sentence), new AgentBenchSupport.PreparedTts(new short[16000]), _clock, TimeProvider.System);
        _session = CallAgentSession.CreateDetached(setup, _publisher, new AgentBenchSupport.NullObserver(), metrics: null);
        _encoder = new DownlinkAudioEncoder(_publisher, TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _encoder.Dispose();
        _clock.Dispose();
    }

    /// <summary>A caller frame on a quiet line: Opus decode at 16 kHz, VAD, turn detection, pre-roll.</summary>
    [Benchmark]
    public void CallerFrameIn() => _session.PushUplink(_quietPacket, _ts += 20_000, 0);

    /// <summary>A reply frame: resample 16 → 48 kHz, Opus encode, publish with its deadline timestamp.</summary>
    [Benchmark]
    public void ReplyFrameOut()
    {
        var tick = new MediaClockTick(++_tick, TimeSpan.FromMilliseconds(20 * _tick), TimeSpan.Zero);
        _encoder.BeginTick(tick);
        _encoder.OnFrame(_reply, tick.Index);
    }

    /// <summary>A media-clock tick with nothing to say (what most ticks of a call are).</summary>
    [Benchmark]
    public void IdleTick() => _session.OnTick(new MediaClockTick(++_tick, TimeSpan.FromMilliseconds(20 * _tick), TimeSpan.Zero));
}
