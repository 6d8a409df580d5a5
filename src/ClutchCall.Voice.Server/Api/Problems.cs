using Microsoft.AspNetCore.Mvc;

namespace ClutchCall.Voice.Server.Api;

/// <summary>
/// RFC 9457 problem details. <c>type</c> is a stable URI per kind of problem (listed in
/// docs/api.md); <c>detail</c> says exactly what was wrong with this request.
/// </summary>
internal static class Problems
{
    public const string TypeBase = "https://clutchcall.dev/problems/";

    public static string TypeFor(int status) => TypeBase + status switch
    {
        400 => "invalid-request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        409 => "conflict",
        413 => "payload-too-large",
        415 => "unsupported-media-type",
        503 => "unavailable",
        _ => "error",
    };

    public static IResult Result(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: TypeFor(status));

    public static IResult BadRequest(string detail) => Result(StatusCodes.Status400BadRequest, "Invalid request", detail);

    public static IResult NotFound(string detail) => Result(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail) => Result(StatusCodes.Status409Conflict, "Conflict", detail);

    /// <summary>Writes a problem directly (middleware, before endpoint routing).</summary>
    public static Task Write(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = TypeFor(status), Instance = context.Request.Path };
        return context.Response.WriteAsJsonAsync(problem, ApiJson.Options, "application/problem+json", context.RequestAborted);
    }
}
