using System.Data.Common;
using ClutchCall.Voice.Server.Calls;

namespace ClutchCall.Voice.Server.Storage;

/// <summary><see cref="IOrgStore"/> over SQLite or PostgreSQL.</summary>
internal sealed class SqlOrgStore(SqlDatabase db, TimeProvider time) : IOrgStore
{
    public async Task<OrgRecord> CreateOrgAsync(string name, CancellationToken cancellationToken)
    {
        var org = new OrgRecord(Ids.NewOrgId(), name, time.GetUtcNow());
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "INSERT INTO orgs (id, name, created_at) VALUES (@id, @name, @at) ON CONFLICT (name) DO NOTHING")
            .With("@id", org.Id).With("@name", org.Name).With("@at", org.CreatedAt);
        if (await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
        {
            throw new InvalidOperationException($"An org named '{name}' already exists.");
        }

        return org;
    }

    public async Task<OrgRecord?> FindOrgAsync(string idOrName, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "SELECT id, name, created_at FROM orgs WHERE id = @v OR name = @v ORDER BY CASE WHEN id = @v THEN 0 ELSE 1 END LIMIT 1")
            .With("@v", idOrName);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await r.ReadAsync(cancellationToken).ConfigureAwait(false) ? new OrgRecord(r.Text("id"), r.Text("name"), r.Time("created_at")) : null;
    }

    public async Task<long> CountOrgsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "SELECT COUNT(*) FROM orgs");
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task InsertKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "INSERT INTO api_keys (key_id, org_id, sha256, scopes, created_at, revoked_at) VALUES (@id, @org, @hash, @scopes, @at, NULL)")
            .With("@id", key.KeyId).With("@org", key.OrgId).With("@hash", Convert.ToHexStringLower(key.Sha256))
            .With("@scopes", string.Join(' ', key.Scopes)).With("@at", key.CreatedAt);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<ApiKeyRecord?> GetKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "SELECT key_id, org_id, sha256, scopes, created_at, revoked_at FROM api_keys WHERE key_id = @id").With("@id", keyId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await r.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(r) : null;
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string orgId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "SELECT key_id, org_id, sha256, scopes, created_at, revoked_at FROM api_keys WHERE org_id = @org ORDER BY created_at, key_id").With("@org", orgId);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<ApiKeyRecord>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(Read(r));
        }

        return list;
    }

    public async Task<bool> RevokeKeyAsync(string orgId, string keyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "UPDATE api_keys SET revoked_at = @at WHERE org_id = @org AND key_id = @id AND revoked_at IS NULL")
            .With("@at", at).With("@org", orgId).With("@id", keyId);
        return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static ApiKeyRecord Read(DbDataReader r) => new(
        r.Text("key_id"),
        r.Text("org_id"),
        Convert.FromHexString(r.Text("sha256")),
        r.Text("scopes").Split(' ', StringSplitOptions.RemoveEmptyEntries),
        r.Time("created_at"),
        r.NullableTime("revoked_at"));
}
