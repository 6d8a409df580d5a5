using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using ClutchCall.Voice.Agents;
using ClutchCall.Voice.Agents.Runtime;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Speech.Espeak;
using ClutchCall.Voice.Speech.PocketSphinx;
using ClutchCall.Voice.Speech.Stt;
using ClutchCall.Voice.Speech.Tts;

namespace ClutchCall.Voice.Benchmarks.Agents;

/// <summary>
/// How many concurrent echo-agent calls one core sustains with real-time downlink pacing. The process is pinned
/// to one CPU; N agent sessions share one started <see cref="MediaClock"/>; each call's caller says the LibriVox
/// sentence, pauses 2 s and says it again (staggered across calls), and the echo agent answers every turn.
/// A run passes when no tick was skipped and at most 0.1 % of reply frames left more than 5 ms after their
/// deadline. The sweep doubles N until a run fails and prints every run; the benchmark's own time is the sweep's.
/// Run it once per parameter: <c>--filter '*EchoAgentCapacity*' --inProcess --job dry</c>.
/// <c>standin</c> engines do no STT/TTS compute (the runtime's own ceiling); <c>real</c> runs pocketsphinx and
/// espeak-ng on the same core. Uplink objects are pushed straight into the sessions (no relay hop).
/// </summary>
[MemoryDiagnoser]
public class EchoAgentCapacityBenchmarks
{
    private static readonly TimeSpan RunLength = TimeSpan.FromSeconds(6);

    private byte[][] _speech = null!;
    private byte[] _silence = null!;
    private short[] _reply = null!;

    [Params("standin", "real")]
    public string Engines { get; set; } = "standin";

    [GlobalSetup]
    public void Setup()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
        {
            Process.GetCurrentProcess().ProcessorAffinity = 1; // one core
        }

        _speech = AgentBenchSupport.SpeechPackets();
        _silence = AgentBenchSupport.Encode(new short[320])[0];
        _reply = new EspeakTextToSpeech(16000).SynthesizeAllAsync($"You said: {AgentBenchSupport.Sentence}.", CancellationToken.None).GetAwaiter().GetResult();
    }

    [Benchmark]
    public int MaxCallsOnOneCore()
    {
        int[] sweep = Engines == "real" ? [1, 2, 4, 8, 16] : [50, 100, 200, 400, 800];
        var best = 0;
        using var stt = new PocketSphinxSpeechToText();
        foreach (var calls in sweep)
        {
            var r = Run(calls, stt);
            Console.WriteLine($"// agent-capacity engines={Engines} calls={calls}: {r}");
            if (!r.Passed)
            {
                break;
            }

            best = calls;
        }

        var line = $"// agent-capacity engines={Engines}: {best} concurrent echo-agent calls sustained on one core with real-time pacing";
        Console.WriteLine(line);
        Directory.CreateDirectory("BenchmarkDotNet.Artifacts");
        File.AppendAllText(Path.Combine("BenchmarkDotNet.Artifacts", "agent-capacity.txt"), line + Environment.NewLine);
        return best;
    }

    private RunResult Run(int calls, ISpeechToText realStt)
    {
        ISpeechToText stt = Engines == "real" ? realStt : new AgentBenchSupport.FixedStt(AgentBenchSupport.Sentence);
        ITextToSpeech tts = Engines == "real" ? new EspeakTextToSpeech(16000) : new AgentBenchSupport.PreparedTts(_reply);
        using var clock = new MediaClock(TimeProvider.System);
        var observer = new AgentBenchSupport.NullObserver();
        var sessions = new CallAgentSession[calls];
        var publishers = new AgentBenchSupport.CountingPublisher[calls];
        var registrations = new List<IDisposable>();
        var caller = new Caller(_speech, _silence, sessions);
        registrations.Add(clock.Register(caller));
        for (var i = 0; i < calls; i++)
        {
            publishers[i] = new AgentBenchSupport.CountingPublisher();
            var setup = new CallAgentSessionSetup($"CA{i:D6}", EchoAgent.Kind, new EchoAgent(), stt, tts, clock, TimeProvider.System);
            sessions[i] = CallAgentSession.CreateDetached(setup, publishers[i], observer, metrics: null);
            registrations.Add(clock.Register(sessions[i]));
        }

        clock.Start();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        Thread.Sleep(RunLength);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var stats = clock.Stats;
        foreach (var r in registrations)
        {
            r.Dispose();
        }

        long late = 0, sent = 0, faults = 0;
        for (var i = 0; i < calls; i++)
        {
            late += sessions[i].LateFrames;
            sent += sessions[i].FramesSent;
            faults += sessions[i].Faults;
            sessions[i].DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        var passed = stats.SkippedTicks == 0 && sent > 0 && late <= sent / 1000;
        return new RunResult(passed, sent, late, stats.SkippedTicks, stats.MaxLateness, Interlocked.Read(ref observer.Turns), faults, cpu / RunLength, calls);
    }

    private readonly record struct RunResult(bool Passed, long FramesSent, long LateFrames, long SkippedTicks, TimeSpan MaxLateness, long Turns, long Faults, double CpuShare, int Calls)
    {
        // On a shared machine the pinned core is not ours alone; CPU time per call gives the ceiling the core would hold.
        public override string ToString() =>
            $"{(Passed ? "PASS" : "FAIL")} reply frames {FramesSent}, late {LateFrames}, skipped ticks {SkippedTicks}, max tick lateness {MaxLateness.TotalMilliseconds:F1} ms, " +
            $"turns {Turns}, faults {Faults}, cpu {CpuShare:P0} of one core = {CpuShare / Calls * 100:F2} % per call (≈ {(CpuShare > 0 ? Calls / CpuShare : 0):F0} calls per core by CPU time)";
    }

    /// <summary>Every tick, one uplink object per call: the sentence, 2 s of silence, again; calls start at staggered points.</summary>
    private sealed class Caller(byte[][] speech, byte[] silence, CallAgentSession[] sessions) : IMediaClockSubscriber
    {
        private long _tick;

        public void OnTick(in MediaClockTick tick)
        {
            var cycle = speech.Length + 100;
            var now = _tick++;
            for (var i = 0; i < sessions.Length; i++)
            {
                var at = (now + (i * 37L)) % cycle;
                sessions[i]?.PushUplink(at < speech.Length ? speech[at] : silence, now * 20_000, 0);
            }
        }
    }
}
