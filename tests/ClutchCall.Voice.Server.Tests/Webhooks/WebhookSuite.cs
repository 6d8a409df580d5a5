using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ClutchCall.Voice.Server.Tests.Api;
using ClutchCall.Voice.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClutchCall.Voice.Server.Tests.Webhooks;

/// <summary>Webhook delivery to a real local HTTP receiver; run once per storage backend.</summary>
public abstract class WebhookSuite(PostgresServer postgres, Backend backend) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _disposables = [];
    private TestServer? _server;

    private static readonly Dictionary<string, string> FastRetries = new()
    {
        ["Webhooks:InitialBackoff"] = "00:00:00.200",
        ["Webhooks:MaxBackoff"] = "00:00:00.400",
        ["Webhooks:PollInterval"] = "00:00:00.100",
        ["Webhooks:RequestTimeout"] = "00:00:02",
        ["TestLine:DialDelay"] = "00:00:00.010",
        ["TestLine:RingDuration"] = "00:00:00.050",
    };

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _disposables)
        {
            await d.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server.DeleteData();
        }
    }

    [Fact]
    public async Task Deliveries_SignedAndVerifiable_CoverCallLifecycle()
    {
        _server = await TestServer.StartAsync(backend, postgres, settings: FastRetries);
        var receiver = await Receiver.StartAsync(FreePort());
        _disposables.Add(receiver);
        var (_, key) = await _server.CreateOrgAndKeyAsync();
        using var http = CallApiSuite.Raw(_server, key);
        var ct = TestContext.Current.CancellationToken;

        var created = await http.PostAsync("/v1/webhooks", CallApiSuite.Json($$"""{"url":"{{receiver.Url}}","events":["call.started","call.ended"]}"""), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var hook = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct));
        var secret = hook.RootElement.GetProperty("secret").GetString()!;
        var hookId = hook.RootElement.GetProperty("id").GetString()!;
        Assert.StartsWith("whsec_", secret);

        // Unsubscribed event types are not delivered; the secret is not shown again.
        var shown = await http.GetStringAsync($"/v1/webhooks/{hookId}", ct);
        Assert.DoesNotContain("secret", shown);

        using var voice = _server.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await voice.Calls.GetAsync(call.Sid, ct)).Status != CallStatus.InProgress)
        {
            Assert.True(DateTime.UtcNow < deadline, "call never answered");
            await Task.Delay(20, ct);
        }

        await call.HangupAsync(ct);
        var received = await receiver.WaitForAsync(2, TimeSpan.FromSeconds(10));
        foreach (var r in received)
        {
            Assert.True(WebhookSignature.Verify(r.Signature, r.Body, secret), $"signature {r.Signature} does not verify");
            Assert.False(WebhookSignature.Verify(r.Signature, r.Body + " ", secret));
            Assert.False(WebhookSignature.Verify(r.Signature, r.Body, secret + "x"));
            Assert.False(WebhookSignature.Verify(r.Signature, r.Body, secret, now: DateTimeOffset.UtcNow.AddMinutes(10)));
        }

        var types = received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()!).ToArray();
        Assert.Equal(["call.started", "call.ended"], types);
        using var ended = JsonDocument.Parse(received[1].Body);
        var data = ended.RootElement.GetProperty("data");
        Assert.Equal(call.Sid, data.GetProperty("call").GetProperty("sid").GetString());
        Assert.Equal("completed", data.GetProperty("call").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Array, data.GetProperty("transcript").ValueKind);
        Assert.Equal("call.ended", received[1].EventType);

        // The worker records a delivery as succeeded only after the receiver's response arrives, so the
        // receiver can see the second delivery a moment before the log says so: poll, with a deadline.
        var statsDeadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement stats;
        while (true)
        {
            stats = JsonDocument.Parse(await http.GetStringAsync($"/v1/webhooks/{hookId}/stats", ct)).RootElement;
            if (stats.GetProperty("succeeded").GetInt64() == 2 || DateTime.UtcNow > statsDeadline)
            {
                break;
            }

            await Task.Delay(50, ct);
        }

        Assert.Equal(2, stats.GetProperty("succeeded").GetInt64());
        Assert.Equal(0, stats.GetProperty("pending").GetInt64());
    }

    [Fact]
    public async Task Dtmf_ReceivedDigit_CallDtmfEventWithTheDigitAndTranscriptLine()
    {
        _server = await TestServer.StartAsync(backend, postgres, settings: FastRetries);
        var receiver = await Receiver.StartAsync(FreePort());
        _disposables.Add(receiver);
        var (orgId, key) = await _server.CreateOrgAndKeyAsync();
        using var http = CallApiSuite.Raw(_server, key);
        var ct = TestContext.Current.CancellationToken;
        var created = await http.PostAsync("/v1/webhooks", CallApiSuite.Json($$"""{"url":"{{receiver.Url}}","events":["call.dtmf"]}"""), ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var voice = _server.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);

        // What the SIP bridge does for each RFC 4733 digit it receives.
        var calls = _server.Services.GetRequiredService<ClutchCall.Voice.Server.Calls.CallService>();
        await calls.AppendTranscriptAsync(orgId, call.Sid, ClutchCall.Voice.Server.Calls.CallService.DtmfSpeaker, "7", ct);
        await calls.AppendTranscriptAsync(orgId, call.Sid, "caller", "not a digit", ct);

        var received = await receiver.WaitForAsync(1, TimeSpan.FromSeconds(10));
        using var doc = JsonDocument.Parse(received[0].Body);
        Assert.Equal("call.dtmf", doc.RootElement.GetProperty("type").GetString());
        var data = doc.RootElement.GetProperty("data");
        Assert.Equal(call.Sid, data.GetProperty("call").GetProperty("sid").GetString());
        var line = Assert.Single(data.GetProperty("transcript").EnumerateArray());
        Assert.Equal("dtmf", line.GetProperty("speaker").GetString());
        Assert.Equal("7", line.GetProperty("text").GetString());

        var transcript = await http.GetStringAsync($"/v1/calls/{call.Sid}/transcript", ct);
        Assert.Contains("\"7\"", transcript, StringComparison.Ordinal);
        await Task.Delay(300, ct);
        Assert.Single(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(1))); // the caller line raised no event
    }

    [Fact]
    public async Task Delivery_ReceiverDown_RetriesWithBackoff_SucceedsWhenItComesUp()
    {
        _server = await TestServer.StartAsync(backend, postgres, settings: FastRetries);
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}/hook";
        var (_, key) = await _server.CreateOrgAndKeyAsync();
        using var http = CallApiSuite.Raw(_server, key);
        var ct = TestContext.Current.CancellationToken;
        var created = await http.PostAsync("/v1/webhooks", CallApiSuite.Json($$"""{"url":"{{url}}","events":["call.started"]}"""), ct);
        using var hook = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct));
        var hookId = hook.RootElement.GetProperty("id").GetString()!;
        var secret = hook.RootElement.GetProperty("secret").GetString()!;

        using var voice = _server.Sdk(key);
        await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);

        // Wait until at least two attempts have failed against the closed port.
        JsonElement delivery = default;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var log = JsonDocument.Parse(await http.GetStringAsync($"/v1/webhooks/{hookId}/deliveries", ct)).RootElement.GetProperty("items");
            if (log.GetArrayLength() == 1 && log[0].GetProperty("attempts").GetInt32() >= 2)
            {
                delivery = log[0];
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "no retries observed");
            await Task.Delay(50, ct);
        }

        Assert.Equal("pending", delivery.GetProperty("status").GetString());
        Assert.Contains("connection failed", delivery.GetProperty("lastError").GetString());
        Assert.NotNull(delivery.GetProperty("nextAttemptAt").GetString());
        var firstAttempts = delivery.GetProperty("attemptLog");
        Assert.True(firstAttempts.GetArrayLength() >= 2);

        var receiver = await Receiver.StartAsync(port);
        _disposables.Add(receiver);
        var got = await receiver.WaitForAsync(1, TimeSpan.FromSeconds(10));
        Assert.True(WebhookSignature.Verify(got[0].Signature, got[0].Body, secret));
        Assert.True(int.Parse(got[0].Attempt) >= 3);

        deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var d = JsonDocument.Parse(await http.GetStringAsync($"/v1/webhooks/{hookId}/deliveries", ct)).RootElement.GetProperty("items")[0];
            if (d.GetProperty("status").GetString() == "succeeded")
            {
                Assert.Equal(200, d.GetProperty("lastStatusCode").GetInt32());
                var attempts = d.GetProperty("attemptLog").EnumerateArray().ToArray();
                Assert.True(attempts.Length >= 3);
                Assert.All(attempts[..^1], a => Assert.False(a.TryGetProperty("statusCode", out _)));
                Assert.Equal(200, attempts[^1].GetProperty("statusCode").GetInt32());
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "delivery never marked succeeded");
            await Task.Delay(50, ct);
        }

        var stats = JsonDocument.Parse(await http.GetStringAsync($"/v1/webhooks/{hookId}/stats", ct)).RootElement;
        Assert.Equal(1, stats.GetProperty("succeeded").GetInt64());
        Assert.True(stats.GetProperty("totalAttempts").GetInt64() >= 3);
    }

    [Fact]
    public async Task Webhooks_Crud_ValidatesAndIsOrgScoped()
    {
        _server = await TestServer.StartAsync(backend, postgres);
        var (_, key) = await _server.CreateOrgAndKeyAsync();
        var (_, otherKey) = await _server.CreateOrgAndKeyAsync();
        using var http = CallApiSuite.Raw(_server, key);
        using var other = CallApiSuite.Raw(_server, otherKey);
        var ct = TestContext.Current.CancellationToken;
        await CallApiSuite.AssertProblemAsync(await http.PostAsync("/v1/webhooks", CallApiSuite.Json("""{"url":"ftp://x"}"""), ct), 400, "'url' must be an absolute");
        await CallApiSuite.AssertProblemAsync(await http.PostAsync("/v1/webhooks", CallApiSuite.Json("""{"url":"https://example.com/h","events":["call.exploded"]}"""), ct), 400, "Unknown event 'call.exploded'");
        await CallApiSuite.AssertProblemAsync(await http.PostAsync("/v1/webhooks", CallApiSuite.Json("""{"url":"https://example.com/h","secret":"mine"}"""), ct), 400, "Unknown field 'secret'");

        var created = await http.PostAsync("/v1/webhooks", CallApiSuite.Json("""{"url":"https://example.com/h"}"""), ct);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("id").GetString()!;
        Assert.Contains(id, await http.GetStringAsync("/v1/webhooks", ct));
        Assert.DoesNotContain(id, await other.GetStringAsync("/v1/webhooks", ct));
        await CallApiSuite.AssertProblemAsync(await other.GetAsync($"/v1/webhooks/{id}", ct), 404, id);
        await CallApiSuite.AssertProblemAsync(await other.DeleteAsync($"/v1/webhooks/{id}", ct), 404, id);

        var patched = await http.PatchAsync($"/v1/webhooks/{id}", CallApiSuite.Json("""{"enabled":false,"events":["call.ended"]}"""), ct);
        var body = JsonDocument.Parse(await patched.Content.ReadAsStringAsync(ct)).RootElement;
        Assert.False(body.GetProperty("enabled").GetBoolean());
        Assert.Equal("call.ended", body.GetProperty("events")[0].GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/v1/webhooks/{id}", ct)).StatusCode);
        await CallApiSuite.AssertProblemAsync(await http.GetAsync($"/v1/webhooks/{id}", ct), 404, id);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private sealed record Received(string Body, string Signature, string EventType, string Attempt);

    /// <summary>A Kestrel endpoint on 127.0.0.1 that records every POST.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<Received> _received = new();

        private Receiver(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }

        public static async Task<Receiver> StartAsync(int port)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            var app = builder.Build();
            var receiver = new Receiver(app, $"http://127.0.0.1:{port}/hook");
            app.MapPost("/hook", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                var body = await reader.ReadToEndAsync();
                receiver._received.Enqueue(new Received(body, request.Headers["ClutchCall-Signature"].ToString(), request.Headers["ClutchCall-Event-Type"].ToString(), request.Headers["ClutchCall-Delivery-Attempt"].ToString()));
                return Results.Ok();
            });
            await app.StartAsync();
            return receiver;
        }

        public async Task<Received[]> WaitForAsync(int count, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (_received.Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"received {_received.Count} of {count} deliveries");
                await Task.Delay(20);
            }

            return _received.ToArray();
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

public sealed class SqliteWebhookTests(PostgresServer postgres) : WebhookSuite(postgres, Backend.Sqlite);

public sealed class PostgresWebhookTests(PostgresServer postgres) : WebhookSuite(postgres, Backend.Postgres);
