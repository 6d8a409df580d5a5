using System.Net.Http.Json;
using System.Text.Json;
using ClutchCall.Voice.Server.Tests.Infrastructure;

namespace ClutchCall.Voice.Server.Tests.Agents;

/// <summary>Waits for what an agent call stores, as the API shows it.</summary>
internal static class LiveCallPolls
{
    /// <summary>The stored transcript once the agent has said something in it.</summary>
    public static Task<IReadOnlyList<TranscriptEntry>> AgentReplyAsync(Call call, string what, TimeSpan deadline, CancellationToken ct) =>
        Poll.ForAsync<IReadOnlyList<TranscriptEntry>>(
            async () =>
            {
                var t = await call.GetTranscriptAsync(ct);
                return t.Any(e => e.Speaker == "agent") ? t : null;
            },
            what,
            deadline);

    /// <summary>The call's first stored turn (<c>GET /v1/calls/{sid}/turns</c>), written to the test output.</summary>
    public static async Task<JsonElement> FirstTurnAsync(HttpClient raw, string sid, string what, TimeSpan deadline, CancellationToken ct)
    {
        var turn = await Poll.ForAsync(
            async () =>
            {
                var turns = await raw.GetFromJsonAsync<JsonElement>($"/v1/calls/{sid}/turns", ct);
                return turns.GetProperty("turns").EnumerateArray().Select(t => (object?)t).FirstOrDefault();
            },
            what,
            deadline);
        var stored = (JsonElement)turn;
        TestContext.Current.TestOutputHelper?.WriteLine(stored.ToString());
        return stored;
    }
}
