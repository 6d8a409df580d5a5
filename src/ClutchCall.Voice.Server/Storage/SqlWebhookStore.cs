using System.Data.Common;

namespace ClutchCall.Voice.Server.Storage;

/// <summary><see cref="IWebhookStore"/> over SQLite or PostgreSQL.</summary>
internal sealed class SqlWebhookStore(SqlDatabase db) : IWebhookStore
{
    private const string DeliveryColumns = "d.id, d.webhook_id, d.org_id, d.event_id, d.event_type, d.payload, d.status, d.attempts, d.last_status_code, d.last_error, d.next_attempt_at, d.created_at, d.completed_at";

    public async Task InsertAsync(WebhookRecord webhook, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "INSERT INTO webhooks (id, org_id, url, secret, events, enabled, created_at) VALUES (@id, @org, @url, @secret, @events, @enabled, @at)");
        Bind(cmd, webhook).With("@at", webhook.CreatedAt);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<WebhookRecord?> GetAsync(string orgId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "SELECT id, org_id, url, secret, events, enabled, created_at FROM webhooks WHERE org_id = @org AND id = @id")
            .With("@org", orgId).With("@id", id);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await r.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(r) : null;
    }

    public async Task<IReadOnlyList<WebhookRecord>> ListAsync(string orgId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "SELECT id, org_id, url, secret, events, enabled, created_at FROM webhooks WHERE org_id = @org ORDER BY created_at, id").With("@org", orgId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<WebhookRecord>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(Read(r));
        }

        return list;
    }

    public async Task<bool> UpdateAsync(WebhookRecord webhook, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "UPDATE webhooks SET url = @url, secret = @secret, events = @events, enabled = @enabled WHERE org_id = @org AND id = @id");
        Bind(cmd, webhook);
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<bool> DeleteAsync(string orgId, string id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int rows;
        await using (var cmd = Sql.Command(connection, "DELETE FROM webhooks WHERE org_id = @org AND id = @id", tx).With("@org", orgId).With("@id", id))
        {
            rows = await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var sql in new[]
        {
            "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE org_id = @org AND webhook_id = @id)",
            "DELETE FROM webhook_deliveries WHERE org_id = @org AND webhook_id = @id",
        })
        {
            await using var cmd = Sql.Command(connection, sql, tx).With("@org", orgId).With("@id", id);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return rows == 1;
    }

    public async Task<IReadOnlyList<DeliveryRecord>> ListDeliveriesAsync(string orgId, string webhookId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, $"SELECT {DeliveryColumns} FROM webhook_deliveries d WHERE d.org_id = @org AND d.webhook_id = @id ORDER BY d.id DESC LIMIT @limit")
            .With("@org", orgId).With("@id", webhookId).With("@limit", (long)limit);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<DeliveryRecord>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(ReadDelivery(r));
        }

        return list;
    }

    public async Task<IReadOnlyList<DeliveryAttempt>> ListAttemptsAsync(long deliveryId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "SELECT delivery_id, attempt, at, status_code, error, duration_ms FROM webhook_attempts WHERE delivery_id = @id ORDER BY attempt")
            .With("@id", deliveryId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<DeliveryAttempt>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new DeliveryAttempt(r.Long("delivery_id"), (int)r.Long("attempt"), r.Time("at"), r.NullableLong("status_code") is { } s ? (int)s : null, r.NullableText("error"), (int)r.Long("duration_ms")));
        }

        return list;
    }

    public async Task<DeliveryStats> GetStatsAsync(string orgId, string webhookId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, """
            SELECT
                COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS pending,
                COALESCE(SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END), 0) AS succeeded,
                COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed,
                COALESCE(SUM(attempts), 0) AS total_attempts,
                MAX(CASE WHEN status = 'succeeded' THEN completed_at END) AS last_success,
                MAX(CASE WHEN last_error IS NOT NULL OR last_status_code >= 300 THEN created_at END) AS last_failure
            FROM webhook_deliveries WHERE org_id = @org AND webhook_id = @id
            """).With("@org", orgId).With("@id", webhookId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await r.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new DeliveryStats(r.Long("pending"), r.Long("succeeded"), r.Long("failed"), r.Long("total_attempts"), r.NullableTime("last_success"), r.NullableTime("last_failure"));
    }

    public async Task<IReadOnlyList<DueDelivery>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, $"""
            SELECT {DeliveryColumns}, w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= @now ORDER BY d.next_attempt_at, d.id LIMIT @limit
            """).With("@now", now).With("@limit", (long)limit);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<DueDelivery>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new DueDelivery(ReadDelivery(r), r.Text("url"), r.Text("secret")));
        }

        return list;
    }

    public async Task<DateTimeOffset?> NextDueAtAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'");
        var value = await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task RecordAttemptAsync(DeliveryAttempt attempt, string status, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var cmd = Sql.Command(connection, "INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms) VALUES (@id, @n, @at, @code, @error, @ms)", tx)
            .With("@id", attempt.DeliveryId).With("@n", attempt.Attempt).With("@at", attempt.At).With("@code", attempt.StatusCode)
            .With("@error", attempt.Error).With("@ms", attempt.DurationMs))
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var cmd = Sql.Command(connection, """
            UPDATE webhook_deliveries SET status = @status, attempts = @n, last_status_code = @code, last_error = @error,
                next_attempt_at = @next, completed_at = @completed WHERE id = @id
            """, tx)
            .With("@status", status).With("@n", attempt.Attempt).With("@code", attempt.StatusCode).With("@error", attempt.Error)
            .With("@next", nextAttemptAt).With("@completed", status == "pending" ? null : attempt.At).With("@id", attempt.DeliveryId))
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbCommand Bind(DbCommand cmd, WebhookRecord w) => cmd
        .With("@id", w.Id).With("@org", w.OrgId).With("@url", w.Url).With("@secret", w.Secret)
        .With("@events", EncodeEvents(w.Events)).With("@enabled", w.Enabled);

    /// <summary>"*" for every event, else ",a,b," so a LIKE '%,type,%' matches exactly one name.</summary>
    private static string EncodeEvents(IReadOnlyList<string> events) =>
        events.Count == 0 || events.Contains("*") ? "*" : "," + string.Join(',', events) + ",";

    private static WebhookRecord Read(DbDataReader r)
    {
        var events = r.Text("events");
        return new WebhookRecord(
            r.Text("id"),
            r.Text("org_id"),
            r.Text("url"),
            r.Text("secret"),
            events == "*" ? ["*"] : events.Split(',', StringSplitOptions.RemoveEmptyEntries),
            r.Long("enabled") != 0,
            r.Time("created_at"));
    }

    private static DeliveryRecord ReadDelivery(DbDataReader r) => new(
        r.Long("id"),
        r.Text("webhook_id"),
        r.Text("org_id"),
        r.Text("event_id"),
        r.Text("event_type"),
        r.Text("payload"),
        r.Text("status"),
        (int)r.Long("attempts"),
        r.NullableLong("last_status_code") is { } s ? (int)s : null,
        r.NullableText("last_error"),
        r.NullableTime("next_attempt_at"),
        r.Time("created_at"),
        r.NullableTime("completed_at"));
}
