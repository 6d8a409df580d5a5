using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ClutchCall.Voice.Agents;
using ClutchCall.Voice.Agents.Pipeline;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Speech.Stt;
using ClutchCall.Voice.Speech.Tests.Support;
using ClutchCall.Voice.Speech.Tts;
using ClutchCall.Voice.Speech.Turns;
using ClutchCall.Voice.TestSupport;

namespace ClutchCall.Voice.Speech.Tests.Pipeline;

/// <summary>A pipeline on a fake-time media clock with a recording sink; caller audio is pushed frame by frame.</summary>
internal sealed class PipelineHarness : IAsyncDisposable, IDownlinkAudioSink, IMediaClockSubscriber
{
    private readonly MediaClock _clock;
    private readonly IDisposable _tickReg;
    private readonly IDisposable _pipelineReg;
    private long _captureUs;

    public PipelineHarness(ISpeechToText stt, ITextToSpeech tts, IConversationAgent agent)
    {
        _clock = new MediaClock(Time);
        _tickReg = _clock.Register(this); // first, so LastTick is current when the pipeline ticks
        Pipeline = new CallSpeechPipeline(stt, tts, agent, this, Time, new CallSpeechPipelineOptions { CallSid = "CA-test" });
        _pipelineReg = _clock.Register(Pipeline);
        Pipeline.TurnEvent += e =>
        {
            Events.Add((e, LastTick));
        };
        Pipeline.TranscriptEntryAdded += Transcript.Enqueue;
        Pipeline.TurnCompleted += Timings.Enqueue;
        _clock.Start();
    }

    public FakeTimeProvider Time { get; } = new();

    public CallSpeechPipeline Pipeline { get; }

    public long LastTick { get; private set; }

    public ConcurrentQueue<(long Tick, short[] Pcm)> Sent { get; } = new();

    public ConcurrentBag<(TurnEvent Event, long Tick)> Events { get; } = [];

    public ConcurrentQueue<TranscriptEntry> Transcript { get; } = new();

    public ConcurrentQueue<TurnTimings> Timings { get; } = new();

    public void OnFrame(ReadOnlySpan<short> pcm, long tickIndex) => Sent.Enqueue((tickIndex, pcm.ToArray()));

    public void OnTick(in MediaClockTick tick) => LastTick = tick.Index;

    /// <summary>Pushes one caller frame and advances the clock by one tick.</summary>
    public void Step(ReadOnlySpan<short> frame)
    {
        Pipeline.PushCallerFrame(frame, _captureUs);
        _captureUs += 20_000;
        Time.Advance(TimeSpan.FromMilliseconds(20));
    }

    public void Feed(short[] signal)
    {
        foreach (var f in SpeechSamples.Frames(signal))
        {
            Step(f);
        }
    }

    public void Silence(int frames)
    {
        var zero = new short[320];
        for (var i = 0; i < frames; i++)
        {
            Step(zero);
        }
    }

    /// <summary>Waits (real time) until a reply is fully synthesized and queued, without advancing the clock.</summary>
    public async Task WaitForQueuedReplyAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (Pipeline.QueuedFrames == 0)
        {
            await Task.Delay(10, timeout.Token);
        }

        await Pipeline.CurrentReplyProduced.WaitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _pipelineReg.Dispose();
        _tickReg.Dispose();
        _clock.Dispose();
        await Pipeline.DisposeAsync();
    }
}

/// <summary>An agent that speaks a fixed long reply and remembers its cancellation token.</summary>
internal sealed class LongReplyAgent(string reply) : IConversationAgent
{
    public CancellationToken LastToken { get; private set; }

    public async IAsyncEnumerable<AgentChunk> RespondAsync(CallerTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        LastToken = cancellationToken;
        foreach (var sentence in reply.Split(". "))
        {
            await Task.Yield();
            yield return new AgentChunk(sentence.EndsWith('.') ? sentence + " " : sentence + ". ");
        }
    }
}

/// <summary>An STT whose start fails like an unreachable server.</summary>
internal sealed class FailingSpeechToText : ISpeechToText
{
    public string Name => "failing";

    public int SampleRate => 16000;

    public ValueTask<ISpeechRecognitionStream> StartAsync(CancellationToken cancellationToken) =>
        throw new SpeechEngineException(Name, SpeechEngineErrorKind.ConnectionLost, "connection refused");
}
