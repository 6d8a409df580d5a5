using Microsoft.Extensions.Logging;

namespace ClutchCall.Voice.Server.Calls.Simulated;

/// <summary>Which built-in test line a call reached.</summary>
internal enum SimulatedLine
{
    /// <summary><c>sim:echo</c>: speaks a short greeting, then echoes what it hears on downlink back on uplink.</summary>
    Echo,

    /// <summary><c>sim:speech</c>: loops synthesized speech on uplink (no echo: two streams would interleave on one track).</summary>
    Speech,
}

/// <summary>A simulated call the test line has just answered.</summary>
internal sealed record SimulatedCallContext(string OrgId, string CallSid, SimulatedLine Line);

/// <summary>
/// Seam for the test line's audio. When a <c>sim:*</c> call is answered the simulated leg calls
/// <see cref="RunAsync"/>; the implementation joins the relay as the caller side of
/// <c>voice/&lt;sid&gt;</c> (publish uplink, subscribe downlink), speaks and/or echoes, and returns
/// when the <c>callEnded</c> token fires (hangup, transfer or ring timeout). The host registers
/// the relay-backed implementation; until then <see cref="SilentSimulatedCallee"/> answers with no audio.
/// </summary>
internal interface ISimulatedCallee
{
    Task RunAsync(SimulatedCallContext context, CancellationToken callEnded);
}

/// <summary>The test line without audio: it answers and stays silent until the call ends.</summary>
internal sealed partial class SilentSimulatedCallee(ILogger<SilentSimulatedCallee> logger) : ISimulatedCallee
{
    public Task RunAsync(SimulatedCallContext context, CancellationToken callEnded)
    {
        LogSilent(context.CallSid, context.Line);
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Debug, Message = "Test line {Line} answered call {CallSid} without audio (no relay-backed callee registered)")]
    private partial void LogSilent(string callSid, SimulatedLine line);
}
