using System.Data.Common;

namespace ClutchCall.Voice.Server.Storage;

/// <summary>
/// Versioned schema changes, applied in order on start. <c>schema_migrations</c> records each
/// applied version; a migration and its record commit in one transaction. Never edit a shipped
/// migration: append a new version.
/// </summary>
internal static class Migrations
{
    private static IReadOnlyList<(int Version, string Name, Func<SqlDatabase, string[]> Statements)> All { get; } =
    [
        (1, "initial schema", db =>
        [
            """
            CREATE TABLE orgs (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE api_keys (
                key_id TEXT PRIMARY KEY,
                org_id TEXT NOT NULL REFERENCES orgs(id),
                sha256 TEXT NOT NULL,
                scopes TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT NULL)
            """,
            "CREATE INDEX ix_api_keys_org ON api_keys(org_id)",
            $"""
            CREATE TABLE calls (
                seq {db.IdentityColumn},
                sid TEXT NOT NULL UNIQUE,
                org_id TEXT NOT NULL REFERENCES orgs(id),
                version BIGINT NOT NULL,
                direction TEXT NOT NULL,
                to_number TEXT NOT NULL,
                from_number TEXT NOT NULL,
                trunk_id TEXT NULL,
                agent TEXT NULL,
                status TEXT NOT NULL,
                ring_timeout_seconds BIGINT NOT NULL,
                end_reason TEXT NULL,
                started_at BIGINT NOT NULL,
                answered_at BIGINT NULL,
                ended_at BIGINT NULL,
                duration_seconds BIGINT NULL)
            """,
            "CREATE INDEX ix_calls_org_seq ON calls(org_id, seq)",
            "CREATE INDEX ix_calls_status ON calls(status)",
            $"""
            CREATE TABLE transcript_entries (
                id {db.IdentityColumn},
                org_id TEXT NOT NULL,
                call_sid TEXT NOT NULL REFERENCES calls(sid),
                speaker TEXT NOT NULL,
                text TEXT NOT NULL,
                at BIGINT NOT NULL)
            """,
            "CREATE INDEX ix_transcript_call ON transcript_entries(call_sid, id)",
            """
            CREATE TABLE webhooks (
                id TEXT PRIMARY KEY,
                org_id TEXT NOT NULL REFERENCES orgs(id),
                url TEXT NOT NULL,
                secret TEXT NOT NULL,
                events TEXT NOT NULL,
                enabled BIGINT NOT NULL,
                created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX ix_webhooks_org ON webhooks(org_id)",
            $"""
            CREATE TABLE webhook_deliveries (
                id {db.IdentityColumn},
                webhook_id TEXT NOT NULL,
                org_id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                event_type TEXT NOT NULL,
                payload TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts BIGINT NOT NULL,
                last_status_code BIGINT NULL,
                last_error TEXT NULL,
                next_attempt_at BIGINT NULL,
                created_at BIGINT NOT NULL,
                completed_at BIGINT NULL)
            """,
            "CREATE INDEX ix_deliveries_due ON webhook_deliveries(status, next_attempt_at)",
            "CREATE INDEX ix_deliveries_webhook ON webhook_deliveries(webhook_id, id)",
            """
            CREATE TABLE webhook_attempts (
                delivery_id BIGINT NOT NULL,
                attempt BIGINT NOT NULL,
                at BIGINT NOT NULL,
                status_code BIGINT NULL,
                error TEXT NULL,
                duration_ms BIGINT NOT NULL,
                PRIMARY KEY (delivery_id, attempt))
            """,
        ]),
    ];

    /// <summary>The newest schema version this build knows.</summary>
    public static int LatestVersion => All[^1].Version;

    /// <summary>Applies every migration newer than the database; returns the versions applied.</summary>
    public static async Task<IReadOnlyList<int>> ApplyAsync(SqlDatabase db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await db.PrepareAsync(connection, cancellationToken).ConfigureAwait(false);
        await using (var create = Sql.Command(connection, "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var applied = new List<int>();
        foreach (var (version, name, statements) in All)
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (db.MigrationLockSql is { } lockSql)
            {
                await using var lockCmd = Sql.Command(connection, lockSql, tx);
                await lockCmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (await IsAppliedAsync(connection, tx, version, cancellationToken).ConfigureAwait(false))
            {
                await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            foreach (var sql in statements(db))
            {
                await using var cmd = Sql.Command(connection, sql, tx);
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var record = Sql.Command(connection, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @t)", tx)
                .With("@v", (long)version).With("@n", name).With("@t", time.GetUtcNow()))
            {
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            applied.Add(version);
        }

        return applied;
    }

    /// <summary>The versions recorded in <c>schema_migrations</c>.</summary>
    public static async Task<IReadOnlyList<int>> AppliedVersionsAsync(SqlDatabase db, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "SELECT version FROM schema_migrations ORDER BY version");
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var versions = new List<int>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions.Add((int)r.Long("version"));
        }

        return versions;
    }

    private static async Task<bool> IsAppliedAsync(DbConnection connection, DbTransaction tx, int version, CancellationToken cancellationToken)
    {
        await using var cmd = Sql.Command(connection, "SELECT COUNT(*) FROM schema_migrations WHERE version = @v", tx).With("@v", (long)version);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }
}
