namespace ClutchCall.Voice.Server.Auth;

/// <summary>Who is calling: the org and scopes of the API key on the request.</summary>
internal sealed record ApiPrincipal(string OrgId, string KeyId, IReadOnlyList<string> Scopes)
{
    private const string ItemKey = "clutchcall.principal";

    public static ApiPrincipal Get(HttpContext context) =>
        context.Items[ItemKey] as ApiPrincipal ?? throw new InvalidOperationException("No authenticated principal on this request.");

    public static void Set(HttpContext context, ApiPrincipal principal) => context.Items[ItemKey] = principal;
}
