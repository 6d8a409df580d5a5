using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ClutchCall.Voice.Server.Sip;
using ClutchCall.Voice.Server.Storage;
using ClutchCall.Voice.Server.Tests.Agents;
using ClutchCall.Voice.Server.Tests.Infrastructure;
using ClutchCall.Voice.TestSupport.Sipp;
using Microsoft.Extensions.DependencyInjection;

namespace ClutchCall.Voice.Server.Tests.Sip;

/// <summary>
/// Digits a real phone sends reach the agent: sipp calls a number whose agent is the built-in echo agent and
/// plays RFC 2833 events for 4, 2 and #; the agent takes them as one turn and answers it.
/// </summary>
[Collection(nameof(AgentCallCollection))]
public sealed class SipAgentDigitsTests(PostgresServer postgres)
{
    private const string Did = "+14155550123";
    private const string Caller = "+14155550199";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Inbound_CallerPressesDigitsOverRfc2833_EchoAgentAnswersTheDigitTurn()
    {
        SippProcess.RequireSipp();
        AgentDtmfTests.RequireEngines();
        var ct = TestContext.Current.CancellationToken;
        var orgName = "sip-dtmf-" + Guid.NewGuid().ToString("N")[..8];
        var settings = SipTestSettings.Server(SippProcess.FreeUdpPort(), "PCMA,PCMU").WithNumber(Did, orgName, "echo");
        settings["Agents:EngineTimeout"] = "00:00:30";
        await using var server = await TestServer.StartAsync(Backend.Sqlite, postgres, settings: settings);
        var org = await server.Services.GetRequiredService<IOrgStore>().CreateOrgAsync(orgName, ct);
        var key = await server.CreateKeyAsync(org.Id, "voice:*");
        using var voice = server.Sdk(key);
        using var raw = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/") };
        raw.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var ourPort = server.Services.GetRequiredService<SipUserAgentHost>().Agent.Port;

        // No speech: the digits alone make the turn (the agent session feeds silence while the leg sends no audio).
        // The caller waits for the agent to join after the answer, presses 4 2 #, stays to hear the reply, hangs up.
        var scenario = SippProcess.WriteScenario(BridgeScenarios.CallerPlayingSpeech(Caller, plays: 0, digits: "42#", holdMs: 8000, leadMs: 3000));
        using var sipp = SippProcess.Start($"127.0.0.1:{ourPort} -sf {scenario} -s {Did} -i 127.0.0.1 -p {SippProcess.FreeUdpPort()} -mi 127.0.0.1 -mp {SippProcess.FreeMediaPort()} -m 1");

        Call? call = null;
        await WaitUntilAsync(async () =>
        {
            call = (await voice.Calls.ListAsync(new ListCallsOptions { Direction = CallDirection.Inbound }, ct)).Items.FirstOrDefault();
            return call is not null;
        }, "the inbound call");

        JsonElement turn = default;
        await WaitUntilAsync(async () =>
        {
            var turns = await raw.GetFromJsonAsync<JsonElement>($"v1/calls/{call!.Sid}/turns", ct);
            var first = turns.GetProperty("turns").EnumerateArray().FirstOrDefault();
            turn = first;
            return first.ValueKind == JsonValueKind.Object;
        }, "the digit turn stored");
        Assert.Equal("42", turn.GetProperty("digits").GetString());
        Assert.Equal("echo", turn.GetProperty("agent").GetString());

        Assert.True(await sipp.WaitAsync(Deadline, ct) == 0, "sipp caller should finish cleanly: " + sipp.Errors);
        var transcript = await (await voice.Calls.GetAsync(call!.Sid, ct)).GetTranscriptAsync(ct);
        Assert.Equal("42#", string.Concat(transcript.Where(e => e.Speaker == "dtmf").Select(e => e.Text)));
        Assert.Contains(transcript, e => e.Speaker == "agent" && e.Text == "You pressed 4 2.");
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition, string what) => Poll.UntilAsync(condition, what, Deadline, interval: 100);
}
