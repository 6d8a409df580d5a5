using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ClutchCall.Voice.Relay.Auth;
using ClutchCall.Voice.Server.Auth;
using ClutchCall.Voice.Server.Tests.Infrastructure;
using ClutchCall.Voice.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ClutchCall.Voice.Server.Tests.Api;

/// <summary>The HTTP API end to end through the SDK and raw HTTP; run once per storage backend.</summary>
public abstract class CallApiSuite(PostgresServer postgres, Backend backend) : IAsyncLifetime
{
    private readonly List<TestServer> _servers = [];

    private protected async Task<TestServer> StartAsync(TimeProvider? time = null, IDictionary<string, string>? settings = null)
    {
        // This suite checks the API's shapes and state machine with placeholder agent ids ("support-bot"),
        // so it records them without running an agent; Agents/AgentAttachEndToEndTests covers the runtime
        // and the default refusal of unknown ids.
        var merged = new Dictionary<string, string>(settings ?? new Dictionary<string, string>()) { ["Agents:RejectUnknown"] = "false" };
        var server = await TestServer.StartAsync(backend, postgres, time, merged);
        _servers.Add(server);
        return server;
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _servers)
        {
            await s.DisposeAsync();
            s.DeleteData();
        }
    }

    private static async Task<Call> WaitForStatusAsync(Voice voice, string sid, CallStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var call = await voice.Calls.GetAsync(sid, TestContext.Current.CancellationToken);
            if (call.Status == status)
            {
                return call;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"call {sid} stayed {call.Status} waiting for {status}");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Originate_SimEcho_GoesDialingRingingInProgress_HangupCompletesWithDuration()
    {
        var time = new FakeTimeProvider();
        var server = await StartAsync(time);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var ct = TestContext.Current.CancellationToken;

        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);
        Assert.Equal(CallStatus.Dialing, call.Status);
        Assert.Matches("^CA[0-9a-f]{32}$", call.Sid);
        Assert.Equal(30, call.RingTimeoutSeconds);
        Assert.Equal(CallDirection.Outbound, call.Direction);
        Assert.Equal(time.GetUtcNow(), call.StartedAt);
        Assert.Equal(CallStatus.Dialing, (await voice.Calls.GetAsync(call.Sid, ct)).Status);

        time.Advance(TimeSpan.FromMilliseconds(200));
        await WaitForStatusAsync(voice, call.Sid, CallStatus.Ringing);
        time.Advance(TimeSpan.FromSeconds(1));
        var answered = await WaitForStatusAsync(voice, call.Sid, CallStatus.InProgress);
        Assert.Equal(time.GetUtcNow(), answered.AnsweredAt);
        Assert.Null(answered.DurationSeconds);

        time.Advance(TimeSpan.FromSeconds(7.5));
        await answered.HangupAsync(ct);
        var ended = await voice.Calls.GetAsync(call.Sid, ct);
        Assert.Equal(CallStatus.Completed, ended.Status);
        Assert.Equal("hangup", ended.EndReason);
        Assert.Equal(7, ended.DurationSeconds);
        Assert.Equal(time.GetUtcNow(), ended.EndedAt);

        var again = await Assert.ThrowsAsync<VoiceConflictException>(() => ended.HangupAsync(ct));
        Assert.Contains("already ended", again.Detail);
    }

    [Fact]
    public async Task Originate_RingLongerThanTimeout_EndsNoAnswer()
    {
        var time = new FakeTimeProvider();
        var server = await StartAsync(time, new Dictionary<string, string> { ["TestLine:RingDuration"] = "00:10:00" });
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:speech", From = "+14155550100", RingTimeoutSeconds = 5 }, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMilliseconds(200));
        await WaitForStatusAsync(voice, call.Sid, CallStatus.Ringing);
        time.Advance(TimeSpan.FromSeconds(5));
        var ended = await WaitForStatusAsync(voice, call.Sid, CallStatus.NoAnswer);
        Assert.Equal("ring_timeout", ended.EndReason);
        Assert.Equal(0, ended.DurationSeconds);
    }

    [Fact]
    public async Task Originate_PstnNumberWithoutTrunk_Fails()
    {
        var server = await StartAsync();
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "+442071234567", From = "+14155550100" }, TestContext.Current.CancellationToken);
        var failed = await WaitForStatusAsync(voice, call.Sid, CallStatus.Failed);
        Assert.StartsWith("no_route", failed.EndReason);
    }

    [Fact]
    public async Task Hangup_WhileRinging_CompletesAsCanceled()
    {
        var time = new FakeTimeProvider();
        var server = await StartAsync(time);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMilliseconds(200));
        await WaitForStatusAsync(voice, call.Sid, CallStatus.Ringing);
        await call.HangupAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(2));
        var ended = await voice.Calls.GetAsync(call.Sid, TestContext.Current.CancellationToken);
        Assert.Equal(CallStatus.Completed, ended.Status);
        Assert.Equal("canceled", ended.EndReason);
        Assert.Equal(0, ended.DurationSeconds);
    }

    [Fact]
    public async Task Transfer_BareStringAndAgent_Work_BothOrNeither_400()
    {
        var time = new FakeTimeProvider();
        var server = await StartAsync(time);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        using var http = Raw(server, key);
        var ct = TestContext.Current.CancellationToken;
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100", Agent = "support-bot" }, ct);

        var both = await http.PostAsync($"/v1/calls/{call.Sid}/transfer", Json("""{"to":"+14155550101","agent":"x"}"""), ct);
        await AssertProblemAsync(both, 400, "exactly one");
        var neither = await http.PostAsync($"/v1/calls/{call.Sid}/transfer", Json("{}"), ct);
        await AssertProblemAsync(neither, 400, "exactly one");

        // Not answered yet: a number transfer is refused, an agent swap is recorded.
        var early = await http.PostAsync($"/v1/calls/{call.Sid}/transfer", Json("\"+14155550101\""), ct);
        await AssertProblemAsync(early, 409, "in progress");
        await call.TransferAsync(new TransferOptions { Agent = "sales-bot" }, ct);
        Assert.Equal("sales-bot", (await voice.Calls.GetAsync(call.Sid, ct)).Agent);

        time.Advance(TimeSpan.FromMilliseconds(200));
        await WaitForStatusAsync(voice, call.Sid, CallStatus.Ringing);
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitForStatusAsync(voice, call.Sid, CallStatus.InProgress);
        var badNumber = await http.PostAsync($"/v1/calls/{call.Sid}/transfer", Json("\"555-1234\""), ct);
        await AssertProblemAsync(badNumber, 400, "E.164");
        var ok = await http.PostAsync($"/v1/calls/{call.Sid}/transfer", Json("\"+14155550101\""), ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var ended = await voice.Calls.GetAsync(call.Sid, ct);
        Assert.Equal(CallStatus.Completed, ended.Status);
        Assert.Equal("transferred", ended.EndReason);
    }

    [Fact]
    public async Task Agents_Attach_RecordsAgent_NeedsAgentsScope()
    {
        var server = await StartAsync(new FakeTimeProvider());
        var (orgId, key) = await server.CreateOrgAndKeyAsync(Scopes.Calls, Scopes.Agents);
        var callsOnly = await server.CreateKeyAsync(orgId, Scopes.Calls);
        using var voice = server.Sdk(key);
        using var limited = server.Sdk(callsOnly);
        var ct = TestContext.Current.CancellationToken;
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);
        await voice.Agents.AttachAsync(call.Sid, "concierge", ct);
        Assert.Equal("concierge", (await voice.Calls.GetAsync(call.Sid, ct)).Agent);
        var denied = await Assert.ThrowsAsync<VoicePermissionException>(() => limited.Agents.AttachAsync(call.Sid, "x", ct));
        Assert.Contains("voice:agents", denied.Detail);
        await Assert.ThrowsAsync<VoiceValidationException>(() => voice.Agents.AttachAsync(call.Sid, "bad agent!", ct));
    }

    [Fact]
    public async Task Auth_MissingOrInvalidKey_401WithChallenge()
    {
        var server = await StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        var ct = TestContext.Current.CancellationToken;
        var missing = await http.GetAsync("/v1/calls", ct);
        await AssertProblemAsync(missing, 401, "Authorization");
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "ccv_live_" + new string('x', 40));
        var invalid = await http.GetAsync("/v1/calls", ct);
        await AssertProblemAsync(invalid, 401, "not recognised");
        Assert.Contains("invalid_token", invalid.Headers.WwwAuthenticate.Single().Parameter);

        using var voice = server.Sdk("ccv_live_nope");
        await Assert.ThrowsAsync<VoiceAuthenticationException>(() => voice.Calls.ListAsync(cancellationToken: ct));
    }

    [Fact]
    public async Task Auth_RevokedKey_401()
    {
        var server = await StartAsync();
        var (orgId, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        await voice.Calls.ListAsync(cancellationToken: TestContext.Current.CancellationToken);
        await server.Services.GetRequiredService<ClutchCall.Voice.Server.Storage.IOrgStore>().RevokeKeyAsync(orgId, key[..17], DateTimeOffset.UtcNow, CancellationToken.None);
        await Assert.ThrowsAsync<VoiceAuthenticationException>(() => voice.Calls.ListAsync(cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Auth_WrongScope_403()
    {
        var server = await StartAsync();
        var (orgId, audioKey) = await server.CreateOrgAndKeyAsync(Scopes.Audio);
        var callsKey = await server.CreateKeyAsync(orgId, Scopes.Calls);
        using var audioOnly = server.Sdk(audioKey);
        using var callsOnly = server.Sdk(callsKey);
        var ct = TestContext.Current.CancellationToken;
        var denied = await Assert.ThrowsAsync<VoicePermissionException>(() => audioOnly.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct));
        Assert.Contains("voice:calls", denied.Detail);
        var call = await callsOnly.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);
        var noAudio = await Assert.ThrowsAsync<VoicePermissionException>(() => callsOnly.AudioBridge.RequestTokenAsync(call.Sid, cancellationToken: ct));
        Assert.Contains("voice:audio", noAudio.Detail);
        var token = await audioOnly.AudioBridge.RequestTokenAsync(call.Sid, cancellationToken: ct);
        Assert.Equal(call.Sid, token.CallSid);
    }

    [Fact]
    public async Task Auth_OrgHeaderOfAnotherOrg_403()
    {
        var server = await StartAsync();
        var (_, key) = await server.CreateOrgAndKeyAsync();
        var (otherOrg, _) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key, otherOrg);
        var ex = await Assert.ThrowsAsync<VoicePermissionException>(() => voice.Calls.ListAsync(cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains(otherOrg, ex.Detail);
    }

    [Fact]
    public async Task OrgIsolation_AnotherOrgsSid_404Everywhere()
    {
        var server = await StartAsync(new FakeTimeProvider());
        var (_, keyA) = await server.CreateOrgAndKeyAsync();
        var (_, keyB) = await server.CreateOrgAndKeyAsync();
        using var a = server.Sdk(keyA);
        using var b = server.Sdk(keyB);
        using var rawB = Raw(server, keyB);
        var ct = TestContext.Current.CancellationToken;
        var call = await a.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);

        var notFound = await Assert.ThrowsAsync<VoiceNotFoundException>(() => b.Calls.GetAsync(call.Sid, ct));
        Assert.Contains(call.Sid, notFound.Detail);
        foreach (var path in new[] { "hangup", "transfer", "agent", "audio-token" })
        {
            var body = path switch { "transfer" => "\"+14155550101\"", "agent" => """{"agent":"x"}""", _ => "{}" };
            var response = await rawB.PostAsync($"/v1/calls/{call.Sid}/{path}", Json(body), ct);
            await AssertProblemAsync(response, 404, call.Sid);
        }

        await AssertProblemAsync(await rawB.GetAsync($"/v1/calls/{call.Sid}/transcript", ct), 404, call.Sid);
        Assert.Empty((await b.Calls.ListAsync(cancellationToken: ct)).Items);
        Assert.Equal(CallStatus.Dialing, (await a.Calls.GetAsync(call.Sid, ct)).Status);
    }

    [Theory]
    [InlineData("{\"to\":\"sim:echo\",\"from\":", "not valid JSON")]
    [InlineData("[1,2]", "JSON object")]
    [InlineData("", "empty")]
    [InlineData("{\"to\":\"sim:echo\",\"from\":\"+14155550100\",\"colour\":\"red\"}", "Unknown field 'colour'")]
    [InlineData("{\"to\":\"sim:echo\",\"from\":\"+14155550100\",\"ringTimeout\":-1}", "not negative")]
    [InlineData("{\"to\":\"sim:echo\",\"from\":\"+14155550100\",\"ringTimeout\":12.5}", "'ringTimeout' must be a whole number")]
    [InlineData("{\"to\":\"sim:echo\",\"from\":\"+14155550100\",\"ringTimeout\":\"30\"}", "'ringTimeout' must be a whole number")]
    [InlineData("{\"to\":\"sim:echo\",\"from\":\"+14155550100\",\"ringTimeout\":99999999999}", "'ringTimeout' must be a whole number")]
    [InlineData("{\"to\":\"415-555-0100\",\"from\":\"+14155550100\"}", "'to' must be an E.164 number")]
    [InlineData("{\"to\":\"+014155550100\",\"from\":\"+14155550100\"}", "'to' must be an E.164 number")]
    [InlineData("{\"to\":\"+1415555010000000\",\"from\":\"+14155550100\"}", "'to' must be an E.164 number")]
    [InlineData("{\"to\":\"sim:echo\",\"from\":\"sim:echo\"}", "only valid as 'to'")]
    [InlineData("{\"to\":\"sim:nope\",\"from\":\"+14155550100\"}", "unknown test line")]
    [InlineData("{\"from\":\"+14155550100\"}", "'to' is required")]
    [InlineData("{\"to\":\"sim:echo\"}", "'from' is required")]
    [InlineData("{\"to\":\"sim:echo\",\"to\":\"sim:echo\",\"from\":\"+14155550100\"}", "")]
    public async Task Originate_BadBody_400WithDetail(string body, string expected)
    {
        var server = await StartAsync();
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var http = Raw(server, key);
        var response = await http.PostAsync("/v1/calls", Json(body), TestContext.Current.CancellationToken);
        await AssertProblemAsync(response, 400, expected);
    }

    [Theory]
    [InlineData(500, 120)]
    [InlineData(121, 120)]
    [InlineData(0, 5)]
    [InlineData(4, 5)]
    [InlineData(5, 5)]
    [InlineData(77, 77)]
    public async Task Originate_RingTimeoutOutOfRange_IsClamped(int requested, int stored)
    {
        var server = await StartAsync(new FakeTimeProvider());
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100", RingTimeoutSeconds = requested }, TestContext.Current.CancellationToken);
        Assert.Equal(stored, call.RingTimeoutSeconds);
        Assert.Equal(stored, (await voice.Calls.GetAsync(call.Sid, TestContext.Current.CancellationToken)).RingTimeoutSeconds);
    }

    [Fact]
    public async Task List_PagesNewestFirst_AndFilters()
    {
        var time = new FakeTimeProvider();
        var server = await StartAsync(time);
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var ct = TestContext.Current.CancellationToken;
        var sids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var c = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = i % 2 == 0 ? "sim:echo" : "+442071234567", From = "+1415555010" + i }, ct);
            sids.Add(c.Sid);
        }

        var page1 = await voice.Calls.ListAsync(new ListCallsOptions { Limit = 2 }, ct);
        Assert.Equal([sids[4], sids[3]], page1.Items.Select(c => c.Sid));
        Assert.NotNull(page1.NextCursor);
        var page2 = await voice.Calls.ListAsync(new ListCallsOptions { Limit = 2, Cursor = page1.NextCursor }, ct);
        Assert.Equal([sids[2], sids[1]], page2.Items.Select(c => c.Sid));
        var page3 = await voice.Calls.ListAsync(new ListCallsOptions { Limit = 2, Cursor = page2.NextCursor }, ct);
        Assert.Equal([sids[0]], page3.Items.Select(c => c.Sid));
        Assert.Null(page3.NextCursor);

        var all = new List<string>();
        await foreach (var c in voice.Calls.ListAllAsync(new ListCallsOptions { Limit = 2 }, ct))
        {
            all.Add(c.Sid);
        }

        Assert.Equal(Enumerable.Reverse(sids), all);

        var byNumber = await voice.Calls.ListAsync(new ListCallsOptions { Number = "+14155550103" }, ct);
        Assert.Equal([sids[3]], byNumber.Items.Select(c => c.Sid));
        await WaitForStatusAsync(voice, sids[1], CallStatus.Failed);
        await WaitForStatusAsync(voice, sids[3], CallStatus.Failed);
        var failed = await voice.Calls.ListAsync(new ListCallsOptions { Status = CallStatus.Failed }, ct);
        Assert.Equal([sids[3], sids[1]], failed.Items.Select(c => c.Sid));
        Assert.Equal(5, (await voice.Calls.ListAsync(new ListCallsOptions { Direction = CallDirection.Outbound }, ct)).Items.Count);
        Assert.Empty((await voice.Calls.ListAsync(new ListCallsOptions { Direction = CallDirection.Inbound }, ct)).Items);

        using var http = Raw(server, key);
        await AssertProblemAsync(await http.GetAsync("/v1/calls?status=busy", ct), 400, "'status' must be one of");
        await AssertProblemAsync(await http.GetAsync("/v1/calls?limit=0", ct), 400, "'limit'");
        await AssertProblemAsync(await http.GetAsync("/v1/calls?cursor=zzz", ct), 400, "'cursor'");
        await AssertProblemAsync(await http.GetAsync("/v1/calls?number=12345", ct), 400, "E.164");
    }

    [Fact]
    public async Task AudioToken_ScopedToCallAndSide_ValidatesWithRelayKey()
    {
        var server = await StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow), new Dictionary<string, string>
        {
            ["Relay:Host"] = "relay.test",
            ["Relay:Urls:0"] = "https://relay.test:4443/moq",
        });
        var (orgId, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var ct = TestContext.Current.CancellationToken;
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);

        var serverSide = await voice.AudioBridge.RequestTokenAsync(call.Sid, AudioBridgeRole.Server, ct);
        Assert.Equal("voice/" + call.Sid, serverSide.Namespace);
        Assert.Equal(["downlink"], serverSide.Publish);
        Assert.Equal(["uplink"], serverSide.Subscribe);
        Assert.Equal("relay.test", serverSide.RelayHost);
        Assert.Equal(["https://relay.test:4443/moq"], serverSide.RelayUrls);

        var validator = server.Services.GetRequiredService<RelayTokenValidator>();
        Assert.True(validator.TryValidate(serverSide.Token, DateTimeOffset.UtcNow, out var grant, out var error), error);
        Assert.Equal(orgId, grant.OrgId);
        Assert.True(grant.CanSubscribe("voice/" + call.Sid, "uplink"));
        Assert.True(grant.CanPublish("voice/" + call.Sid, "downlink"));
        Assert.False(grant.CanPublish("voice/" + call.Sid, "uplink"));
        Assert.False(grant.CanSubscribe("voice/CA00000000000000000000000000000000", "uplink"));

        var callerSide = await voice.AudioBridge.RequestTokenAsync(call.Sid, AudioBridgeRole.Caller, ct);
        Assert.True(validator.TryValidate(callerSide.Token, DateTimeOffset.UtcNow, out var callerGrant, out _));
        Assert.True(callerGrant.CanPublish("voice/" + call.Sid, "uplink"));
        Assert.False(callerGrant.CanPublish("voice/" + call.Sid, "downlink"));
        Assert.True(serverSide.ExpiresAt <= DateTimeOffset.UtcNow.AddMinutes(5.1));

        using var http = Raw(server, key);
        await AssertProblemAsync(await http.PostAsync($"/v1/calls/{call.Sid}/audio-token", Json("""{"role":"listener"}"""), ct), 400, "'role'");
        // The only relay URL configured here is https://relay.test (WebTransport): without QUIC support the SDK
        // has nothing it can dial; with it, the unresolvable host fails the attach.
        if (System.Net.Quic.QuicConnection.IsSupported)
        {
            await Assert.ThrowsAsync<AudioBridgeException>(() => voice.AudioBridge.AttachAsync(call.Sid, new AudioBridgeOptions(), ct));
        }
        else
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => voice.AudioBridge.AttachAsync(call.Sid, new AudioBridgeOptions(), ct));
        }
        await call.HangupAsync(ct);
        await AssertProblemAsync(await http.PostAsync($"/v1/calls/{call.Sid}/audio-token", Json("{}"), ct), 409, "ended");
    }

    [Fact]
    public async Task Transcript_ReturnsAppendedEntries()
    {
        var server = await StartAsync(new FakeTimeProvider());
        var (orgId, key) = await server.CreateOrgAndKeyAsync();
        using var voice = server.Sdk(key);
        var ct = TestContext.Current.CancellationToken;
        var call = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:speech", From = "+14155550100" }, ct);
        Assert.Empty(await call.GetTranscriptAsync(ct));
        var engine = server.Services.GetRequiredService<ClutchCall.Voice.Server.Calls.CallService>();
        await engine.AppendTranscriptAsync(orgId, call.Sid, "caller", "hello there", ct);
        await engine.AppendTranscriptAsync(orgId, call.Sid, "agent", "hi, how can I help?", ct);
        var transcript = await call.GetTranscriptAsync(ct);
        Assert.Equal(["caller", "agent"], transcript.Select(t => t.Speaker));
        Assert.Equal("hi, how can I help?", transcript[1].Text);
    }

    [Fact]
    public async Task UnknownRoute_404Problem_OpenApiServed()
    {
        var server = await StartAsync();
        var (_, key) = await server.CreateOrgAndKeyAsync();
        using var http = Raw(server, key);
        var ct = TestContext.Current.CancellationToken;
        await AssertProblemAsync(await http.GetAsync("/v1/nothing-here", ct), 404, "not part of this API");
        await AssertProblemAsync(await http.GetAsync("/v1/calls/not-a-sid", ct), 404, "not a call sid");
        var doc = await new HttpClient { BaseAddress = new Uri(server.BaseUrl) }.GetStringAsync("/openapi/v1.json", ct);
        using var json = JsonDocument.Parse(doc);
        var paths = json.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/calls", out _));
        Assert.True(paths.TryGetProperty("/v1/calls/{sid}/audio-token", out _));
        Assert.True(paths.TryGetProperty("/v1/webhooks/{id}/stats", out _));
    }

    [Fact]
    public async Task Restart_SameDatabase_KeepsCallsAndFailsUnfinished()
    {
        var time = new FakeTimeProvider();
        var first = await StartAsync(time);
        var (_, key) = await first.CreateOrgAndKeyAsync();
        string doneSid, liveSid;
        using (var voice = first.Sdk(key))
        {
            var ct = TestContext.Current.CancellationToken;
            var done = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);
            await done.HangupAsync(ct);
            var live = await voice.Calls.OriginateAsync(new OriginateCallOptions { To = "sim:echo", From = "+14155550100" }, ct);
            (doneSid, liveSid) = (done.Sid, live.Sid);
        }

        await first.DisposeAsync();
        _servers.Remove(first);
        var second = await TestServer.StartAsync(backend, postgres, time, dataDir: first.DataDirectory, connectionString: first.ConnectionString);
        _servers.Add(second);
        using var again = second.Sdk(key);
        Assert.Equal(CallStatus.Completed, (await again.Calls.GetAsync(doneSid, TestContext.Current.CancellationToken)).Status);
        var recovered = await again.Calls.GetAsync(liveSid, TestContext.Current.CancellationToken);
        Assert.Equal(CallStatus.Failed, recovered.Status);
        Assert.Equal("server_restart", recovered.EndReason);
        var versions = await ClutchCall.Voice.Server.Storage.Migrations.AppliedVersionsAsync(second.Services.GetRequiredService<ClutchCall.Voice.Server.Storage.SqlDatabase>(), CancellationToken.None);
        Assert.Equal([1], versions);
    }

    internal static HttpClient Raw(TestServer server, string key)
    {
        var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    internal static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    internal static async Task AssertProblemAsync(HttpResponseMessage response, int status, string detailContains)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(status, doc.RootElement.GetProperty("status").GetInt32());
        Assert.StartsWith("https://clutchcall.dev/problems/", doc.RootElement.GetProperty("type").GetString());
        var detail = doc.RootElement.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrEmpty(detail));
        Assert.Contains(detailContains, detail);
    }
}

public sealed class SqliteCallApiTests(PostgresServer postgres) : CallApiSuite(postgres, Backend.Sqlite);

public sealed class PostgresCallApiTests(PostgresServer postgres) : CallApiSuite(postgres, Backend.Postgres);
