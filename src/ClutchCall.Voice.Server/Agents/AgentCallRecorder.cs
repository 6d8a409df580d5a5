using System.Threading.Channels;
using ClutchCall.Voice.Agents.Runtime;
using ClutchCall.Voice.Server.Calls;
using Microsoft.Extensions.Logging;
using PipelineTranscriptEntry = ClutchCall.Voice.Agents.Pipeline.TranscriptEntry;
using TurnTimings = ClutchCall.Voice.Agents.Pipeline.TurnTimings;

namespace ClutchCall.Voice.Server.Agents;

/// <summary>
/// Stores what one call's agent session reports, in order and off the media threads: transcript lines
/// through <see cref="CallService.AppendTranscriptAsync"/> (so the transcript endpoint and the
/// <c>call.ended</c> webhook carry them) and turn timings in <see cref="CallTurnStore"/>.
/// </summary>
internal sealed partial class AgentCallRecorder : ICallAgentObserver, IAsyncDisposable
{
    private readonly string _orgId;
    private readonly string _agent;
    private readonly Func<CallService> _calls;
    private readonly CallTurnStore _turns;
    private readonly TimeProvider _time;
    private readonly TimeSpan _flushTimeout;
    private readonly ILogger _logger;
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public AgentCallRecorder(string orgId, string agent, Func<CallService> calls, CallTurnStore turns, TimeProvider time, TimeSpan flushTimeout, ILogger logger)
    {
        _orgId = orgId;
        _agent = agent;
        _calls = calls;
        _turns = turns;
        _time = time;
        _flushTimeout = flushTimeout;
        _logger = logger;
        _writer = Task.Run(WriteAsync);
    }

    public void OnTranscript(string callSid, PipelineTranscriptEntry entry) => _queue.Writer.TryWrite((callSid, entry));

    public void OnTurn(string callSid, TurnTimings timings) => _queue.Writer.TryWrite((callSid, timings));

    public void OnEngineFailure(string callSid, string engine, Exception error) => LogEngineFailed(error, callSid, engine);

    /// <summary>Stores what is queued (bounded by the flush timeout), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(_flushTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogFlushTimedOut(_flushTimeout);
        }
    }

    private async Task WriteAsync()
    {
        await foreach (var item in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                switch (item)
                {
                    case (string sid, PipelineTranscriptEntry entry):
                        await _calls().AppendTranscriptAsync(_orgId, sid, entry.Speaker, entry.Text, CancellationToken.None).ConfigureAwait(false);
                        break;
                    case (string sid, TurnTimings timings):
                        await _turns.AppendAsync(_orgId, sid, CallTurnRecord.Of(_agent, timings, _time.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
                        break;
                }
            }
            catch (Exception ex)
            {
                // A call deleted or a database hiccup loses one line, never the session.
                LogStoreFailed(ex);
            }
        }
    }

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "Agent on call {CallSid}: engine {Engine} failed; the call goes on")]
    private partial void LogEngineFailed(Exception ex, string callSid, string engine);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Warning, Message = "Storing an agent transcript line or turn timing failed")]
    private partial void LogStoreFailed(Exception ex);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Warning, Message = "Agent transcript/timings not fully stored within {Timeout} after detach")]
    private partial void LogFlushTimedOut(TimeSpan timeout);
}
