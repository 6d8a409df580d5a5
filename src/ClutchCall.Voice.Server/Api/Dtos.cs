using System.Globalization;
using ClutchCall.Voice.Server.Calls;
using ClutchCall.Voice.Server.Storage;

namespace ClutchCall.Voice.Server.Api;

/// <summary>POST /v1/calls body.</summary>
internal sealed class OriginateRequest
{
    public string? To { get; set; }

    public string? From { get; set; }

    public string? TrunkId { get; set; }

    public string? Agent { get; set; }

    public int? RingTimeout { get; set; }
}

/// <summary>POST /v1/calls/{sid}/transfer body (or a bare JSON string, meaning <see cref="To"/>).</summary>
internal sealed class TransferRequest
{
    public string? To { get; set; }

    public string? Agent { get; set; }
}

/// <summary>POST /v1/calls/{sid}/agent body.</summary>
internal sealed class AttachAgentRequest
{
    public string? Agent { get; set; }
}

/// <summary>POST /v1/calls/{sid}/audio-token body (optional).</summary>
internal sealed class AudioTokenRequest
{
    /// <summary><c>server</c> (subscribe uplink, publish downlink; default) or <c>caller</c> (the mirror).</summary>
    public string? Role { get; set; }
}

/// <summary>POST /v1/webhooks body; PATCH /v1/webhooks/{id} uses the same fields, all optional.</summary>
internal sealed class WebhookRequest
{
    public string? Url { get; set; }

    public string[]? Events { get; set; }

    public bool? Enabled { get; set; }
}

/// <summary>A call as the API shows it.</summary>
internal sealed record CallResponse(
    string Sid,
    string Status,
    string Direction,
    string To,
    string From,
    string? TrunkId,
    string? Agent,
    int RingTimeout,
    string? EndReason,
    string StartedAt,
    string? AnsweredAt,
    string? EndedAt,
    int? DurationSeconds)
{
    public static CallResponse Of(CallRecord c) => new(
        c.Sid,
        c.Status.ToWire(),
        c.Direction == CallDirection.Inbound ? "inbound" : "outbound",
        c.To,
        c.From,
        c.TrunkId,
        c.Agent,
        c.RingTimeoutSeconds,
        c.EndReason,
        Iso(c.StartedAt),
        c.AnsweredAt is { } a ? Iso(a) : null,
        c.EndedAt is { } e ? Iso(e) : null,
        c.DurationSeconds);

    /// <summary>ISO-8601 UTC with millisecond precision and a 'Z' suffix.</summary>
    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>One page of calls, newest first.</summary>
internal sealed record CallListResponse(IReadOnlyList<CallResponse> Items, string? NextCursor);

/// <summary>One transcript line.</summary>
internal sealed record TranscriptEntryResponse(string Speaker, string Text, string At)
{
    public static TranscriptEntryResponse Of(TranscriptEntry e) => new(e.Speaker, e.Text, CallResponse.Iso(e.At));
}

/// <summary>A call's transcript.</summary>
internal sealed record TranscriptResponse(string CallSid, IReadOnlyList<TranscriptEntryResponse> Entries);

/// <summary>A relay token for one call and side, with where to use it.</summary>
internal sealed record AudioTokenResponse(
    string Token,
    string ExpiresAt,
    string CallSid,
    string Role,
    string Namespace,
    IReadOnlyList<string> Publish,
    IReadOnlyList<string> Subscribe,
    string RelayHost,
    IReadOnlyList<string> RelayUrls,
    string? WebTransportUrl = null,
    IReadOnlyList<CertificateHashResponse>? ServerCertificateHashes = null);

/// <summary>A certificate hash as W3C WebTransport <c>serverCertificateHashes</c> takes it (value in base64).</summary>
internal sealed record CertificateHashResponse(string Algorithm, string Value);

/// <summary>A webhook as the API shows it; <see cref="Secret"/> only in the create response.</summary>
internal sealed record WebhookResponse(string Id, string Url, IReadOnlyList<string> Events, bool Enabled, string CreatedAt, string? Secret)
{
    public static WebhookResponse Of(WebhookRecord w, bool withSecret) =>
        new(w.Id, w.Url, w.Events, w.Enabled, CallResponse.Iso(w.CreatedAt), withSecret ? w.Secret : null);
}

/// <summary>List wrapper for webhooks.</summary>
internal sealed record WebhookListResponse(IReadOnlyList<WebhookResponse> Items);

/// <summary>One HTTP attempt of a delivery.</summary>
internal sealed record DeliveryAttemptResponse(int Attempt, string At, int? StatusCode, string? Error, int DurationMs);

/// <summary>One event delivery to one webhook.</summary>
internal sealed record DeliveryResponse(
    long Id,
    string EventId,
    string EventType,
    string Status,
    int Attempts,
    int? LastStatusCode,
    string? LastError,
    string? NextAttemptAt,
    string CreatedAt,
    string? CompletedAt,
    IReadOnlyList<DeliveryAttemptResponse> AttemptLog);

/// <summary>List wrapper for deliveries.</summary>
internal sealed record DeliveryListResponse(IReadOnlyList<DeliveryResponse> Items);

/// <summary>Delivery counters of one webhook.</summary>
internal sealed record DeliveryStatsResponse(string WebhookId, long Pending, long Succeeded, long Failed, long TotalAttempts, string? LastSuccessAt, string? LastFailureAt);
