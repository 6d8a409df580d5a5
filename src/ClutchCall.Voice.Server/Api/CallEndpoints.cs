using System.Globalization;
using System.Text.Json;
using ClutchCall.Voice.Relay.Auth;
using ClutchCall.Voice.Server.Agents;
using ClutchCall.Voice.Server.Auth;
using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Server.Hosting;
using ClutchCall.Voice.Server.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ClutchCall.Voice.Server.Api;

/// <summary>The <c>/v1/calls</c> routes.</summary>
internal static class CallEndpoints
{
    public const int MinRingTimeout = 5;
    public const int MaxRingTimeout = 120;
    public const int DefaultRingTimeout = 30;
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public static void Map(IEndpointRouteBuilder app)
    {
        var calls = app.MapGroup("/v1/calls").WithTags("Calls");
        var scoped = calls.MapGroup(string.Empty).AddEndpointFilter(new RequireScopeFilter(Scopes.Calls));

        scoped.MapPost("/", OriginateAsync).WithName("OriginateCall")
            .Accepts<OriginateRequest>("application/json").Produces<CallResponse>(StatusCodes.Status201Created).ProducesProblem(400)
            .WithSummary("Place an outbound call; returns the call once it is dialing.");
        scoped.MapGet("/", ListAsync).WithName("ListCalls").Produces<CallListResponse>().ProducesProblem(400)
            .WithSummary("List calls newest first, filtered by status, direction or number, paged by cursor.");
        scoped.MapGet("/{sid}", GetAsync).WithName("GetCall").Produces<CallResponse>().ProducesProblem(404);
        scoped.MapPost("/{sid}/hangup", HangupAsync).WithName("HangupCall").Produces<CallResponse>().ProducesProblem(404).ProducesProblem(409);
        scoped.MapPost("/{sid}/transfer", TransferAsync).WithName("TransferCall")
            .Accepts<TransferRequest>("application/json").Produces<CallResponse>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Transfer to a number ({\"to\"} or a bare JSON string) or to another agent ({\"agent\"}).");
        scoped.MapGet("/{sid}/transcript", TranscriptAsync).WithName("GetTranscript").Produces<TranscriptResponse>().ProducesProblem(404);

        calls.MapPost("/{sid}/agent", AttachAgentAsync).WithName("AttachAgent").AddEndpointFilter(new RequireScopeFilter(Scopes.Agents))
            .Accepts<AttachAgentRequest>("application/json").Produces<CallResponse>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        calls.MapPost("/{sid}/audio-token", AudioTokenAsync).WithName("IssueAudioToken").AddEndpointFilter(new RequireScopeFilter(Scopes.Audio))
            .Accepts<AudioTokenRequest>("application/json").Produces<AudioTokenResponse>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Issue a short-lived relay token for one side of one call's audio.");
    }

    /// <summary>Validates an originate body; returns the command or what was wrong.</summary>
    public static (OriginateCommand? Command, string? Error) Validate(OriginateRequest r)
    {
        var error = Destinations.CheckNumber("to", r.To, allowSimulated: true)
            ?? Destinations.CheckNumber("from", r.From, allowSimulated: false)
            ?? Destinations.CheckAgent("agent", r.Agent)
            ?? CheckTrunk(r.TrunkId);
        if (error is not null)
        {
            return (null, error);
        }

        if (r.RingTimeout is < 0)
        {
            return (null, $"'ringTimeout' must be a whole number of seconds, not negative; values outside {MinRingTimeout}..{MaxRingTimeout} are clamped. Got {r.RingTimeout}.");
        }

        // Seed: "Seconds to ring before giving up. Server-clamped 5..120, default 30."
        var ring = Math.Clamp(r.RingTimeout ?? DefaultRingTimeout, MinRingTimeout, MaxRingTimeout);
        return (new OriginateCommand(r.To!, r.From!, r.TrunkId, r.Agent, ring), null);
    }

    private static string? CheckTrunk(string? trunk)
    {
        if (trunk is null)
        {
            return null;
        }

        return Destinations.CheckAgent("trunkId", trunk);
    }

    private static async Task<IResult> OriginateAsync(HttpContext http, CallService calls, CancellationToken ct)
    {
        var (body, error) = await ApiJson.ReadAsync<OriginateRequest>(http.Request, ct).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        var (command, invalid) = Validate(body!);
        if (invalid is not null)
        {
            return Problems.BadRequest(invalid);
        }

        if (AgentValidation.CheckKnown(http, "agent", command!.Agent) is { } unknownAgent)
        {
            return Problems.BadRequest(unknownAgent);
        }

        var call = await calls.OriginateAsync(ApiPrincipal.Get(http).OrgId, command!, ct).ConfigureAwait(false);
        return Results.Created($"/v1/calls/{call.Sid}", CallResponse.Of(call));
    }

    private static async Task<IResult> GetAsync(string sid, HttpContext http, CallService calls, CancellationToken ct)
    {
        var call = Ids.IsCallSid(sid) ? await calls.GetAsync(ApiPrincipal.Get(http).OrgId, sid, ct).ConfigureAwait(false) : null;
        return call is null ? NotFound(sid) : Results.Ok(CallResponse.Of(call));
    }

    private static async Task<IResult> ListAsync(
        HttpContext http,
        CallService calls,
        [FromQuery] string? status,
        [FromQuery] string? direction,
        [FromQuery] string? number,
        [FromQuery] string? cursor,
        [FromQuery] string? limit,
        CancellationToken ct)
    {
        CallStatus? statusFilter = null;
        if (status is not null)
        {
            if (!CallStatusNames.TryParse(status, out var s))
            {
                return Problems.BadRequest($"Query 'status' must be one of dialing, ringing, in_progress, completed, failed, no_answer; got '{status}'.");
            }

            statusFilter = s;
        }

        CallDirection? directionFilter = direction switch
        {
            null => null,
            "outbound" => CallDirection.Outbound,
            "inbound" => CallDirection.Inbound,
            _ => (CallDirection)(-1),
        };
        if (directionFilter is (CallDirection)(-1))
        {
            return Problems.BadRequest($"Query 'direction' must be 'outbound' or 'inbound'; got '{direction}'.");
        }

        if (number is not null && !Destinations.IsE164(number) && !Destinations.IsSimulated(number))
        {
            return Problems.BadRequest($"Query 'number' must be an E.164 number such as +14155550100 (URL-encode '+' as %2B); got '{number}'.");
        }

        var pageSize = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize < 1 || pageSize > MaxPageSize))
        {
            return Problems.BadRequest($"Query 'limit' must be a whole number from 1 to {MaxPageSize}; got '{limit}'.");
        }

