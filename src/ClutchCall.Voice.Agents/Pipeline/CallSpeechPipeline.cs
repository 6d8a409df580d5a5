using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using ClutchCall.Voice.Media;
using ClutchCall.Voice.Speech;
using ClutchCall.Voice.Speech.Stt;
using ClutchCall.Voice.Speech.Tts;
using ClutchCall.Voice.Speech.Turns;
using ClutchCall.Voice.Speech.Vad;

namespace ClutchCall.Voice.Agents.Pipeline;

/// <summary>
/// One call's speech loop over abstract audio: caller frames (20 ms, 16 kHz) → VAD → turn detection →
/// streaming STT → <see cref="IConversationAgent"/> → streaming TTS → a frame queue drained one frame
/// per <see cref="MediaClock"/> tick into an <see cref="IDownlinkAudioSink"/>.
/// </summary>
/// <remarks>
/// VAD and turn decisions run synchronously in <see cref="PushCallerFrame"/> (one uplink thread), so a
/// barge-in clears the downlink queue before the next tick. Recognition, the agent and synthesis run on
/// one worker and one agent task; every engine step is bounded by <see cref="CallSpeechPipelineOptions.EngineTimeout"/>.
/// </remarks>
internal sealed class CallSpeechPipeline : IMediaClockSubscriber, IAsyncDisposable
{
    public const int SampleRate = 16000;
    public const int FrameSamples = SampleRate / 50;
    private const long FrameUs = 20_000;
    private const int PreRollFrames = 15; // 300 ms before the VAD's onset decision goes to the recogniser

    private readonly ISpeechToText _stt;
    private readonly ITextToSpeech _tts;
    private readonly IConversationAgent _agent;
    private readonly IDownlinkAudioSink _sink;
    private readonly TimeProvider _time;
    private readonly CallSpeechPipelineOptions _options;
    private long _engineFailures;
    private readonly VoiceActivityDetector _vad;
    private readonly TurnDetector _turns;
    private readonly Channel<UplinkItem> _uplink = Channel.CreateUnbounded<UplinkItem>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _disposeCts = new();
    private readonly short[][] _preRoll = new short[PreRollFrames][];
    private readonly Lock _playGate = new();
    private readonly Queue<QueuedFrame> _queue = new();
    private readonly DtmfDigitQueue _digits = new();
    private readonly List<ConversationEntry> _history = [];
    private readonly Task _worker;
    private int _preRollCount;
    private int _preRollNext;
    private bool _utteranceOpen;
    private long _nextTurnId;
    private AgentTurn? _current;
    private BargeInReport? _lastBargeIn;
    private long _bargeIns;

    public CallSpeechPipeline(ISpeechToText stt, ITextToSpeech tts, IConversationAgent agent, IDownlinkAudioSink sink, TimeProvider? time = null, CallSpeechPipelineOptions? options = null)
    {
        if (stt.SampleRate != SampleRate || tts.SampleRate != SampleRate)
        {
            throw new ArgumentException($"The pipeline runs at {SampleRate} Hz; STT takes {stt.SampleRate} Hz and TTS gives {tts.SampleRate} Hz.");
        }

        _stt = stt;
        _tts = tts;
        _agent = agent;
        _sink = sink;
        _time = time ?? TimeProvider.System;
        _options = options ?? new CallSpeechPipelineOptions();
        _vad = new VoiceActivityDetector(SampleRate, 20, _options.VadAggressiveness);
        _turns = new TurnDetector(_options.Turns);
        for (var i = 0; i < PreRollFrames; i++)
        {
            _preRoll[i] = new short[FrameSamples];
        }

        _worker = Task.Run(RunUplinkAsync);
    }

    /// <summary>Raised for every turn-taking event (on the uplink thread).</summary>
    public event Action<TurnEvent>? TurnEvent;

    /// <summary>Raised when a transcript line becomes final.</summary>
    public event Action<TranscriptEntry>? TranscriptEntryAdded;

    /// <summary>Raised when a turn's timings are complete (its reply finished or was interrupted).</summary>
    public event Action<TurnTimings>? TurnCompleted;

    /// <summary>Raised (for logs and metrics) when an engine or the agent fails; the call goes on.</summary>
    public event Action<string, Exception>? EngineFailed;

    /// <summary>Engine or agent failures so far on this call.</summary>
    public long EngineFailures => Interlocked.Read(ref _engineFailures);

