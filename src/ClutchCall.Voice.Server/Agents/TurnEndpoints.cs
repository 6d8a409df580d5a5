using ClutchCall.Voice.Server.Api;
using ClutchCall.Voice.Server.Auth;
using ClutchCall.Voice.Server.Calls;

namespace ClutchCall.Voice.Server.Agents;

/// <summary>One agent turn's latencies in milliseconds, measured from the detected end of the caller's turn.</summary>
/// <param name="TurnId">The turn (increases through the call).</param>
/// <param name="Agent">The agent that answered it.</param>
/// <param name="EndpointingMs">Caller end of speech → end of turn detected (the trailing-silence wait).</param>
/// <param name="SttFinalMs">End of turn → final recognition.</param>
/// <param name="AgentFirstTextMs">End of turn → the agent's first text.</param>
/// <param name="FirstFrameMs">End of turn → first reply frame published on downlink.</param>
/// <param name="SttComputeMs">Recogniser compute on the latency path.</param>
/// <param name="AgentComputeMs">Agent compute to its first text.</param>
/// <param name="TtsComputeMs">Synthesis compute to the first audio.</param>
/// <param name="EngineOverheadMs">FirstFrameMs minus the three compute figures: the engine's own cost.</param>
/// <param name="Interrupted">The reply was cut short (barge-in, a newer turn or hangup).</param>
/// <param name="At">When the turn finished (ISO-8601).</param>
/// <param name="Digits">DTMF digits the caller pressed in the turn (the terminator key excluded), or null.</param>
/// <param name="BargeIn">True when caller speech over the reply cut it (a barge-in).</param>
internal sealed record TurnResponse(
    long TurnId,
    string Agent,
    double EndpointingMs,
    double? SttFinalMs,
    double? AgentFirstTextMs,
    double? FirstFrameMs,
    double? SttComputeMs,
    double? AgentComputeMs,
    double? TtsComputeMs,
    double? EngineOverheadMs,
    bool Interrupted,
    string At,
    string? Digits,
    bool BargeIn)
{
    public static TurnResponse Of(CallTurnRecord t) => new(
        t.TurnId,
        t.Agent,
        Ms(t.EndpointingUs)!.Value,
        Ms(t.SttFinalUs),
        Ms(t.AgentFirstTextUs),
        Ms(t.FirstFrameUs),
        Ms(t.SttComputeUs),
        Ms(t.AgentComputeUs),
        Ms(t.TtsComputeUs),
        Ms(t.EngineOverheadUs),
        t.Interrupted,
        CallResponse.Iso(t.At),
        t.Digits,
        t.BargeInDetectedUs is not null);

    private static double? Ms(long? us) => us is { } v ? Math.Round(v / 1000.0, 3) : null;
}

/// <summary>The turns of one call, oldest first.</summary>
internal sealed record TurnListResponse(string Sid, IReadOnlyList<TurnResponse> Turns);

/// <summary>The <c>GET /v1/calls/{sid}/turns</c> route: per-turn agent timings.</summary>
internal static class TurnEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/calls").WithTags("Calls").AddEndpointFilter(new RequireScopeFilter(Scopes.Calls))
            .MapGet("/{sid}/turns", ListAsync).WithName("GetCallTurns").Produces<TurnListResponse>().ProducesProblem(404)
            .WithSummary("Per-turn agent latencies: end of speech → STT final → agent first text → first reply frame, and the engine's own overhead.");
    }

    private static async Task<IResult> ListAsync(string sid, HttpContext http, CallService calls, CallTurnStore turns, CancellationToken ct)
    {
        var orgId = ApiPrincipal.Get(http).OrgId;
        if (!Ids.IsCallSid(sid) || await calls.GetAsync(orgId, sid, ct).ConfigureAwait(false) is null)
        {
            return Problems.NotFound(Ids.IsCallSid(sid) ? $"No call with sid '{sid}' exists in this org." : $"'{sid}' is not a call sid (expected 'CA' followed by 32 hex digits).");
        }

        var list = await turns.ListAsync(orgId, sid, ct).ConfigureAwait(false);
        return Results.Ok(new TurnListResponse(sid, list.Select(TurnResponse.Of).ToArray()));
    }
}
