using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ClutchCall.Voice.Server.Api;

/// <summary>
/// JSON rules of the API: camelCase, nulls omitted, unknown fields and duplicate fields refused,
/// numbers only as JSON numbers. Request bodies are read by <see cref="ReadAsync{T}"/> so every
/// failure becomes a 400 problem whose detail names the field and what was expected.
/// </summary>
internal static class ApiJson
{
    public const int MaxBodyBytes = 64 * 1024;

    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            NumberHandling = JsonNumberHandling.Strict,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            AllowDuplicateProperties = false,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        o.MakeReadOnly();
        return o;
    }

    /// <summary>Reads the body as JSON; either a value or a problem result is returned.</summary>
    public static async Task<(JsonElement Value, IResult? Error)> ReadElementAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is > MaxBodyBytes)
        {
            return (default, Problems.Result(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The request body is larger than {MaxBodyBytes} bytes."));
        }

        if (request.ContentType is { } ct && !ct.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && !ct.Contains("+json", StringComparison.OrdinalIgnoreCase))
        {
            return (default, Problems.Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"The request body must be application/json; got '{ct}'."));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (default, Problems.Result(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The request body is larger than {MaxBodyBytes} bytes."));
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (default, Problems.BadRequest("The request body is empty; expected a JSON object."));
        }

        try
        {
            using var doc = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
            return (doc.RootElement.Clone(), null);
        }
        catch (JsonException ex)
        {
            return (default, Problems.BadRequest($"The request body is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}): {StripPosition(ex.Message)}"));
        }
    }

    /// <summary>Binds a JSON object to <typeparamref name="T"/> with field-level error details.</summary>
    public static (T? Value, IResult? Error) Bind<T>(JsonElement element)
        where T : class
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return (null, Problems.BadRequest($"The request body must be a JSON object; got a JSON {element.ValueKind.ToString().ToLowerInvariant()}."));
        }

        try
        {
            var value = element.Deserialize<T>(Options);
            return value is null ? (null, Problems.BadRequest("The request body must be a JSON object.")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.BadRequest(Describe<T>(ex)));
        }
    }

    /// <summary>Reads and binds in one step.</summary>
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        var (element, error) = await ReadElementAsync(request, cancellationToken).ConfigureAwait(false);
        return error is not null ? (null, error) : Bind<T>(element);
    }

    private static string Describe<T>(JsonException ex)
    {
        var info = Options.GetTypeInfo(typeof(T));
        var allowed = string.Join(", ", info.Properties.Select(p => p.Name));
        const string unmapped = "The JSON property '";
        if (ex.Message.StartsWith(unmapped, StringComparison.Ordinal))
        {
            var end = ex.Message.IndexOf('\'', unmapped.Length);
            var name = end > 0 ? ex.Message[unmapped.Length..end] : "?";
            return $"Unknown field '{name}'. Allowed fields: {allowed}.";
        }

        if (ex.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
        {
            return $"A field appears more than once ({ex.Path ?? "$"}).";
        }

        var field = ex.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : null;
        var property = field is null ? null : info.Properties.FirstOrDefault(x => x.Name == field.Split('.', '[')[0]);
        if (property is not null)
        {
            return $"Field '{field}' {Expectation(property.PropertyType)}.";
        }

        return $"The request body does not match the expected shape at {ex.Path ?? "$"}: {StripPosition(ex.Message)}";
    }

    private static string Expectation(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int) || type == typeof(long))
        {
            return "must be a whole number (a JSON number without a fraction or quotes)";
        }

        if (type == typeof(bool))
        {
            return "must be true or false";
        }

        if (type == typeof(string))
        {
            return "must be a JSON string";
        }

        if (type.IsArray || type.IsGenericType)
        {
            return "must be a JSON array of strings";
        }

        return "has the wrong type";
    }

    private static string StripPosition(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        return cut > 0 ? message[..cut] : message;
    }
}
