using ClutchCall.Voice.Server.Api;
using ClutchCall.Voice.Server.Auth;
using ClutchCall.Voice.Server.Calls;

namespace ClutchCall.Voice.Server.Sip;

/// <summary>POST /v1/calls/{sid}/digits body.</summary>
internal sealed class SendDigitsRequest
{
    /// <summary>Digits to send: 0-9, *, #, A-D.</summary>
    public string? Digits { get; set; }
}

/// <summary>The SIP-specific call routes: <c>POST /v1/calls/{sid}/digits</c>.</summary>
internal static class SipEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/calls").WithTags("Calls").AddEndpointFilter(new RequireScopeFilter(Scopes.Calls))
            .MapPost("/{sid}/digits", SendDigitsAsync).WithName("SendDigits")
            .Accepts<SendDigitsRequest>("application/json").Produces<CallResponse>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Send DTMF digits (RFC 4733 telephone-events) on a SIP call in progress; returns once they were sent.");
    }

    private static async Task<IResult> SendDigitsAsync(string sid, HttpContext http, CallService calls, IServiceProvider services, CancellationToken ct)
    {
        if (!Ids.IsCallSid(sid))
        {
            return NotFound(sid);
        }

        var (body, error) = await ApiJson.ReadAsync<SendDigitsRequest>(http.Request, ct).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (SipDigits.Check(body!.Digits) is { } bad)
        {
            return Problems.BadRequest(bad);
        }

        var call = await calls.GetAsync(ApiPrincipal.Get(http).OrgId, sid, ct).ConfigureAwait(false);
        if (call is null)
        {
            return NotFound(sid);
        }

        if (call.Status != CallStatus.InProgress)
        {
            return Problems.Conflict($"Digits can only be sent on a call in progress; call {sid} is {call.Status.ToWire()}.");
        }

        if (services.GetService<SipBridgeServices>()?.Find(sid) is not { } leg)
        {
            return Problems.Conflict($"Call {sid} has no SIP leg on this server; digits can only be sent on SIP trunk calls.");
        }

        try
        {
            await leg.SendDigitsAsync(body.Digits!, ct).ConfigureAwait(false);
        }
        catch (CallConflictException ex)
        {
            return Problems.Conflict(ex.Message);
        }

        return Results.Ok(CallResponse.Of(call));
    }

    private static IResult NotFound(string sid) =>
        Problems.NotFound(Ids.IsCallSid(sid) ? $"No call with sid '{sid}' exists in this org." : $"'{sid}' is not a call sid (expected 'CA' followed by 32 hex digits).");
}
