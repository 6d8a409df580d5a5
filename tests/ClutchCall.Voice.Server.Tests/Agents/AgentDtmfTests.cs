using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ClutchCall.Voice.Agents;
using ClutchCall.Voice.Agents.Pipeline;
using ClutchCall.Voice.Agents.Runtime;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Speech;
using ClutchCall.Voice.Speech.Espeak;
using ClutchCall.Voice.Speech.PocketSphinx;
using ClutchCall.Voice.Speech.Turns;
using ClutchCall.Voice.TestSupport;
using PipelineTranscriptEntry = ClutchCall.Voice.Agents.Pipeline.TranscriptEntry;

namespace ClutchCall.Voice.Server.Tests.Agents;

/// <summary>
/// Caller DTMF into a live call's speech pipeline: the cross-thread digit queue, digits becoming turn events on the
/// pipeline's uplink thread, and a session that keeps the turn detector's time moving when caller audio stops.
/// Time is a fake clock; the engines are the real espeak-ng and pocketsphinx.
/// </summary>
public sealed class AgentDtmfTests
{
    private const long FrameUs = 20_000;

    [Fact]
    public void DtmfDigitQueue_FullRing_DropsAndCountsThenDrainsInOrder()
    {
        var queue = new DtmfDigitQueue();
        Assert.True(queue.IsEmpty);
        for (var i = 0; i < DtmfDigitQueue.Capacity; i++)
        {
            Assert.True(queue.TryEnqueue((char)('0' + (i % 10)), i));
        }

        Assert.False(queue.TryEnqueue('9', 999));
        Assert.Equal(1, queue.Dropped);
        for (var i = 0; i < DtmfDigitQueue.Capacity; i++)
        {
            Assert.True(queue.TryDequeue(out var d, out var at));
            Assert.Equal((char)('0' + (i % 10)), d);
            Assert.Equal(i, at);
        }

        Assert.False(queue.TryDequeue(out _, out _));
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public async Task DtmfDigitQueue_ConcurrentProducersAndConsumer_EveryDigitOnceInEachProducersOrder()
    {
        var queue = new DtmfDigitQueue();
        const int producers = 4;
        const int perProducer = 5000;
        var taken = new List<(char Digit, long Seq)>(producers * perProducer);
        using var done = new CancellationTokenSource();
        var consumer = Task.Run(() =>
        {
            while (true)
            {
                var finished = done.IsCancellationRequested;
                while (queue.TryDequeue(out var d, out var seq))
                {
                    taken.Add((d, seq));
                }

                if (finished)
                {
                    return;
                }

                Thread.SpinWait(20);
            }
        }, TestContext.Current.CancellationToken);
        var tasks = Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            var digit = (char)('1' + p);
            for (var i = 0; i < perProducer; i++)
            {
                while (!queue.TryEnqueue(digit, i))
                {
                    Thread.Yield();
                }
            }
        }, TestContext.Current.CancellationToken)).ToArray();
        await Task.WhenAll(tasks);
        await done.CancelAsync();
        await consumer;

        Assert.Equal(producers * perProducer, taken.Count);
        foreach (var group in taken.GroupBy(t => t.Digit))
        {
            Assert.Equal(Enumerable.Range(0, perProducer).Select(i => (long)i), group.Select(t => t.Seq));
        }
    }

    [Fact]
    public async Task Pipeline_PushDigit_RejectsNonDtmfAndNormalisesLetters()
    {
        RequireEngines();
        await using var h = new DtmfHarness();
        Assert.False(h.Pipeline.PushDigit('x'));
        Assert.False(h.Pipeline.PushDigit('E'));
        Assert.False(h.Pipeline.PushDigit(' '));
        Assert.True(h.Pipeline.PushDigit('a'));
        h.Silence(1);
        var digit = Assert.Single(h.Events, e => e.Kind == TurnEventKind.DtmfDigit);
        Assert.Equal('A', digit.Digit);
    }

    [Fact]
    public async Task Pipeline_DigitsFromAnotherThreadThenTerminator_TurnEventsInOrderAndAgentGetsTheDigits()
    {
        RequireEngines();
        var ct = TestContext.Current.CancellationToken;
        await using var h = new DtmfHarness();
        h.Silence(5);

        // Pressed on another thread (as SIP signalling would), applied on the uplink thread at the next frame.
        await Task.Run(() =>
        {
            foreach (var d in "4711")
            {
                Assert.True(h.Pipeline.PushDigit(d));
            }
        }, ct);
        Assert.True(h.Pipeline.HasPendingDigits);
        Assert.Empty(h.Events);
        h.Silence(1);
        Assert.False(h.Pipeline.HasPendingDigits);
        Assert.Equal("4711", string.Concat(h.Events.Where(e => e.Kind == TurnEventKind.DtmfDigit).Select(e => e.Digit)));
        Assert.All(h.Events, e => Assert.Equal(5 * FrameUs, e.StartUs));

        // A pause shorter than the inter-digit timeout keeps the turn open; '#' ends it at once.
        h.Silence(50);
        Assert.DoesNotContain(h.Events, e => e.Kind == TurnEventKind.TurnEnded);
        Assert.True(h.Pipeline.PushDigit('#'));
        h.Silence(1);
        var ended = Assert.Single(h.Events, e => e.Kind == TurnEventKind.TurnEnded);
        Assert.Equal("4711", ended.Digits);

        var turn = await h.Agent.Turns.Reader.ReadAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal("4711", turn.Digits);
        Assert.Equal(string.Empty, turn.Text);

        // The echo reply is spoken and the turn's record carries the digits.
        await h.PlayReplyAsync(ct);
        var agent = Assert.Single(h.Transcript, e => e.Speaker == "agent");
        Assert.Equal("You pressed 4 7 1 1.", agent.Text);
        var timings = Assert.Single(h.Timings);
        Assert.Equal("4711", timings.Digits);
        Assert.False(timings.Interrupted);
        Assert.Null(timings.BargeInDetectedUs);
    }

    [Fact]
    public async Task Pipeline_DigitsWithoutTerminator_TurnEndsAfterInterDigitTimeoutNotBefore()
    {
        RequireEngines();
        var ct = TestContext.Current.CancellationToken;
        await using var h = new DtmfHarness();
        var wait = new TurnOptions().DtmfInterDigitTimeout;
        h.Silence(3);
        h.Pipeline.PushDigit('1');
        h.Silence(10);
        h.Pipeline.PushDigit('2');
        var lastDigitFrame = h.Frames;
        h.Silence(1);

        var framesToWait = (int)(wait.Ticks / 10 / FrameUs);
        h.Silence(framesToWait - 2);
        Assert.DoesNotContain(h.Events, e => e.Kind == TurnEventKind.TurnEnded);
        h.Silence(3);
        var ended = Assert.Single(h.Events, e => e.Kind == TurnEventKind.TurnEnded);
        Assert.Equal("12", ended.Digits);
        Assert.Equal(lastDigitFrame * FrameUs, ended.EndUs);
        var turn = await h.Agent.Turns.Reader.ReadAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal("12", turn.Digits);
    }

    [Fact]
    public async Task Session_NoCallerAudioAtAll_DigitsStillMakeATurnAndTheReplyIsPublished()
    {
        RequireEngines();
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time);
        var agent = new RecordingAgent();
        var publisher = new CountingPublisher();
        var observer = new CollectingObserver();
        using var stt = new PocketSphinxSpeechToText(new PocketSphinxOptions { MaxIdleDecoders = 1 });
        var setup = new CallAgentSessionSetup("CA-dtmf", "echo", agent, stt, new EspeakTextToSpeech(16000), clock, time);
        await using var session = CallAgentSession.CreateDetached(setup, publisher, observer, metrics: null);
        using var registration = clock.Register(session);
        clock.Start();

        // The caller's leg sends no audio (DTX, a silent Opus leg): only digits arrive.
        Assert.True(session.PushDigit('5'));
        Assert.True(session.PushDigit('0'));
        Assert.False(session.PushDigit('?'));
        var timeout = new TurnOptions().DtmfInterDigitTimeout;
        Advance(time, TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, session.CallerFrames);
        Assert.True(session.IdleFrames > 0, "the session fed silence while the caller sent nothing");
        Assert.Equal(0, agent.Turns.Reader.Count);
        Advance(time, timeout);

        var turn = await agent.Turns.Reader.ReadAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal("50", turn.Digits);
        await session.Pipeline.CurrentReplyProduced.WaitAsync(TimeSpan.FromSeconds(30), ct);
        for (var i = 0; i < 1000 && observer.Timings.IsEmpty; i++)
        {
            Advance(time, TimeSpan.FromMilliseconds(20));
        }

        Assert.True(publisher.Frames > 25, $"the reply went out on downlink; {publisher.Frames} frames");
        Assert.Equal("50", Assert.Single(observer.Timings).Digits);
        Assert.Contains(observer.Transcript, e => e is { Speaker: "agent", Text: "You pressed 5 0." });

        // Once the turn is over, a silent uplink is left alone.
        var idle = session.IdleFrames;
        Advance(time, TimeSpan.FromSeconds(1));
        Assert.Equal(idle, session.IdleFrames);
    }

    [Fact]
    public async Task Session_UplinkStallsMidSentence_NoSilenceInjectedUntilAFullSecond()
    {
        // Late audio mid-sentence (a loaded relay) must reach the recogniser as it was spoken, not after
        // injected silence; only a stall of a second counts as the caller having gone quiet.
        RequireEngines();
        var time = new FakeTimeProvider();
        using var clock = new MediaClock(time);
        using var stt = new PocketSphinxSpeechToText(new PocketSphinxOptions { MaxIdleDecoders = 1 });
        var setup = new CallAgentSessionSetup("CA-stall", "echo", new RecordingAgent(), stt, new EspeakTextToSpeech(16000), clock, time);
        await using var session = CallAgentSession.CreateDetached(setup, new CountingPublisher(), new CollectingObserver(), metrics: null);
        using var registration = clock.Register(session);
        clock.Start();

        var speech = LibriVoxCallee.Encode(AgentTestHost.SentencePcm());
        long captureUs = 0;
        for (var i = 0; i < 75; i++)
        {
            session.PushUplink(speech[i], captureUs, lostBefore: 0);
            captureUs += 20_000;
            Advance(time, TimeSpan.FromMilliseconds(20));
        }

        Assert.True(session.Pipeline.InSpeechTurn, "1.5 s of the sentence opened a speech turn");
        Advance(time, TimeSpan.FromMilliseconds(400));
        Assert.Equal(0, session.IdleFrames);

        Advance(time, TimeSpan.FromMilliseconds(800));
        Assert.True(session.IdleFrames > 0, "a stall over a second is taken as silence so the turn can end");
    }

    internal static void RequireEngines()
    {
        try
        {
            using var stt = new PocketSphinxSpeechToText(new PocketSphinxOptions { MaxIdleDecoders = 1 });
            stt.EnsureAvailable();
            EspeakTextToSpeech.EnsureAvailable();
        }
        catch (SpeechEngineException ex)
        {
            Assert.Skip($"SKIPPED: speech engines unavailable ({ex.Message}); install pocketsphinx-en-us and espeak-ng");
        }
    }

    private static void Advance(FakeTimeProvider time, TimeSpan span)
    {
        for (var t = TimeSpan.Zero; t < span; t += TimeSpan.FromMilliseconds(20))
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
        }
    }

    /// <summary>The echo agent, recording each turn it was handed.</summary>
    internal sealed class RecordingAgent : IConversationAgent
    {
        private readonly EchoAgent _echo = new();

        public System.Threading.Channels.Channel<CallerTurn> Turns { get; } = System.Threading.Channels.Channel.CreateUnbounded<CallerTurn>();

        public async IAsyncEnumerable<AgentChunk> RespondAsync(CallerTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Turns.Writer.TryWrite(turn);
            await foreach (var chunk in _echo.RespondAsync(turn, cancellationToken))
            {
                yield return chunk;
            }
        }
    }

    private sealed class CountingPublisher : IDownlinkFramePublisher
    {
        public long Frames;

        public bool Publish(ReadOnlySpan<byte> frame, long timestampUs)
        {
            Interlocked.Increment(ref Frames);
            return true;
        }
    }

    private sealed class CollectingObserver : ICallAgentObserver
    {
        public ConcurrentQueue<PipelineTranscriptEntry> Transcript { get; } = new();

        public ConcurrentQueue<TurnTimings> Timings { get; } = new();

        public void OnTranscript(string callSid, PipelineTranscriptEntry entry) => Transcript.Enqueue(entry);

        public void OnTurn(string callSid, TurnTimings timings) => Timings.Enqueue(timings);

        public void OnEngineFailure(string callSid, string engine, Exception error)
        {
        }
    }

    /// <summary>A pipeline on a fake-time media clock; caller frames are pushed one tick at a time.</summary>
    private sealed class DtmfHarness : IAsyncDisposable, IDownlinkAudioSink
    {
        private readonly FakeTimeProvider _time = new();
        private readonly MediaClock _clock;
        private readonly IDisposable _registration;
        private readonly PocketSphinxSpeechToText _stt = new(new PocketSphinxOptions { MaxIdleDecoders = 1 });
        private readonly short[] _silence = new short[CallSpeechPipeline.FrameSamples];

        public DtmfHarness()
        {
            _clock = new MediaClock(_time);
            Pipeline = new CallSpeechPipeline(_stt, new EspeakTextToSpeech(16000), Agent, this, _time, new CallSpeechPipelineOptions { CallSid = "CA-dtmf" });
            _registration = _clock.Register(Pipeline);
            Pipeline.TurnEvent += Events.Add;
            Pipeline.TranscriptEntryAdded += Transcript.Enqueue;
            Pipeline.TurnCompleted += Timings.Enqueue;
            _clock.Start();
        }

        public CallSpeechPipeline Pipeline { get; }

        public RecordingAgent Agent { get; } = new();

        public List<TurnEvent> Events { get; } = [];

        public ConcurrentQueue<PipelineTranscriptEntry> Transcript { get; } = new();

        public ConcurrentQueue<TurnTimings> Timings { get; } = new();

        public long Frames { get; private set; }

        public long SentFrames;

        public void OnFrame(ReadOnlySpan<short> pcm, long tickIndex) => Interlocked.Increment(ref SentFrames);

        public void Silence(int frames)
        {
            for (var i = 0; i < frames; i++)
            {
                Pipeline.PushCallerFrame(_silence, Frames * FrameUs);
                Frames++;
                _time.Advance(TimeSpan.FromMilliseconds(20));
            }
        }

        /// <summary>Waits (real time) for the reply to be queued, then plays it out tick by tick.</summary>
        public async Task PlayReplyAsync(CancellationToken ct)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            while (Pipeline.QueuedFrames == 0)
            {
                await Task.Delay(10, timeout.Token);
            }

            await Pipeline.CurrentReplyProduced.WaitAsync(timeout.Token);
            while (Pipeline.QueuedFrames > 0 || Timings.IsEmpty)
            {
                Silence(1);
                timeout.Token.ThrowIfCancellationRequested();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _registration.Dispose();
            _clock.Dispose();
            await Pipeline.DisposeAsync();
            _stt.Dispose();
        }
    }
}
