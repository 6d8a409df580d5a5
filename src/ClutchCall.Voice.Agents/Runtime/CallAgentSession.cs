using ClutchCall.Voice.Agents.Pipeline;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Moqt;
using ClutchCall.Voice.Moqt.Audio;
using ClutchCall.Voice.Moqt.Client;
using ClutchCall.Voice.Speech.Stt;
using ClutchCall.Voice.Speech.Tts;

namespace ClutchCall.Voice.Agents.Runtime;

/// <summary>What a <see cref="CallAgentSession"/> runs with.</summary>
/// <param name="CallSid">The call.</param>
/// <param name="AgentId">The agent id (for logs and metric tags).</param>
/// <param name="Agent">The agent instance for this call.</param>
/// <param name="Stt">Recogniser (16 kHz).</param>
/// <param name="Tts">Synthesizer (16 kHz).</param>
/// <param name="Clock">The shared media clock that paces the downlink.</param>
/// <param name="Time">Clock for timings and timestamps.</param>
/// <param name="Pipeline">Pipeline settings (the call sid is filled in).</param>
internal sealed record CallAgentSessionSetup(
    string CallSid,
    string AgentId,
    IConversationAgent Agent,
    ISpeechToText Stt,
    ITextToSpeech Tts,
    MediaClock Clock,
    TimeProvider Time,
    CallSpeechPipelineOptions? Pipeline = null);

/// <summary>
/// One agent on one live call, as the cloud side of <c>voice/&lt;sid&gt;</c>: subscribes the caller's
/// <c>uplink</c> Opus track, decodes it to 16 kHz frames for the <see cref="CallSpeechPipeline"/>, and publishes
/// the pipeline's reply on <c>downlink</c>, one Opus frame per <see cref="MediaClock"/> tick (nothing when idle).
/// Disposing releases everything: clock registration, track subscription and publication, the pipeline,
/// codec handles and the MoQT client it owns. Faults stay inside the session.
/// </summary>
internal sealed class CallAgentSession : IMediaClockSubscriber, IAsyncDisposable
{
    private const long FrameUs = 20_000;

    // Caller audio missing this many ticks (DTX, a silent Opus leg, a stalled client) counts as silence, so pressed
    // digits still reach the turn detector and a DTMF turn still ends on its inter-digit timeout.
    private const int IdleTicksBeforeSilence = 3;

    // While the caller is mid-sentence a gap is far more likely late audio (a loaded relay or network) than silence:
    // silence pushed into the recogniser then, with the real frames after it, changed the words it heard. Only a
    // stall this long (1 s) is taken for a caller who went quiet without the stream saying so.
    private const int IdleTicksBeforeSilenceInSpeech = 50;

    private readonly CallAgentSessionSetup _setup;
    private readonly MoqtClient? _client;
    private readonly IDownlinkFramePublisher? _detachedPublisher;
    private readonly ICallAgentObserver _observer;
    private readonly AgentMetrics? _metrics;
    private readonly UplinkAudioDecoder _decoder = new();
    private readonly DownlinkAudioEncoder _encoder;
    private readonly CallSpeechPipeline _pipeline;
    private readonly short[] _frame = new short[CallSpeechPipeline.FrameSamples];
    private readonly short[] _silence = new short[CallSpeechPipeline.FrameSamples];
    private readonly Lock _uplinkGate = new();
    private readonly Lock _tickGate = new();
    private readonly TimeSpan _lateThreshold = TimeSpan.FromMilliseconds(5);
    private AudioTrackPublication? _downlink;
    private AudioTrackSubscription? _uplink;
    private IDisposable? _registration;
    private long _captureUs = -1;
    private long _callerFrames;
    private long _lateFrames;
    private long _faults;
    private bool _closed;
    private long _framesAtLastTick;
    private int _idleTicks;
    private int _disposed;

