using System.Data.Common;
using ClutchCall.Voice.Server.Calls;

namespace ClutchCall.Voice.Server.Storage;

/// <summary><see cref="ICallStore"/> over SQLite or PostgreSQL.</summary>
internal sealed class SqlCallStore(SqlDatabase db, TimeProvider time) : ICallStore
{
    private const string Columns = "seq, sid, org_id, version, direction, to_number, from_number, trunk_id, agent, status, ring_timeout_seconds, end_reason, started_at, answered_at, ended_at, duration_seconds";

    public async Task InsertAsync(CallRecord call, IReadOnlyList<OutboundEvent> events, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var cmd = Sql.Command(connection, """
            INSERT INTO calls (sid, org_id, version, direction, to_number, from_number, trunk_id, agent, status, ring_timeout_seconds, end_reason, started_at, answered_at, ended_at, duration_seconds)
            VALUES (@sid, @org, 1, @dir, @to, @from, @trunk, @agent, @status, @ring, @reason, @started, @answered, @ended, @duration)
            """, tx))
        {
            Bind(cmd, call);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await EnqueueAsync(connection, tx, call.OrgId, events, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<CallRecord?> GetAsync(string orgId, string sid, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, $"SELECT {Columns} FROM calls WHERE org_id = @org AND sid = @sid").With("@org", orgId).With("@sid", sid);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await r.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(r) : null;
    }

    public async Task<bool> UpdateAsync(CallRecord next, long expectedVersion, IReadOnlyList<OutboundEvent> events, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int rows;
        await using (var cmd = Sql.Command(connection, """
            UPDATE calls SET version = version + 1, direction = @dir, to_number = @to, from_number = @from, trunk_id = @trunk,
                agent = @agent, status = @status, ring_timeout_seconds = @ring, end_reason = @reason, started_at = @started,
                answered_at = @answered, ended_at = @ended, duration_seconds = @duration
            WHERE org_id = @org AND sid = @sid AND version = @expected
            """, tx))
        {
            Bind(cmd, next);
            cmd.With("@expected", expectedVersion);
            rows = await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (rows != 1)
        {
            await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }

        await EnqueueAsync(connection, tx, next.OrgId, events, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<IReadOnlyList<CallRecord>> ListAsync(string orgId, CallQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        var where = "org_id = @org";
        await using var cmd = Sql.Command(connection, string.Empty).With("@org", orgId);
        if (query.Status is { } status)
        {
            where += " AND status = @status";
            cmd.With("@status", status.ToWire());
        }

        if (query.Direction is { } direction)
        {
            where += " AND direction = @dir";
            cmd.With("@dir", direction == CallDirection.Inbound ? "inbound" : "outbound");
        }

        if (query.Number is { } number)
        {
            where += " AND (to_number = @number OR from_number = @number)";
            cmd.With("@number", number);
        }

        if (query.BeforeSeq is { } before)
        {
            where += " AND seq < @before";
            cmd.With("@before", before);
        }

        cmd.CommandText = $"SELECT {Columns} FROM calls WHERE {where} ORDER BY seq DESC LIMIT @limit";
        cmd.With("@limit", (long)query.Limit);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<CallRecord>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(Read(r));
        }

        return list;
    }

    public async Task<IReadOnlyList<CallRecord>> ListUnfinishedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, $"SELECT {Columns} FROM calls WHERE status IN ('dialing', 'ringing', 'in_progress') ORDER BY seq");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<CallRecord>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(Read(r));
        }

        return list;
    }

    public Task AppendTranscriptAsync(string orgId, string sid, TranscriptEntry entry, CancellationToken cancellationToken) =>
        AppendTranscriptAsync(orgId, sid, entry, [], cancellationToken);

    public async Task AppendTranscriptAsync(string orgId, string sid, TranscriptEntry entry, IReadOnlyList<OutboundEvent> events, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var cmd = Sql.Command(connection, """
            INSERT INTO transcript_entries (org_id, call_sid, speaker, text, at)
            SELECT org_id, sid, @speaker, @text, @at FROM calls WHERE org_id = @org AND sid = @sid
            """, tx).With("@org", orgId).With("@sid", sid).With("@speaker", entry.Speaker).With("@text", entry.Text).With("@at", entry.At))
        {
            if (await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                throw new CallNotFoundException(sid);
            }
        }

        await EnqueueAsync(connection, tx, orgId, events, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<TranscriptEntry>> GetTranscriptAsync(string orgId, string sid, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "SELECT speaker, text, at FROM transcript_entries WHERE org_id = @org AND call_sid = @sid ORDER BY id")
            .With("@org", orgId).With("@sid", sid);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<TranscriptEntry>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new TranscriptEntry(r.Text("speaker"), r.Text("text"), r.Time("at")));
        }

        return list;
    }

    /// <summary>One delivery row per enabled webhook of the org subscribed to the event's type ('*' = all).</summary>
    private async Task EnqueueAsync(DbConnection connection, DbTransaction tx, string orgId, IReadOnlyList<OutboundEvent> events, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var e in events)
        {
            await using var cmd = Sql.Command(connection, """
                INSERT INTO webhook_deliveries (webhook_id, org_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at)
                SELECT id, org_id, @event, @type, @payload, 'pending', 0, @now, @now FROM webhooks
                WHERE org_id = @org AND enabled = 1 AND (events = '*' OR events LIKE @pattern)
                """, tx)
                .With("@event", e.EventId).With("@type", e.Type).With("@payload", e.PayloadJson).With("@now", now)
                .With("@org", orgId).With("@pattern", "%," + e.Type + ",%");
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Bind(DbCommand cmd, CallRecord c) => cmd
        .With("@sid", c.Sid).With("@org", c.OrgId).With("@dir", c.Direction == CallDirection.Inbound ? "inbound" : "outbound")
        .With("@to", c.To).With("@from", c.From).With("@trunk", c.TrunkId).With("@agent", c.Agent).With("@status", c.Status.ToWire())
        .With("@ring", c.RingTimeoutSeconds).With("@reason", c.EndReason).With("@started", c.StartedAt).With("@answered", c.AnsweredAt)
        .With("@ended", c.EndedAt).With("@duration", c.DurationSeconds);

    private static CallRecord Read(DbDataReader r)
    {
        var statusText = r.Text("status");
        if (!CallStatusNames.TryParse(statusText, out var status))
        {
            throw new InvalidDataException($"Stored call has unknown status '{statusText}'.");
        }

        return new CallRecord
        {
            Seq = r.Long("seq"),
            Version = r.Long("version"),
            Sid = r.Text("sid"),
            OrgId = r.Text("org_id"),
            Direction = r.Text("direction") == "inbound" ? CallDirection.Inbound : CallDirection.Outbound,
            To = r.Text("to_number"),
            From = r.Text("from_number"),
            TrunkId = r.NullableText("trunk_id"),
            Agent = r.NullableText("agent"),
            Status = status,
            RingTimeoutSeconds = (int)r.Long("ring_timeout_seconds"),
            EndReason = r.NullableText("end_reason"),
            StartedAt = r.Time("started_at"),
            AnsweredAt = r.NullableTime("answered_at"),
            EndedAt = r.NullableTime("ended_at"),
            DurationSeconds = r.NullableLong("duration_seconds") is { } d ? (int)d : null,
        };
    }
}
