using System.Data.Common;

namespace ClutchCall.Voice.Server.Storage;

/// <summary>
/// The differences between the SQL engines this server runs on. Everything else is plain SQL
/// shared by both (named <c>@parameters</c>, <c>ON CONFLICT</c>, timestamps as Unix milliseconds).
/// </summary>
internal abstract class SqlDatabase
{
    /// <summary>"sqlite" or "postgres".</summary>
    public abstract string Name { get; }

    /// <summary>Opens a connection ready for use (per-connection settings applied).</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Column type of an auto-numbered primary key.</summary>
    public abstract string IdentityColumn { get; }

    /// <summary>Run once before migrations (e.g. switching to WAL).</summary>
    public virtual Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Serialises concurrent migrators (several nodes on one PostgreSQL). Runs inside the migration transaction.</summary>
    public virtual string? MigrationLockSql => null;
}