    /// <summary>Frames waiting for the downlink.</summary>
    public int QueuedFrames
    {
        get
        {
            lock (_playGate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>The most recent barge-in on this call (detection time, what was dropped and played), or null.</summary>
    public BargeInReport? LastBargeIn => Volatile.Read(ref _lastBargeIn);

    /// <summary>Barge-ins so far on this call.</summary>
    public long BargeIns => Interlocked.Read(ref _bargeIns);

    /// <summary>DTMF digits dropped because too many arrived between two caller frames.</summary>
    public long DroppedDigits => _digits.Dropped;

    /// <summary>
    /// Queues a caller DTMF digit (0-9, *, #, A-D; a-d are taken as A-D) from any thread. The pipeline applies it to
    /// its turn detector on the uplink thread, before the next caller frame, at that frame's capture time; so digits
    /// become turn events in order with the audio around them. Returns false for a non-DTMF character or when the
    /// queue is full.
    /// </summary>
    public bool PushDigit(char digit)
    {
        digit = digit is >= 'a' and <= 'd' ? (char)(digit - 'a' + 'A') : digit;
        return DtmfDigitQueue.IsDigit(digit) && _digits.TryEnqueue(digit, _time.GetTimestamp());
    }

    /// <summary>True when digits wait for the next caller frame.</summary>
    public bool HasPendingDigits => !_digits.IsEmpty;

    /// <summary>
    /// True when time must keep passing for the turn detector even without caller audio: digits wait, or a turn is
    /// open (its end is a silence timeout). Read it on the uplink thread (or under the caller's uplink lock).
    /// </summary>
    public bool NeedsCallerTime => !_digits.IsEmpty || _turns.InTurn;

    /// <summary>True while the open turn holds caller speech: audio is (or was just) flowing for it.</summary>
    public bool InSpeechTurn => _turns.InSpeechTurn;

    /// <summary>Completes when the current agent turn (agent + synthesis) has finished producing audio.</summary>
    public Task CurrentReplyProduced => Volatile.Read(ref _current)?.Produced.Task ?? Task.CompletedTask;

    /// <summary>Takes one 20 ms caller frame captured at <paramref name="timestampUs"/>. Call from one thread.</summary>
    public void PushCallerFrame(ReadOnlySpan<short> frame, long timestampUs)
    {
        if (frame.Length != FrameSamples)
        {
            throw new ArgumentException($"Caller frames are {FrameSamples} samples (20 ms at {SampleRate} Hz).", nameof(frame));
        }

        if (!_digits.IsEmpty)
        {
            ApplyDigits(timestampUs);
        }

        var speech = _vad.Process(frame);
        _turns.AgentSpeaking = QueuedFrames > 0;
        var evt = _turns.OnFrame(speech, timestampUs, FrameUs);
        switch (evt.Kind)
        {
            case TurnEventKind.SpeechStarted:
                _utteranceOpen = true;
                _uplink.Writer.TryWrite(new UplinkItem(UplinkKind.Start, null, 0, default));
                for (var i = 0; i < _preRollCount; i++)
                {
                    Post(_preRoll[(_preRollNext - _preRollCount + i + PreRollFrames) % PreRollFrames]);
                }

                break;
            case TurnEventKind.BargeIn:
                BargeIn(evt);
                break;
        }

        if (_utteranceOpen)
        {
            Post(frame);
        }

        frame.CopyTo(_preRoll[_preRollNext]);
        _preRollNext = (_preRollNext + 1) % PreRollFrames;
        _preRollCount = Math.Min(_preRollCount + 1, PreRollFrames);

        if (evt.Kind == TurnEventKind.TurnEnded)
        {
            EndUtterance(evt, timestampUs);
        }
        else if (evt.Kind == TurnEventKind.SpeechDiscarded || (evt.Kind == TurnEventKind.Backchannel && !_turns.InTurn))
        {
            _utteranceOpen = false;
            _uplink.Writer.TryWrite(new UplinkItem(UplinkKind.Discard, null, 0, evt));
        }

        if (evt.Kind != TurnEventKind.None)
        {
            TurnEvent?.Invoke(evt);
        }
    }

    /// <summary>Sends the next queued agent frame, if any: exactly one per tick.</summary>
    public void OnTick(in MediaClockTick tick)
    {
        QueuedFrame frame;
        AgentTurn? turn;
        lock (_playGate)
        {
            if (!_queue.TryDequeue(out frame))
            {
                return;
            }

            turn = _current;
        }

        try
        {
            _sink.OnFrame(frame.Buffer.AsSpan(0, FrameSamples), tick.Index);
        }
        finally
        {
            ArrayPool<short>.Shared.Return(frame.Buffer);
        }

        // A frame a tick took just before a barge-in cleared the queue still went out: count it against the barge-in.
        frame.Turn.BargeIn?.FrameSentAfter(_time.GetTimestamp());

        if (turn is not null && frame.Turn == turn)
        {
            turn.FramePlayed(frame, _time.GetTimestamp());
            if (frame.LastOfReply)
            {
                FinishTurn(turn, truncated: false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _uplink.Writer.TryComplete();
        await _disposeCts.CancelAsync().ConfigureAwait(false);
        try
        {
            await _worker.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        ClearQueue();
        _disposeCts.Dispose();
    }

    private void EndUtterance(in TurnEvent evt, long timestampUs)
    {
        _utteranceOpen = false;
        // The detection moment is taken here, on the uplink thread: any lag of the recognition worker
        // behind it is part of the pipeline's own overhead, not hidden from the turn timings.
        _uplink.Writer.TryWrite(new UplinkItem(UplinkKind.End, null, 0, evt, timestampUs, _time.GetTimestamp()));
    }

    /// <summary>Applies queued digits (uplink thread) at the capture time of the frame about to be processed.</summary>
    private void ApplyDigits(long timestampUs)
    {
        while (_digits.TryDequeue(out var digit, out _))
        {
            var evt = _turns.OnDtmf(digit, timestampUs);
            if (evt.Kind == TurnEventKind.TurnEnded)
            {
                // The terminator key ends the turn at once; speech still running starts the next one.
                EndUtterance(evt, timestampUs);
                if (_turns.InTurn)
                {
                    _utteranceOpen = true;
                    _uplink.Writer.TryWrite(new UplinkItem(UplinkKind.Start, null, 0, default));
                }
            }

            TurnEvent?.Invoke(evt);
        }
    }

    private void Post(ReadOnlySpan<short> frame)
    {
        var buffer = ArrayPool<short>.Shared.Rent(FrameSamples);
        frame.CopyTo(buffer);
        _uplink.Writer.TryWrite(new UplinkItem(UplinkKind.Audio, buffer, FrameSamples, default));
    }

    private void BargeIn(in TurnEvent evt)
    {
        // The detection moment, taken before anything is dropped: the downlink must fall silent within a frame or
        // two of it (nothing queued plays on; at most the frame a concurrent tick already took goes out).
        var detectedAt = _time.GetTimestamp();
        var detectedUtc = _time.GetUtcNow();
        AgentTurn? turn;
        BargeInReport? report = null;
        lock (_playGate)
        {
            turn = _current;
            if (turn is not null)
            {
                report = new BargeInReport(turn.TurnId, evt.StartUs, evt.EndUs, detectedAt, detectedUtc);
                turn.BargeIn = report;
            }

            var dropped = ClearQueueLocked();
            if (report is not null)
            {
                report.FramesDropped = dropped;
            }
        }

        if (turn is not null)
        {
            turn.Cancel();
            FinishTurn(turn, truncated: true);
            Interlocked.Increment(ref _bargeIns);
            Volatile.Write(ref _lastBargeIn, report);
        }
    }

    private void ClearQueue()
    {
        lock (_playGate)
        {
            ClearQueueLocked();
        }
    }

    private int ClearQueueLocked()
    {
        var dropped = 0;
        while (_queue.TryDequeue(out var f))
        {
            ArrayPool<short>.Shared.Return(f.Buffer);
            dropped++;
        }

        return dropped;
    }

    private void FinishTurn(AgentTurn turn, bool truncated)
    {
        lock (_playGate)
        {
            if (turn.Finished)
            {
                return;
            }

            turn.Finished = true;
            if (_current == turn)
            {
                _current = null;
            }
        }

        var (played, cut) = turn.PlayedText(truncated);
        if (turn.BargeIn is { } bargeIn)
        {
            bargeIn.PlayedText = played;
            bargeIn.Truncated = cut;
        }

        if (played.Length > 0)
        {
            AddTranscript(new TranscriptEntry(turn.TurnId, "agent", played, _time.GetUtcNow(), cut));
        }

        TurnCompleted?.Invoke(turn.Timings(truncated));
    }

    private void AddTranscript(TranscriptEntry entry)
    {
        lock (_history)
        {
            _history.Add(new ConversationEntry(entry.Speaker, entry.Text));
        }

        TranscriptEntryAdded?.Invoke(entry);
    }

    private async Task RunUplinkAsync()
    {
        var ct = _disposeCts.Token;
        ISpeechRecognitionStream? stream = null;
        var failed = false;
        try
        {
            await foreach (var item in _uplink.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    switch (item.Kind)
                    {
                        case UplinkKind.Start:
                            await DisposeQuietlyAsync(stream).ConfigureAwait(false);
                            stream = null;
                            failed = false;
                            stream = await _stt.StartAsync(ct).AsTask().WaitAsync(_options.EngineTimeout, _time, ct).ConfigureAwait(false);
                            break;
                        case UplinkKind.Audio when stream is not null && !failed:
                            await stream.WriteAsync(item.Buffer.AsMemory(0, item.Length), ct).AsTask().WaitAsync(_options.EngineTimeout, _time, ct).ConfigureAwait(false);
                            break;
                        case UplinkKind.Discard:
                            await DisposeQuietlyAsync(stream).ConfigureAwait(false);
                            stream = null;
                            break;
                        case UplinkKind.End:
                            var s = stream;
                            stream = null;
                            await EndTurnAsync(s, failed, item.Event, item.DetectedUs, item.DetectedAt, ct).ConfigureAwait(false);
                            break;
                    }
                }
                catch (Exception ex) when (ex is SpeechEngineException or TimeoutException or InvalidOperationException && !ct.IsCancellationRequested)
                {
                    // A failed recogniser: keep consuming audio, apologise at the end of the turn.
                    ReportFailure(_stt.Name, ex);
                    failed = true;
                    await DisposeQuietlyAsync(stream).ConfigureAwait(false);
                    stream = null;
                }
                finally
                {
                    if (item.Buffer is not null)
                    {
                        ArrayPool<short>.Shared.Return(item.Buffer);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            while (_uplink.Reader.TryRead(out var rest))
            {
                if (rest.Buffer is not null)
                {
                    ArrayPool<short>.Shared.Return(rest.Buffer);
                }
            }

            await DisposeQuietlyAsync(stream).ConfigureAwait(false);
            var last = _current;
            last?.Cancel();
        }
    }

    private async Task EndTurnAsync(ISpeechRecognitionStream? stream, bool failed, TurnEvent evt, long detectedUs, long endedAt, CancellationToken ct)
    {
        var turnId = ++_nextTurnId;
        string? text = null;
        long? sttStartedAt = null;
        if (stream is not null && !failed)
        {
            try
            {
                sttStartedAt = _time.GetTimestamp();
                var final = await stream.CompleteAsync(ct).WaitAsync(_options.EngineTimeout, _time, ct).ConfigureAwait(false);
                text = final.Text;
            }
            catch (Exception ex) when (ex is SpeechEngineException or TimeoutException or InvalidOperationException && !ct.IsCancellationRequested)
            {
                ReportFailure(_stt.Name, ex);
            }
            finally
            {
                await DisposeQuietlyAsync(stream).ConfigureAwait(false);
            }
        }
        else if (evt.Digits is not null)
        {
            text = string.Empty;
        }

        var sttAt = _time.GetTimestamp();
        var turn = new AgentTurn(this, turnId, evt.EndUs, endedAt, ct) { DetectedUs = detectedUs, Digits = evt.Digits };
        if (text is not null)
        {
            turn.SttFinalAt = sttAt;
            turn.SttStartedAt = sttStartedAt;
            if (text.Length > 0)
            {
                AddTranscript(new TranscriptEntry(turnId, "caller", text, _time.GetUtcNow()));
            }

            IReadOnlyList<ConversationEntry> history;
            lock (_history)
            {
                history = [.. _history];
            }

            var callerTurn = new CallerTurn(turnId, text, evt.Digits, _options.CallSid, history);
            turn.Start(AgentTextAsync(callerTurn, turn, turn.Token));
        }
        else
        {
            // The recogniser failed: say the apology instead of asking the agent.
            turn.Start(Single(_options.Apology));
        }
    }

    private async IAsyncEnumerable<string> AgentTextAsync(CallerTurn callerTurn, AgentTurn turn, [EnumeratorCancellation] CancellationToken ct)
    {
        turn.AgentStartedAt = _time.GetTimestamp();
        await foreach (var chunk in _agent.RespondAsync(callerTurn, ct).ConfigureAwait(false))
        {
            if (chunk.Text.Length > 0)
            {
                turn.AgentFirstTextAt ??= _time.GetTimestamp();
                yield return chunk.Text;
            }
        }
    }

    private static async IAsyncEnumerable<string> Single(string text)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return text;
    }

    private static async ValueTask DisposeQuietlyAsync(ISpeechRecognitionStream? stream)
    {
        if (stream is null)
        {
            return;
        }

        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Disposing a failed engine stream must not take the call down.
        }
    }

    private void ReportFailure(string engine, Exception exception)
    {
        Interlocked.Increment(ref _engineFailures);
        EngineFailed?.Invoke(engine, exception);
    }

    private enum UplinkKind
    {
        Start,
        Audio,
        Discard,
        End,
    }

    private readonly record struct UplinkItem(UplinkKind Kind, short[]? Buffer, int Length, TurnEvent Event, long DetectedUs = 0, long DetectedAt = 0);

    private readonly record struct QueuedFrame(short[] Buffer, AgentTurn Turn, int Sentence, bool LastOfReply);

    /// <summary>One agent reply: its cancellation, the sentences it queued and how much of each was played.</summary>
    private sealed class AgentTurn(CallSpeechPipeline owner, long turnId, long callerEndUs, long endedAt, CancellationToken callToken)
    {
        private readonly CancellationTokenSource _cts = CancellationTokenSource.CreateLinkedTokenSource(callToken);
        private readonly List<SentenceState> _sentences = [];
        private readonly Lock _gate = new();
        private long? _firstFrameAt;

        public long TurnId => turnId;

        public CancellationToken Token => _cts.Token;

        public long? SttFinalAt { get; set; }

        public long? AgentFirstTextAt { get; set; }

        public long? SttStartedAt { get; set; }

        public long? AgentStartedAt { get; set; }

        public long? TtsFirstAudioAt { get; set; }

        public long DetectedUs { get; init; }

        public string? Digits { get; init; }

        /// <summary>Set (under the play gate) when the caller barged in on this turn.</summary>
        public BargeInReport? BargeIn { get; set; }

        public bool Finished { get; set; }

        public TaskCompletionSource Produced { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Start(IAsyncEnumerable<string> text)
        {
            AgentTurn? previous;
            lock (owner._playGate)
            {
                previous = owner._current;
                owner.ClearQueueLocked();
                owner._current = this;
            }

            if (previous is not null)
            {
                previous.Cancel();
                owner.FinishTurn(previous, truncated: true);
            }

            _ = Task.Run(() => ProduceAsync(text));
        }

        public void Cancel()
        {
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void FramePlayed(in QueuedFrame frame, long now)
        {
            lock (_gate)
            {
                _firstFrameAt ??= now;
                _sentences[frame.Sentence].Played += FrameSamples;
            }
        }

        public (string Text, bool Truncated) PlayedText(bool interrupted)
        {
            lock (_gate)
            {
                var sb = new StringBuilder();
                var cut = false;
                foreach (var s in _sentences)
                {
                    if (s.Played == 0)
                    {
                        cut |= interrupted;
                        break;
                    }

                    if (s.Complete && s.Played >= s.Queued)
                    {
                        Append(sb, s.Text);
                        continue;
                    }

                    // Interrupted inside this sentence: keep the words whose share of its audio was played.
                    var words = s.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var total = Math.Max(s.Queued, 1);
                    var heard = (int)Math.Floor(words.Length * Math.Min(1.0, (double)s.Played / total));
                    Append(sb, string.Join(' ', words, 0, heard));
                    cut = true;
                    break;
                }

                return (sb.ToString(), cut && interrupted);
            }
        }

        public TurnTimings Timings(bool interrupted)
        {
            TimeSpan? Since(long? t) => t is { } v ? owner._time.GetElapsedTime(endedAt, v) : null;
            TimeSpan? Between(long? from, long? to) => from is { } a && to is { } b && b >= a ? owner._time.GetElapsedTime(a, b) : null;
            lock (_gate)
            {
                return new TurnTimings(turnId, callerEndUs, Since(SttFinalAt), Since(AgentFirstTextAt), Since(_firstFrameAt))
                {
                    TurnDetectedUs = DetectedUs,
                    SttCompute = Between(SttStartedAt, SttFinalAt),
                    AgentCompute = Between(AgentStartedAt, AgentFirstTextAt),
                    TtsCompute = Between(AgentFirstTextAt ?? SttFinalAt, TtsFirstAudioAt),
                    Interrupted = interrupted,
                    Digits = Digits,
                    BargeInDetectedUs = BargeIn?.DetectedUs,
                };
            }
        }

        private static void Append(StringBuilder sb, string text)
        {
            if (text.Length == 0)
            {
                return;
            }

            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(text);
        }

        private async Task ProduceAsync(IAsyncEnumerable<string> text)
        {
            var carry = new short[FrameSamples];
            var carryCount = 0;
            short[]? pending = null;
            var pendingSentence = 0;
            var produced = false;
            try
            {
                try
                {
                    await SynthesizeAsync(text).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SpeechEngineException or TimeoutException && !_cts.IsCancellationRequested)
                {
                    owner.ReportFailure(owner._tts.Name, ex);
                    try
                    {
                        await SynthesizeAsync(Single(owner._options.Apology)).ConfigureAwait(false);
                    }
                    catch (Exception ex2) when (ex2 is SpeechEngineException or TimeoutException && !_cts.IsCancellationRequested)
                    {
                        owner.ReportFailure(owner._tts.Name, ex2);
                    }
                }

                if (carryCount > 0)
                {
                    var last = ArrayPool<short>.Shared.Rent(FrameSamples);
                    carry.AsSpan(0, carryCount).CopyTo(last);
                    last.AsSpan(carryCount, FrameSamples - carryCount).Clear();
                    Enqueue(last, _sentences.Count - 1, false);
                }

                if (pending is not null)
                {
                    Enqueue(pending, pendingSentence, true);
                    pending = null;
                }
            }
            catch (OperationCanceledException) when (_cts.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                owner.ReportFailure(owner._agent.GetType().Name, ex);
            }
            finally
            {
                if (pending is not null)
                {
                    ArrayPool<short>.Shared.Return(pending);
                }

                Produced.TrySetResult();
                if (!produced)
                {
                    owner.FinishTurn(this, truncated: _cts.IsCancellationRequested);
                }
            }

            async Task SynthesizeAsync(IAsyncEnumerable<string> input)
            {
                var offset = _sentences.Count;
                var e = owner._tts.SynthesizeAsync(input, _cts.Token).GetAsyncEnumerator(_cts.Token);
                await using (e.ConfigureAwait(false))
                {
                    while (await e.MoveNextAsync().AsTask().WaitAsync(owner._options.EngineTimeout, owner._time, _cts.Token).ConfigureAwait(false))
                    {
                        var chunk = e.Current;
                        TtsFirstAudioAt ??= owner._time.GetTimestamp();
                        var index = offset + chunk.SentenceIndex;
                        lock (_gate)
                        {
                            while (_sentences.Count <= index)
                            {
                                _sentences.Add(new SentenceState(chunk.Sentence));
                            }
                        }

                        var samples = chunk.Samples.AsSpan();
                        while (samples.Length > 0)
                        {
                            var take = Math.Min(FrameSamples - carryCount, samples.Length);
                            samples[..take].CopyTo(carry.AsSpan(carryCount));
                            carryCount += take;
                            samples = samples[take..];
                            if (carryCount == FrameSamples)
                            {
                                var frame = ArrayPool<short>.Shared.Rent(FrameSamples);
                                carry.CopyTo(frame, 0);
                                carryCount = 0;

                                // Hold one frame back so the reply's last frame can be marked as such.
                                if (pending is not null)
                                {
                                    Enqueue(pending, pendingSentence, false);
                                }

                                pending = frame;
                                pendingSentence = index;
                            }
                        }

                        if (chunk.EndOfSentence)
                        {
                            lock (_gate)
                            {
                                _sentences[index].Complete = true;
                            }
                        }
                    }
                }
            }

            void Enqueue(short[] frame, int sentence, bool last)
            {
                lock (owner._playGate)
                {
                    if (_cts.IsCancellationRequested || Finished || owner._current != this)
                    {
                        ArrayPool<short>.Shared.Return(frame);
                        return;
                    }

                    lock (_gate)
                    {
                        _sentences[sentence].Queued += FrameSamples;
                    }

                    owner._queue.Enqueue(new QueuedFrame(frame, this, sentence, last));
                    produced |= last;
                }
            }
        }
    }

    private sealed class SentenceState(string text)
    {
        public string Text { get; } = text;

        public long Queued { get; set; }

        public long Played { get; set; }

        public bool Complete { get; set; }
    }
}
