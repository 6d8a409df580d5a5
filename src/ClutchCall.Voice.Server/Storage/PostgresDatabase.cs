using System.Data.Common;
using Npgsql;

namespace ClutchCall.Voice.Server.Storage;

/// <summary>PostgreSQL storage through one pooled <see cref="NpgsqlDataSource"/>.</summary>
internal sealed class PostgresDatabase : SqlDatabase, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(string connectionString)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    public override string Name => "postgres";

    public override string IdentityColumn => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

    // A transaction-scoped advisory lock: two nodes starting together apply each migration once.
    public override string? MigrationLockSql => "SELECT pg_advisory_xact_lock(7078957)";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
