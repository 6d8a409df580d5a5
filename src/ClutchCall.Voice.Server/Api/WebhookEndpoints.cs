using System.Globalization;
using ClutchCall.Voice.Server.Auth;
using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Server.Storage;
using ClutchCall.Voice.Server.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace ClutchCall.Voice.Server.Api;

/// <summary>The <c>/v1/webhooks</c> routes: CRUD, delivery log, stats. Scope <c>voice:calls</c>.</summary>
internal static class WebhookEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/v1/webhooks").WithTags("Webhooks").AddEndpointFilter(new RequireScopeFilter(Scopes.Calls));
        hooks.MapPost("/", CreateAsync).WithName("CreateWebhook").Accepts<WebhookRequest>("application/json")
            .Produces<WebhookResponse>(StatusCodes.Status201Created).ProducesProblem(400)
            .WithSummary("Register a webhook URL; the response carries its signing secret, shown only once.");
        hooks.MapGet("/", ListAsync).WithName("ListWebhooks").Produces<WebhookListResponse>();
        hooks.MapGet("/{id}", GetAsync).WithName("GetWebhook").Produces<WebhookResponse>().ProducesProblem(404);
        hooks.MapPatch("/{id}", UpdateAsync).WithName("UpdateWebhook").Accepts<WebhookRequest>("application/json")
            .Produces<WebhookResponse>().ProducesProblem(400).ProducesProblem(404);
        hooks.MapDelete("/{id}", DeleteAsync).WithName("DeleteWebhook").Produces(StatusCodes.Status204NoContent).ProducesProblem(404);
        hooks.MapGet("/{id}/deliveries", DeliveriesAsync).WithName("ListWebhookDeliveries").Produces<DeliveryListResponse>().ProducesProblem(404);
        hooks.MapGet("/{id}/stats", StatsAsync).WithName("GetWebhookStats").Produces<DeliveryStatsResponse>().ProducesProblem(404);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, IWebhookStore store, TimeProvider time, CancellationToken ct)
    {
        var (body, error) = await ApiJson.ReadAsync<WebhookRequest>(http.Request, ct).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (body!.Url is null)
        {
            return Problems.BadRequest("'url' is required: the absolute http(s) URL to POST events to.");
        }

        if ((CheckUrl(body.Url) ?? CheckEvents(body.Events)) is { } bad)
        {
            return Problems.BadRequest(bad);
        }

        var hook = new WebhookRecord(Ids.NewWebhookId(), ApiPrincipal.Get(http).OrgId, body.Url, WebhookSigner.NewSecret(), Normalise(body.Events), body.Enabled ?? true, time.GetUtcNow());
        await store.InsertAsync(hook, ct).ConfigureAwait(false);
        return Results.Created($"/v1/webhooks/{hook.Id}", WebhookResponse.Of(hook, withSecret: true));
    }

    private static async Task<IResult> ListAsync(HttpContext http, IWebhookStore store, CancellationToken ct)
    {
        var hooks = await store.ListAsync(ApiPrincipal.Get(http).OrgId, ct).ConfigureAwait(false);
        return Results.Ok(new WebhookListResponse(hooks.Select(h => WebhookResponse.Of(h, withSecret: false)).ToArray()));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, IWebhookStore store, CancellationToken ct)
    {
        var hook = await FindAsync(id, http, store, ct).ConfigureAwait(false);
        return hook is null ? NotFound(id) : Results.Ok(WebhookResponse.Of(hook, withSecret: false));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, IWebhookStore store, CancellationToken ct)
    {
        var hook = await FindAsync(id, http, store, ct).ConfigureAwait(false);
        if (hook is null)
        {
            return NotFound(id);
        }

        var (body, error) = await ApiJson.ReadAsync<WebhookRequest>(http.Request, ct).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (((body!.Url is null ? null : CheckUrl(body.Url)) ?? CheckEvents(body.Events)) is { } bad)
        {
            return Problems.BadRequest(bad);
        }

        var updated = hook with
        {
            Url = body.Url ?? hook.Url,
            Events = body.Events is null ? hook.Events : Normalise(body.Events),
            Enabled = body.Enabled ?? hook.Enabled,
        };
        return await store.UpdateAsync(updated, ct).ConfigureAwait(false) ? Results.Ok(WebhookResponse.Of(updated, withSecret: false)) : NotFound(id);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, IWebhookStore store, CancellationToken ct) =>
        Ids.IsWebhookId(id) && await store.DeleteAsync(ApiPrincipal.Get(http).OrgId, id, ct).ConfigureAwait(false) ? Results.NoContent() : NotFound(id);

    private static async Task<IResult> DeliveriesAsync(string id, HttpContext http, IWebhookStore store, [FromQuery] string? limit, CancellationToken ct)
    {
        if (await FindAsync(id, http, store, ct).ConfigureAwait(false) is null)
        {
            return NotFound(id);
        }

        var pageSize = 50;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize < 1 || pageSize > 200))
        {
            return Problems.BadRequest($"Query 'limit' must be a whole number from 1 to 200; got '{limit}'.");
        }

        var deliveries = await store.ListDeliveriesAsync(ApiPrincipal.Get(http).OrgId, id, pageSize, ct).ConfigureAwait(false);
        var items = new List<DeliveryResponse>(deliveries.Count);
        foreach (var d in deliveries)
        {
            var attempts = await store.ListAttemptsAsync(d.Id, ct).ConfigureAwait(false);
            items.Add(new DeliveryResponse(
                d.Id,
                d.EventId,
                d.EventType,
                d.Status,
                d.Attempts,
                d.LastStatusCode,
                d.LastError,
                d.NextAttemptAt is { } n && d.Status == "pending" ? CallResponse.Iso(n) : null,
                CallResponse.Iso(d.CreatedAt),
                d.CompletedAt is { } c ? CallResponse.Iso(c) : null,
                attempts.Select(a => new DeliveryAttemptResponse(a.Attempt, CallResponse.Iso(a.At), a.StatusCode, a.Error, a.DurationMs)).ToArray()));
        }

        return Results.Ok(new DeliveryListResponse(items));
    }

    private static async Task<IResult> StatsAsync(string id, HttpContext http, IWebhookStore store, CancellationToken ct)
    {
        if (await FindAsync(id, http, store, ct).ConfigureAwait(false) is null)
        {
            return NotFound(id);
        }

        var s = await store.GetStatsAsync(ApiPrincipal.Get(http).OrgId, id, ct).ConfigureAwait(false);
        return Results.Ok(new DeliveryStatsResponse(
            id,
            s.Pending,
            s.Succeeded,
            s.Failed,
            s.TotalAttempts,
            s.LastSuccessAt is { } ok ? CallResponse.Iso(ok) : null,
            s.LastFailureAt is { } bad ? CallResponse.Iso(bad) : null));
    }

    private static async Task<WebhookRecord?> FindAsync(string id, HttpContext http, IWebhookStore store, CancellationToken ct) =>
        Ids.IsWebhookId(id) ? await store.GetAsync(ApiPrincipal.Get(http).OrgId, id, ct).ConfigureAwait(false) : null;

    private static IResult NotFound(string id) => Problems.NotFound($"No webhook with id '{id}' exists in this org.");

    private static string? CheckUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return $"'url' must be an absolute http:// or https:// URL; got '{(url.Length > 80 ? url[..80] + "…" : url)}'.";
        }

        return url.Length > 2048 ? "'url' must be at most 2048 characters." : null;
    }

    private static string? CheckEvents(string[]? events)
    {
        if (events is null)
        {
            return null;
        }

        foreach (var e in events)
        {
            if (e != "*" && !CallEvents.All.Contains(e))
            {
                return $"Unknown event '{e}' in 'events'; known events are {string.Join(", ", CallEvents.All)} (or '*' for all).";
            }
        }

        return null;
    }

    private static string[] Normalise(string[]? events) =>
        events is null || events.Length == 0 || events.Contains("*") ? ["*"] : events.Distinct(StringComparer.Ordinal).ToArray();
}