        long? before = null;
        if (cursor is not null)
        {
            if (!TryDecodeCursor(cursor, out var seq))
            {
                return Problems.BadRequest("Query 'cursor' is not a cursor this API returned; pass nextCursor from the previous page unchanged.");
            }

            before = seq;
        }

        var rows = await calls.ListAsync(ApiPrincipal.Get(http).OrgId, new CallQuery(statusFilter, directionFilter, number, pageSize + 1, before), ct).ConfigureAwait(false);
        var page = rows.Take(pageSize).Select(CallResponse.Of).ToArray();
        var next = rows.Count > pageSize ? EncodeCursor(rows[pageSize - 1].Seq) : null;
        return Results.Ok(new CallListResponse(page, next));
    }

    private static async Task<IResult> HangupAsync(string sid, HttpContext http, CallService calls, CancellationToken ct)
    {
        if (!Ids.IsCallSid(sid))
        {
            return NotFound(sid);
        }

        return await Guard(sid, async () => Results.Ok(CallResponse.Of(await calls.HangupAsync(ApiPrincipal.Get(http).OrgId, sid, ct).ConfigureAwait(false)))).ConfigureAwait(false);
    }

    private static async Task<IResult> TransferAsync(string sid, HttpContext http, CallService calls, CancellationToken ct)
    {
        if (!Ids.IsCallSid(sid))
        {
            return NotFound(sid);
        }

        var (element, error) = await ApiJson.ReadElementAsync(http.Request, ct).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        TransferRequest request;
        if (element.ValueKind == JsonValueKind.String)
        {
            // Seed: "Passing a bare string is shorthand for { to }."
            request = new TransferRequest { To = element.GetString() };
        }
        else
        {
            var (bound, bindError) = ApiJson.Bind<TransferRequest>(element);
            if (bindError is not null)
            {
                return bindError;
            }

            request = bound!;
        }

        if ((request.To is null) == (request.Agent is null))
        {
            return Problems.BadRequest("Provide exactly one of 'to' (an E.164 number) or 'agent' (an agent id); a bare JSON string means 'to'.");
        }

        var orgId = ApiPrincipal.Get(http).OrgId;
        if (request.To is not null)
        {
            if (Destinations.CheckNumber("to", request.To, allowSimulated: false) is { } bad)
            {
                return Problems.BadRequest(bad);
            }

            return await Guard(sid, async () => Results.Ok(CallResponse.Of(await calls.TransferToNumberAsync(orgId, sid, request.To, ct).ConfigureAwait(false)))).ConfigureAwait(false);
        }

        if (Destinations.CheckAgent("agent", request.Agent) is { } badAgent)
        {
            return Problems.BadRequest(badAgent);
        }

        if (AgentValidation.CheckKnown(http, "agent", request.Agent) is { } unknownAgent)
        {
            return Problems.BadRequest(unknownAgent);
        }

        return await Guard(sid, async () => Results.Ok(CallResponse.Of(await calls.AttachAgentAsync(orgId, sid, request.Agent!, ct).ConfigureAwait(false)))).ConfigureAwait(false);
    }

    private static async Task<IResult> AttachAgentAsync(string sid, HttpContext http, CallService calls, CancellationToken ct)
    {
        if (!Ids.IsCallSid(sid))
        {
            return NotFound(sid);
        }

        var (body, error) = await ApiJson.ReadAsync<AttachAgentRequest>(http.Request, ct).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (body!.Agent is null)
        {
            return Problems.BadRequest("'agent' is required: the id of the agent to attach.");
        }

        if (Destinations.CheckAgent("agent", body.Agent) is { } bad)
        {
            return Problems.BadRequest(bad);
        }

        if (AgentValidation.CheckKnown(http, "agent", body.Agent) is { } unknownAgent)
        {
            return Problems.BadRequest(unknownAgent);
        }

        return await Guard(sid, async () => Results.Ok(CallResponse.Of(await calls.AttachAgentAsync(ApiPrincipal.Get(http).OrgId, sid, body.Agent, ct).ConfigureAwait(false)))).ConfigureAwait(false);
    }

    private static async Task<IResult> TranscriptAsync(string sid, HttpContext http, CallService calls, CancellationToken ct)
    {
        if (!Ids.IsCallSid(sid))
        {
            return NotFound(sid);
        }

        return await Guard(sid, async () =>
        {
            var entries = await calls.GetTranscriptAsync(ApiPrincipal.Get(http).OrgId, sid, ct).ConfigureAwait(false);
            return Results.Ok(new TranscriptResponse(sid, entries.Select(TranscriptEntryResponse.Of).ToArray()));
        }).ConfigureAwait(false);
    }

    private static async Task<IResult> AudioTokenAsync(
        string sid,
        HttpContext http,
        CallService calls,
        RelayTokenIssuer issuer,
        IOptions<RelayOptions> relay,
        global::ClutchCall.Voice.Server.Relay.RelayQuicListeners quic,
        CancellationToken ct)
    {
        if (!Ids.IsCallSid(sid))
        {
            return NotFound(sid);
        }

        var role = "server";
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            var (body, error) = await ApiJson.ReadAsync<AudioTokenRequest>(http.Request, ct).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            role = body!.Role ?? role;
        }

        if (role is not ("server" or "caller"))
        {
            return Problems.BadRequest($"'role' must be 'server' (subscribe uplink, publish downlink) or 'caller' (publish uplink, subscribe downlink); got '{role}'.");
        }

        var orgId = ApiPrincipal.Get(http).OrgId;
        var call = await calls.GetAsync(orgId, sid, ct).ConfigureAwait(false);
        if (call is null)
        {
            return NotFound(sid);
        }

        if (call.Status.IsTerminal())
        {
            return Problems.Conflict($"Call {sid} has ended ({call.Status.ToWire()}); its audio tracks are gone.");
        }

        var grants = role == "server" ? RelayTrackGrant.ServerSide(sid) : RelayTrackGrant.CallerSide(sid);
        var issued = issuer.Issue(orgId, grants, relay.Value.TokenTtl);
        var relayOptions = relay.Value;
        var (webTransportUrl, certificateHashes) = global::ClutchCall.Voice.Server.Relay.RelayWebTransportInfo.Of(relayOptions, quic);
        return Results.Ok(new AudioTokenResponse(
            issued.Token,
            CallResponse.Iso(issued.ExpiresAt),
            sid,
            role,
            RelayTrackGrant.CallNamespace(sid),
            grants.Where(g => g.Action == RelayAction.Publish).Select(g => g.Track).ToArray(),
            grants.Where(g => g.Action == RelayAction.Subscribe).Select(g => g.Track).ToArray(),
            relayOptions.Host,
            relayOptions.Urls,
            webTransportUrl,
            certificateHashes));
    }

    private static async Task<IResult> Guard(string sid, Func<Task<IResult>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (CallNotFoundException)
        {
            return NotFound(sid);
        }
        catch (CallConflictException ex)
        {
            return Problems.Conflict(ex.Message);
        }
        catch (CallTransitionException ex)
        {
            return Problems.Conflict(ex.Message);
        }
    }

    private static IResult NotFound(string sid) =>
        Problems.NotFound(Ids.IsCallSid(sid) ? $"No call with sid '{sid}' exists in this org." : $"'{sid}' is not a call sid (expected 'CA' followed by 32 hex digits).");

    private static string EncodeCursor(long seq) => "c" + seq.ToString(CultureInfo.InvariantCulture);

    private static bool TryDecodeCursor(string cursor, out long seq)
    {
        seq = 0;
        return cursor.Length > 1 && cursor[0] == 'c' && long.TryParse(cursor.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out seq) && seq > 0;
    }
}
