using ClutchCall.Voice.Server.Calls;

namespace ClutchCall.Voice.Server.Storage;

/// <summary>An event to hand to every matching webhook of the call's org, written atomically with the call change.</summary>
internal sealed record OutboundEvent(string EventId, string Type, string PayloadJson);

/// <summary>Filters and paging for listing calls, newest first.</summary>
internal sealed record CallQuery(CallStatus? Status, CallDirection? Direction, string? Number, int Limit, long? BeforeSeq);

/// <summary>Calls and transcripts. Every read and write is scoped to one org.</summary>
internal interface ICallStore
{
    /// <summary>Stores a new call (version 1) and its events in one transaction.</summary>
    Task InsertAsync(CallRecord call, IReadOnlyList<OutboundEvent> events, CancellationToken cancellationToken);

    Task<CallRecord?> GetAsync(string orgId, string sid, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the call with <paramref name="next"/> if its stored version is still
    /// <paramref name="expectedVersion"/> (then version+1), and enqueues <paramref name="events"/>
    /// in the same transaction. False when someone else changed the call first.
    /// </summary>
    Task<bool> UpdateAsync(CallRecord next, long expectedVersion, IReadOnlyList<OutboundEvent> events, CancellationToken cancellationToken);

    /// <summary>Newest first; one more than <see cref="CallQuery.Limit"/> is never returned.</summary>
    Task<IReadOnlyList<CallRecord>> ListAsync(string orgId, CallQuery query, CancellationToken cancellationToken);

    /// <summary>All calls (every org) not yet in a terminal state, for recovery after a restart.</summary>
    Task<IReadOnlyList<CallRecord>> ListUnfinishedAsync(CancellationToken cancellationToken);

    Task AppendTranscriptAsync(string orgId, string sid, TranscriptEntry entry, CancellationToken cancellationToken);

    /// <summary>Adds a transcript line and queues its webhook events in the same transaction.</summary>
    Task AppendTranscriptAsync(string orgId, string sid, TranscriptEntry entry, IReadOnlyList<OutboundEvent> events, CancellationToken cancellationToken);

    Task<IReadOnlyList<TranscriptEntry>> GetTranscriptAsync(string orgId, string sid, CancellationToken cancellationToken);
}

/// <summary>An org (tenant).</summary>
internal sealed record OrgRecord(string Id, string Name, DateTimeOffset CreatedAt);

/// <summary>An API key at rest: only its public id and the SHA-256 of the whole key are kept.</summary>
internal sealed record ApiKeyRecord(string KeyId, string OrgId, byte[] Sha256, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>Orgs and API keys.</summary>
internal interface IOrgStore
{
    Task<OrgRecord> CreateOrgAsync(string name, CancellationToken cancellationToken);

    /// <summary>By id, or else by exact name.</summary>
    Task<OrgRecord?> FindOrgAsync(string idOrName, CancellationToken cancellationToken);

    Task<long> CountOrgsAsync(CancellationToken cancellationToken);

    Task InsertKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    Task<ApiKeyRecord?> GetKeyAsync(string keyId, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string orgId, CancellationToken cancellationToken);

    Task<bool> RevokeKeyAsync(string orgId, string keyId, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>A webhook endpoint of an org.</summary>
internal sealed record WebhookRecord(string Id, string OrgId, string Url, string Secret, IReadOnlyList<string> Events, bool Enabled, DateTimeOffset CreatedAt);

/// <summary>Delivery of one event to one webhook, with its retry state.</summary>
internal sealed record DeliveryRecord(
    long Id,
    string WebhookId,
    string OrgId,
    string EventId,
    string EventType,
    string PayloadJson,
    string Status,
    int Attempts,
    int? LastStatusCode,
    string? LastError,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt);

/// <summary>One HTTP attempt of a delivery.</summary>
internal sealed record DeliveryAttempt(long DeliveryId, int Attempt, DateTimeOffset At, int? StatusCode, string? Error, int DurationMs);

/// <summary>Counts of a webhook's deliveries.</summary>
internal sealed record DeliveryStats(long Pending, long Succeeded, long Failed, long TotalAttempts, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt);

/// <summary>A due delivery together with where and how to send it.</summary>
internal sealed record DueDelivery(DeliveryRecord Delivery, string Url, string Secret);

/// <summary>Webhooks, their delivery queue and delivery log.</summary>
internal interface IWebhookStore
{
    Task InsertAsync(WebhookRecord webhook, CancellationToken cancellationToken);

    Task<WebhookRecord?> GetAsync(string orgId, string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<WebhookRecord>> ListAsync(string orgId, CancellationToken cancellationToken);

    Task<bool> UpdateAsync(WebhookRecord webhook, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string orgId, string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeliveryRecord>> ListDeliveriesAsync(string orgId, string webhookId, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeliveryAttempt>> ListAttemptsAsync(long deliveryId, CancellationToken cancellationToken);

    Task<DeliveryStats> GetStatsAsync(string orgId, string webhookId, CancellationToken cancellationToken);

    /// <summary>Pending deliveries whose next attempt is due at <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<DueDelivery>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>The earliest next-attempt time of any pending delivery, or null.</summary>
    Task<DateTimeOffset?> NextDueAtAsync(CancellationToken cancellationToken);

    /// <summary>Logs an attempt and moves the delivery to <paramref name="status"/> with its next attempt time.</summary>
    Task RecordAttemptAsync(DeliveryAttempt attempt, string status, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken);
}
