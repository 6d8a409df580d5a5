using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ClutchCall.Voice.Server.Tests.Infrastructure;

namespace ClutchCall.Voice.Server.Tests.Sip;

/// <summary>POST /v1/calls/{sid}/digits refusals through the real server (the happy path is in <see cref="SipBridgeEndToEndTests"/>).</summary>
public sealed class SipDigitsApiTests(PostgresServer postgres)
{
    private static readonly Dictionary<string, string> FastLine = new()
    {
        ["TestLine:DialDelay"] = "00:00:00.050",
        ["TestLine:RingDuration"] = "00:00:00.100",
        ["Relay:DrainTimeout"] = "00:00:00.500",
    };

    [Fact]
    public async Task Digits_BadDigitsOtherOrgAndNonSipCall_400_404_409()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestServer.StartAsync(Backend.Sqlite, postgres, settings: FastLine);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        var (_, otherKey) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);

        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        async Task<(HttpStatusCode Status, string Body)> PostAsync(string apiKey, string json)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/calls/{call.Sid}/digits") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            using var response = await http.SendAsync(request, ct);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }

        var bad = await PostAsync(key, "{\"digits\":\"12x\"}");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("'x'", bad.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(key, "{\"digits\":\"\"}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(key, "{\"digits\":\"1\",\"tone\":5}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(otherKey, "{\"digits\":\"1\"}")).Status);
        await Assert.ThrowsAsync<ArgumentException>(() => call.SendDigitsAsync("1x", ct));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await voice.Calls.GetAsync(call.Sid, ct)).Status != CallStatus.InProgress && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, ct);
        }

        // The test line is not a SIP call: there is no RTP to carry digits.
        var notSip = await Assert.ThrowsAsync<VoiceConflictException>(() => call.SendDigitsAsync("12#", ct));
        Assert.Contains("SIP", notSip.Message, StringComparison.Ordinal);

        await call.HangupAsync(ct);
        var ended = await PostAsync(key, "{\"digits\":\"1\"}");
        Assert.Equal(HttpStatusCode.Conflict, ended.Status);
        Assert.Contains("in progress", ended.Body, StringComparison.Ordinal);
    }
}
