using System.Diagnostics.Metrics;
using ClutchCall.Voice.Agents.Pipeline;

namespace ClutchCall.Voice.Agents.Runtime;

/// <summary>
/// The agent runtime's instruments on meter <see cref="MeterName"/>: per-turn latency histograms (ms, measured
/// from the detected end of the caller's turn), engine failures, live sessions and late downlink frames.
/// </summary>
internal sealed class AgentMetrics : IDisposable
{
    public const string MeterName = "ClutchCall.Voice.Agents";

    private readonly Meter _meter;
    private readonly Histogram<double> _endpointing;
    private readonly Histogram<double> _sttFinal;
    private readonly Histogram<double> _agentFirstText;
    private readonly Histogram<double> _firstFrame;
    private readonly Histogram<double> _sttCompute;
    private readonly Histogram<double> _agentCompute;
    private readonly Histogram<double> _ttsCompute;
    private readonly Histogram<double> _overhead;
    private readonly Counter<long> _turns;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _lateFrames;
    private readonly UpDownCounter<long> _sessions;

    public AgentMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _endpointing = Ms("clutchcall.agent.turn.endpointing", "Caller end of speech to end of turn detected (trailing silence)");
        _sttFinal = Ms("clutchcall.agent.turn.stt_final", "End of turn detected to final recognition result");
        _agentFirstText = Ms("clutchcall.agent.turn.agent_first_text", "End of turn detected to the agent's first text");
        _firstFrame = Ms("clutchcall.agent.turn.first_frame", "End of turn detected to the first reply frame published on downlink");
        _sttCompute = Ms("clutchcall.agent.turn.stt_compute", "Recogniser compute on the latency path");
        _agentCompute = Ms("clutchcall.agent.turn.agent_compute", "Agent compute to its first text");
        _ttsCompute = Ms("clutchcall.agent.turn.tts_compute", "Synthesis compute to the first audio");
        _overhead = Ms("clutchcall.agent.turn.engine_overhead", "First frame latency minus STT, agent and TTS compute");
        _turns = _meter.CreateCounter<long>("clutchcall.agent.turns", "{turn}", "Caller turns answered");
        _failures = _meter.CreateCounter<long>("clutchcall.agent.engine_failures", "{failure}", "Speech engine or agent failures (the call went on)");
        _lateFrames = _meter.CreateCounter<long>("clutchcall.agent.downlink.late_frames", "{frame}", "Downlink frames sent more than 5 ms after their media-clock deadline");
        _sessions = _meter.CreateUpDownCounter<long>("clutchcall.agent.sessions", "{session}", "Agent sessions attached to calls");
    }

    public void Turn(string agent, TurnTimings t)
    {
        var tag = new KeyValuePair<string, object?>("agent", agent);
        _turns.Add(1, tag);
        _endpointing.Record(t.EndpointingDelay.TotalMilliseconds, tag);
        Record(_sttFinal, t.SttFinal, tag);
        Record(_agentFirstText, t.AgentFirstText, tag);
        Record(_firstFrame, t.FirstFrameSent, tag);
        Record(_sttCompute, t.SttCompute, tag);
        Record(_agentCompute, t.AgentCompute, tag);
        Record(_ttsCompute, t.TtsCompute, tag);
        Record(_overhead, t.EngineOverhead, tag);
    }

    public void EngineFailure(string engine) => _failures.Add(1, new KeyValuePair<string, object?>("engine", engine));

    public void LateFrame() => _lateFrames.Add(1);

    public void SessionStarted() => _sessions.Add(1);

    public void SessionEnded() => _sessions.Add(-1);

    public void Dispose() => _meter.Dispose();

    private static void Record(Histogram<double> h, TimeSpan? value, KeyValuePair<string, object?> tag)
    {
        if (value is { } v)
        {
            h.Record(v.TotalMilliseconds, tag);
        }
    }

    private Histogram<double> Ms(string name, string description) => _meter.CreateHistogram<double>(name, "ms", description);
}