    private CallAgentSession(CallAgentSessionSetup setup, MoqtClient? client, IDownlinkFramePublisher? detachedPublisher, ICallAgentObserver observer, AgentMetrics? metrics)
    {
        _setup = setup;
        _client = client;
        _detachedPublisher = detachedPublisher;
        _observer = observer;
        _metrics = metrics;
        _encoder = new DownlinkAudioEncoder(new Publisher(this), setup.Time);
        var options = (setup.Pipeline ?? new CallSpeechPipelineOptions()) with { CallSid = setup.CallSid };
        _pipeline = new CallSpeechPipeline(setup.Stt, setup.Tts, setup.Agent, _encoder, setup.Time, options);
        _pipeline.TranscriptEntryAdded += e => Report(() => _observer.OnTranscript(CallSid, e));
        _pipeline.TurnCompleted += t =>
        {
            _metrics?.Turn(_setup.AgentId, t);
            Report(() => _observer.OnTurn(CallSid, t));
        };
        _pipeline.EngineFailed += (engine, ex) =>
        {
            _metrics?.EngineFailure(engine);
            Report(() => _observer.OnEngineFailure(CallSid, engine, ex));
        };
    }

    public string CallSid => _setup.CallSid;

    public string AgentId => _setup.AgentId;

    /// <summary>Caller frames pushed into the pipeline.</summary>
    public long CallerFrames => Interlocked.Read(ref _callerFrames);

    /// <summary>Reply frames published on downlink.</summary>
    public long FramesSent
    {
        get
        {
            lock (_tickGate)
            {
                return _encoder.FramesSent;
            }
        }
    }

    /// <summary>Reply frames sent more than 5 ms after their clock deadline.</summary>
    public long LateFrames => Interlocked.Read(ref _lateFrames);

    /// <summary>Exceptions caught on the media path (each dropped one frame or one callback).</summary>
    public long Faults => Interlocked.Read(ref _faults);

    /// <summary>Uplink packets that failed to decode.</summary>
    public long CorruptPackets
    {
        get
        {
            lock (_uplinkGate)
            {
                return _decoder.CorruptPackets;
            }
        }
    }

    /// <summary>Silence frames the session fed the pipeline while caller audio was missing.</summary>
    public long IdleFrames { get; private set; }

    /// <summary>True once <see cref="DisposeAsync"/> has begun.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The pipeline (tests read its state).</summary>
    internal CallSpeechPipeline Pipeline => _pipeline;

