using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using ClutchCall.Voice.Server.Storage;
using Microsoft.Extensions.Options;

namespace ClutchCall.Voice.Server.Webhooks;

/// <summary>
/// Delivers queued webhook events: POSTs the signed payload, logs every attempt, and retries
/// failures (non-2xx, timeouts, connection errors) with exponential backoff until
/// <see cref="WebhookOptions.MaxAttempts"/>. The queue lives in the database, so deliveries
/// survive restarts. One worker per database is assumed (see docs/configuration.md).
/// </summary>
internal sealed partial class WebhookWorker(
    IWebhookStore store,
    WebhookSignal signal,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookWorker> logger) : BackgroundService
{
    private const int BatchSize = 32;

    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), AllowAutoRedirect = false })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var due = await store.ListDueAsync(time.GetUtcNow(), BatchSize, stoppingToken).ConfigureAwait(false);
                if (due.Count > 0)
                {
                    await Task.WhenAll(due.Select(d => DeliverAsync(d, stoppingToken))).ConfigureAwait(false);
                    continue;
                }

                var next = await store.NextDueAtAsync(stoppingToken).ConfigureAwait(false);
                wait = options.Value.PollInterval;
                if (next is { } at)
                {
                    var until = at - time.GetUtcNow();
                    wait = until < TimeSpan.Zero ? TimeSpan.Zero : (until < wait ? until : wait);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogScanFailed(ex);
                wait = options.Value.PollInterval;
            }

            try
            {
                using var delay = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var delayTask = Task.Delay(wait, time, delay.Token);
                var signalTask = signal.WaitAsync(wait, delay.Token);
                await Task.WhenAny(delayTask, signalTask).ConfigureAwait(false);
                await delay.CancelAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task DeliverAsync(DueDelivery due, CancellationToken stoppingToken)
    {
        var d = due.Delivery;
        var attempt = d.Attempts + 1;
        var body = Encoding.UTF8.GetBytes(d.PayloadJson);
        var started = time.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        int? statusCode = null;
        string? error = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, due.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.TryAddWithoutValidation(WebhookSigner.HeaderName, WebhookSigner.Sign(due.Secret, started.ToUnixTimeSeconds(), body));
            request.Headers.TryAddWithoutValidation("ClutchCall-Event-Type", d.EventType);
            request.Headers.TryAddWithoutValidation("ClutchCall-Event-Id", d.EventId);
            request.Headers.TryAddWithoutValidation("ClutchCall-Delivery-Id", d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation("ClutchCall-Delivery-Attempt", attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.UserAgent.ParseAdd("ClutchCall-Webhooks/1");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(options.Value.RequestTimeout);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            statusCode = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                error = $"receiver answered HTTP {statusCode}";
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (OperationCanceledException)
        {
            error = $"timed out after {options.Value.RequestTimeout.TotalSeconds:0.#} s";
        }
        catch (HttpRequestException ex)
        {
            error = "connection failed: " + ex.Message;
        }
        catch (Exception ex) when (ex is InvalidOperationException or UriFormatException)
        {
            error = "request failed: " + ex.Message;
        }

        var succeeded = error is null;
        string status;
        DateTimeOffset? nextAt = null;
        if (succeeded)
        {
            status = "succeeded";
        }
        else if (attempt >= options.Value.MaxAttempts)
        {
            status = "failed";
        }
        else
        {
            status = "pending";
            nextAt = time.GetUtcNow() + options.Value.BackoffAfter(attempt);
        }

        if (!succeeded)
        {
            LogAttemptFailed(d.Id, due.Url, attempt, error!);
        }

        try
        {
            await store.RecordAttemptAsync(new DeliveryAttempt(d.Id, attempt, started, statusCode, error, (int)stopwatch.ElapsedMilliseconds), status, nextAt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogRecordFailed(ex, d.Id);
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} to {Url} attempt {Attempt} failed: {Error}")]
    private partial void LogAttemptFailed(long deliveryId, string url, int attempt, string error);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Error, Message = "Webhook queue scan failed")]
    private partial void LogScanFailed(Exception ex);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Error, Message = "Could not record webhook delivery {DeliveryId} attempt")]
    private partial void LogRecordFailed(Exception ex, long deliveryId);
}
