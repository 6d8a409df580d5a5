using System.Data.Common;

namespace ClutchCall.Voice.Server.Storage;

/// <summary>Small ADO.NET helpers shared by the stores.</summary>
internal static class Sql
{
    public static DbCommand Command(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = transaction;
        return cmd;
    }

    public static DbCommand With(this DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value switch
        {
            null => DBNull.Value,
            DateTimeOffset t => t.ToUnixTimeMilliseconds(),
            bool b => b ? 1L : 0L,
            int i => (long)i,
            _ => value,
        };
        cmd.Parameters.Add(p);
        return cmd;
    }

    public static long Long(this DbDataReader r, string column) => Convert.ToInt64(r.GetValue(r.GetOrdinal(column)), System.Globalization.CultureInfo.InvariantCulture);

    public static long? NullableLong(this DbDataReader r, string column)
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Text(this DbDataReader r, string column) => r.GetString(r.GetOrdinal(column));

    public static string? NullableText(this DbDataReader r, string column)
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetString(i);
    }

    public static DateTimeOffset Time(this DbDataReader r, string column) => DateTimeOffset.FromUnixTimeMilliseconds(r.Long(column));

    public static DateTimeOffset? NullableTime(this DbDataReader r, string column) =>
        r.NullableLong(column) is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