    /// <summary>
    /// Starts the agent on the call over <paramref name="client"/>, which must hold a server-side grant for the
    /// call (subscribe uplink, publish downlink). The session owns the client from here on, also on failure.
    /// </summary>
    public static async Task<CallAgentSession> StartAsync(CallAgentSessionSetup setup, MoqtClient client, ICallAgentObserver observer, AgentMetrics? metrics, CancellationToken cancellationToken)
    {
        CallAgentSession? session = null;
        try
        {
            session = new CallAgentSession(setup, client, null, observer, metrics);
            session._downlink = await client.PublishAudioAsync(FullTrackName.Downlink(setup.CallSid), cancellationToken).ConfigureAwait(false);
            session._uplink = await client.SubscribeAudioAsync(FullTrackName.Uplink(setup.CallSid), session.OnUplink, cancellationToken).ConfigureAwait(false);
            session._registration = setup.Clock.Register(session);
            metrics?.SessionStarted();
            return session;
        }
        catch
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>One media-clock tick: at most one reply frame goes out.</summary>
    public void OnTick(in MediaClockTick tick)
    {
        lock (_tickGate)
        {
            if (_closed)
            {
                return;
            }

            try
            {
                FillUplinkGap();
                var before = _encoder.FramesSent;
                _encoder.BeginTick(tick);
                _pipeline.OnTick(tick);
                if (_encoder.FramesSent != before && tick.Lateness > _lateThreshold)
                {
                    Interlocked.Increment(ref _lateFrames);
                    _metrics?.LateFrame();
                }
            }
            catch (Exception)
            {
                // A fault drops this call's frame; the clock and the other calls go on.
                Interlocked.Increment(ref _faults);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _registration?.Dispose();
        lock (_tickGate)
        {
            _closed = true;
        }

        if (_uplink is not null)
        {
            await _uplink.DisposeAsync().ConfigureAwait(false);
        }

        lock (_uplinkGate)
        {
            // After this no callback touches the decoder or the pipeline's uplink side.
            _closed = true;
        }

        await _pipeline.DisposeAsync().ConfigureAwait(false);
        if (_downlink is not null)
        {
            await _downlink.DisposeAsync().ConfigureAwait(false);
        }

        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }

        lock (_uplinkGate)
        {
            _decoder.Dispose();
        }

        lock (_tickGate)
        {
            _encoder.Dispose();
        }

        if (_registration is not null)
        {
            _metrics?.SessionEnded();
        }
    }

    /// <summary>
    /// Takes one DTMF digit the caller pressed (SIP RFC 4733 events or INFO, from any thread). It becomes a turn
    /// event on the pipeline's uplink thread before the next caller frame; the agent gets the digits with the turn.
    /// Returns false for a non-DTMF character, a full digit queue or a closed session.
    /// </summary>
    public bool PushDigit(char digit) => !IsDisposed && _pipeline.PushDigit(digit);

    /// <summary>Feeds one uplink object (also used by benchmarks without a relay).</summary>
    internal void PushUplink(ReadOnlySpan<byte> payload, long captureTimestampUs, int lostBefore)
    {
        lock (_uplinkGate)
        {
            if (_closed)
            {
                return;
            }

            try
            {
                if (_captureUs < 0)
                {
                    // The caller's capture clock, advanced 20 ms per frame so the turn detector sees monotonic time.
                    _captureUs = captureTimestampUs >= 0 ? captureTimestampUs : 0;
                }

                _decoder.Push(payload, lostBefore);
                while (_decoder.TryReadFrame(_frame))
                {
                    _pipeline.PushCallerFrame(_frame, _captureUs);
                    _captureUs += FrameUs;
                    Interlocked.Increment(ref _callerFrames);
                }
            }
            catch (Exception)
            {
                Interlocked.Increment(ref _faults);
            }
        }
    }

    /// <summary>
    /// A session without a relay (benchmarks, tests): uplink objects come through <see cref="PushUplink"/>,
    /// downlink frames go to <paramref name="publisher"/>. Register it with a clock yourself.
    /// </summary>
    internal static CallAgentSession CreateDetached(CallAgentSessionSetup setup, IDownlinkFramePublisher publisher, ICallAgentObserver observer, AgentMetrics? metrics) =>
        new(setup, null, publisher, observer, metrics);

    /// <summary>Clock thread: when caller audio has stopped while the turn detector needs time, feed it silence.</summary>
    private void FillUplinkGap()
    {
        var frames = Interlocked.Read(ref _callerFrames);
        if (frames != _framesAtLastTick)
        {
            _framesAtLastTick = frames;
            _idleTicks = 0;
            return;
        }

        var needed = _pipeline.InSpeechTurn ? IdleTicksBeforeSilenceInSpeech : IdleTicksBeforeSilence;
        if (++_idleTicks < needed || !_uplinkGate.TryEnter())
        {
            // Never wait for the uplink thread on the clock: if it holds the gate, audio is flowing after all.
            return;
        }

        try
        {
            if (_closed || !_pipeline.NeedsCallerTime)
            {
                return;
            }

            _captureUs = Math.Max(_captureUs, 0);
            _pipeline.PushCallerFrame(_silence, _captureUs);
            _captureUs += FrameUs;
            IdleFrames++;
        }
        finally
        {
            _uplinkGate.Exit();
        }
    }

    private void OnUplink(AudioObject o) => PushUplink(o.Payload.Span, o.CaptureTimestampUs, o.LostBefore);

    private void Report(Action action)
    {
        try
        {
            action();
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _faults);
        }
    }

    private sealed class Publisher(CallAgentSession owner) : IDownlinkFramePublisher
    {
        public bool Publish(ReadOnlySpan<byte> frame, long timestampUs) =>
            owner._detachedPublisher?.Publish(frame, timestampUs) ?? owner._downlink?.Publish(frame, timestampUs) ?? false;
    }
}
