using System.Text.Json;
using ClutchCall.Voice.Server.Api;
using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Server.Storage;

namespace ClutchCall.Voice.Server.Webhooks;

/// <summary>
/// Builds webhook event payloads: <c>{ id, type, createdAt, orgId, data: { call, transcript? } }</c>,
/// with <c>call</c> exactly as GET /v1/calls/{sid} shows it.
/// </summary>
internal static class CallEvents
{
    public const string Started = "call.started";
    public const string Status = "call.status";
    public const string Ended = "call.ended";

    /// <summary>A DTMF digit received from the caller; <c>data.transcript</c> holds the one <c>dtmf</c> entry.</summary>
    public const string Dtmf = "call.dtmf";

    public static IReadOnlyList<string> All { get; } = [Started, Status, Ended, Dtmf];

    public static OutboundEvent Create(string type, CallRecord call, DateTimeOffset now, IReadOnlyList<TranscriptEntry>? transcript = null)
    {
        var id = Ids.NewEventId();
        var payload = new EventPayload(
            id,
            type,
            CallResponse.Iso(now),
            call.OrgId,
            new EventData(CallResponse.Of(call), transcript?.Select(TranscriptEntryResponse.Of).ToArray()));
        return new OutboundEvent(id, type, JsonSerializer.Serialize(payload, ApiJson.Options));
    }

    private sealed record EventPayload(string Id, string Type, string CreatedAt, string OrgId, EventData Data);

    private sealed record EventData(CallResponse Call, IReadOnlyList<TranscriptEntryResponse>? Transcript);
}
