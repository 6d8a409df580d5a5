using ClutchCall.Voice.Server.Api;

namespace ClutchCall.Voice.Server.Auth;

/// <summary>
/// Authenticates every <c>/v1</c> request by its Bearer API key (RFC 6750 §2.1). Missing or
/// invalid keys get 401 with <c>WWW-Authenticate: Bearer</c> (RFC 6750 §3) and a problem body.
/// An optional <c>ClutchCall-Org</c> header must name the key's own org.
/// </summary>
internal sealed class ApiKeyAuthMiddleware(RequestDelegate next)
{
    public const string OrgHeader = "ClutchCall-Org";

    public async Task InvokeAsync(HttpContext context, ApiKeys keys)
    {
        if (!context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            await ChallengeAsync(context, null, "The request has no Authorization header; send 'Authorization: Bearer <api key>'.").ConfigureAwait(false);
            return;
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            await ChallengeAsync(context, "invalid_request", "The Authorization header must use the Bearer scheme: 'Authorization: Bearer <api key>'.").ConfigureAwait(false);
            return;
        }

        var record = await keys.AuthenticateAsync(header[7..].Trim(), context.RequestAborted).ConfigureAwait(false);
        if (record is null)
        {
            await ChallengeAsync(context, "invalid_token", "The API key is not recognised or has been revoked.").ConfigureAwait(false);
            return;
        }

        var requestedOrg = context.Request.Headers[OrgHeader].ToString();
        if (requestedOrg.Length > 0 && !string.Equals(requestedOrg, record.OrgId, StringComparison.Ordinal))
        {
            await Problems.Write(context, StatusCodes.Status403Forbidden, "Wrong org", $"This API key belongs to org '{record.OrgId}', not '{requestedOrg}' (from the {OrgHeader} header).").ConfigureAwait(false);
            return;
        }

        ApiPrincipal.Set(context, new ApiPrincipal(record.OrgId, record.KeyId, record.Scopes));
        await next(context).ConfigureAwait(false);
    }

    private static Task ChallengeAsync(HttpContext context, string? error, string detail)
    {
        context.Response.Headers.WWWAuthenticate = error is null
            ? "Bearer realm=\"clutchcall-voice\""
            : $"Bearer realm=\"clutchcall-voice\", error=\"{error}\"";
        return Problems.Write(context, StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }
}

/// <summary>Endpoint filter that answers 403 unless the key holds the scope.</summary>
internal sealed class RequireScopeFilter(string scope) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var principal = ApiPrincipal.Get(context.HttpContext);
        if (!Scopes.Grants(principal.Scopes, scope))
        {
            return Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", $"This API key lacks the '{scope}' scope (it has: {string.Join(", ", principal.Scopes)}).");
        }

        return await next(context).ConfigureAwait(false);
    }
}
