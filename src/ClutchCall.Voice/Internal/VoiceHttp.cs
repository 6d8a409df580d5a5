using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClutchCall.Voice.Internal;

/// <summary>
/// Sends API requests: Bearer auth, JSON bodies, problem-details errors mapped to typed
/// exceptions, and retries (with backoff) only for GET on transient failures.
/// </summary>
internal sealed class VoiceHttp : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _client;
    private readonly bool _ownsClient;
    private readonly string _apiKey;
    private readonly string? _orgId;
    private readonly int _maxAttempts;

    public VoiceHttp(VoiceOptions options)
    {
        BaseUri = NormaliseBaseUrl(options.BaseUrl);
        if (string.IsNullOrWhiteSpace(options.ApiKey))
        {
            throw new ArgumentException("VoiceOptions.ApiKey is required.", nameof(options));
        }

        if (options.MaxAttempts < 1)
        {
            throw new ArgumentException("VoiceOptions.MaxAttempts must be at least 1.", nameof(options));
        }

        _apiKey = options.ApiKey.Trim();
        _orgId = string.IsNullOrWhiteSpace(options.OrgId) ? null : options.OrgId;
        _maxAttempts = options.MaxAttempts;
        _ownsClient = options.HttpClient is null;
        _client = options.HttpClient ?? new HttpClient();
    }

    public Uri BaseUri { get; }

    /// <summary>BaseUrl must be an absolute http(s) origin; one trailing slash is trimmed.</summary>
    public static Uri NormaliseBaseUrl(string? baseUrl)
    {
        if (string.IsNullOrWhiteSpace(baseUrl))
        {
            throw new ArgumentException("VoiceOptions.BaseUrl is required, e.g. https://voice.example.com.", nameof(baseUrl));
        }

        var trimmed = baseUrl.Trim().TrimEnd('/');
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"VoiceOptions.BaseUrl must be an absolute http:// or https:// URL; got '{baseUrl}'.", nameof(baseUrl));
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new ArgumentException($"VoiceOptions.BaseUrl must be an origin without path, query or fragment (the SDK adds /v1/…); got '{baseUrl}'.", nameof(baseUrl));
        }

        return new Uri(uri.GetLeftPart(UriPartial.Authority));
    }

    public async Task<T> SendAsync<T>(HttpMethod method, string pathAndQuery, object? body, CancellationToken cancellationToken)
    {
        var idempotent = method == HttpMethod.Get;
        var attempts = idempotent ? _maxAttempts : 1;
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, new Uri(BaseUri, pathAndQuery));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (_orgId is not null)
            {
                request.Headers.TryAddWithoutValidation("ClutchCall-Org", _orgId);
            }

            if (body is not null)
            {
                request.Content = JsonContent.Create(body, body.GetType(), options: Json);
            }

            HttpResponseMessage response;
            try
            {
                response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (attempt < attempts)
            {
                await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (TaskCanceledException) when (attempt < attempts && !cancellationToken.IsCancellationRequested)
            {
                await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            using (response)
            {
                if (attempt < attempts && IsTransient(response.StatusCode))
                {
                    await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw await ReadProblemAsync(response, cancellationToken).ConfigureAwait(false);
                }

                try
                {
                    return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false)
                        ?? throw new VoiceProtocolException($"{method} {pathAndQuery} returned an empty body.");
                }
                catch (JsonException ex)
                {
                    throw new VoiceProtocolException($"{method} {pathAndQuery} returned JSON this SDK cannot read: {ex.Message}", ex);
                }
            }
        }
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private static Task DelayAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt - 1)), cancellationToken);

    private static async Task<VoiceApiException> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ProblemWire? problem = null;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (text.Length > 0)
        {
            try
            {
                problem = JsonSerializer.Deserialize<ProblemWire>(text, Json);
            }
            catch (JsonException)
            {
                // Not a problem document (e.g. a proxy's HTML page): report the raw text.
            }
        }

        var detail = problem?.Detail ?? (text.Length > 0 ? (text.Length > 500 ? text[..500] : text) : null);
        return VoiceApiException.Create(response.StatusCode, problem?.Title ?? response.ReasonPhrase, detail, problem?.Type);
    }
}
