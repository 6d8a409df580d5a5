using System.Data.Common;
using ClutchCall.Voice.Agents.Pipeline;
using ClutchCall.Voice.Server.Storage;

namespace ClutchCall.Voice.Server.Agents;

/// <summary>One stored agent turn of a call: its latencies in microseconds (null = the stage did not happen).</summary>
internal sealed record CallTurnRecord(
    long TurnId,
    string Agent,
    long CallerEndOfSpeechUs,
    long EndpointingUs,
    long? SttFinalUs,
    long? AgentFirstTextUs,
    long? FirstFrameUs,
    long? SttComputeUs,
    long? AgentComputeUs,
    long? TtsComputeUs,
    long? EngineOverheadUs,
    bool Interrupted,
    DateTimeOffset At)
{
    /// <summary>DTMF digits the caller pressed in the turn, or null.</summary>
    public string? Digits { get; init; }

    /// <summary>Caller speech over the reply detected and cut it at this capture-clock time (µs); null when no barge-in.</summary>
    public long? BargeInDetectedUs { get; init; }

    public static CallTurnRecord Of(string agent, TurnTimings t, DateTimeOffset at) => new(
        t.TurnId,
        agent,
        t.CallerEndOfSpeechUs,
        Us(t.EndpointingDelay)!.Value,
        Us(t.SttFinal),
        Us(t.AgentFirstText),
        Us(t.FirstFrameSent),
        Us(t.SttCompute),
        Us(t.AgentCompute),
        Us(t.TtsCompute),
        Us(t.EngineOverhead),
        t.Interrupted,
        at)
    {
        Digits = t.Digits,
        BargeInDetectedUs = t.BargeInDetectedUs,
    };

    private static long? Us(TimeSpan? t) => t is { } v ? v.Ticks / TimeSpan.TicksPerMicrosecond : null;
}

/// <summary>
/// The <c>call_turns</c> table: per-turn timings of agent calls, org-scoped. The table is additive and owned by
/// the agent runtime; it is created idempotently on first use (<c>CREATE TABLE IF NOT EXISTS</c>, same SQL on
/// SQLite and PostgreSQL) rather than as a numbered migration, so the core schema's version list is unchanged.
/// </summary>
internal sealed class CallTurnStore(SqlDatabase db)
{
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaReady;

    public async Task AppendAsync(string orgId, string sid, CallTurnRecord t, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, """
            INSERT INTO call_turns (org_id, call_sid, turn_id, agent, caller_end_us, endpointing_us, stt_final_us, agent_first_text_us,
                first_frame_us, stt_compute_us, agent_compute_us, tts_compute_us, overhead_us, interrupted, at, digits, barge_in_us)
            SELECT org_id, sid, @turn, @agent, @end, @endpointing, @stt, @agentText, @frame, @sttc, @agentc, @ttsc, @overhead, @interrupted, @at,
                @digits, @bargeIn
            FROM calls WHERE org_id = @org AND sid = @sid
            """)
            .With("@org", orgId).With("@sid", sid).With("@turn", t.TurnId).With("@agent", t.Agent).With("@end", t.CallerEndOfSpeechUs)
            .With("@endpointing", t.EndpointingUs).With("@stt", t.SttFinalUs).With("@agentText", t.AgentFirstTextUs).With("@frame", t.FirstFrameUs)
            .With("@sttc", t.SttComputeUs).With("@agentc", t.AgentComputeUs).With("@ttsc", t.TtsComputeUs).With("@overhead", t.EngineOverheadUs)
            .With("@interrupted", t.Interrupted).With("@at", t.At).With("@digits", t.Digits).With("@bargeIn", t.BargeInDetectedUs);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<CallTurnRecord>> ListAsync(string orgId, string sid, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = Sql.Command(connection, "SELECT * FROM call_turns WHERE org_id = @org AND call_sid = @sid ORDER BY id")
            .With("@org", orgId).With("@sid", sid);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<CallTurnRecord>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new CallTurnRecord(
                r.Long("turn_id"),
                r.Text("agent"),
                r.Long("caller_end_us"),
                r.Long("endpointing_us"),
                r.NullableLong("stt_final_us"),
                r.NullableLong("agent_first_text_us"),
                r.NullableLong("first_frame_us"),
                r.NullableLong("stt_compute_us"),
                r.NullableLong("agent_compute_us"),
                r.NullableLong("tts_compute_us"),
                r.NullableLong("overhead_us"),
                r.Long("interrupted") != 0,
                r.Time("at"))
            {
                Digits = r.NullableText("digits"),
                BargeInDetectedUs = r.NullableLong("barge_in_us"),
            });
        }

        return list;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await db.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_schemaReady)
        {
            return connection;
        }

        await _schemaGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_schemaReady)
            {
                foreach (var sql in Schema(db))
                {
                    await using var cmd = Sql.Command(connection, sql);
                    await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await AddMissingColumnsAsync(connection, cancellationToken).ConfigureAwait(false);

                _schemaReady = true;
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _schemaGate.Release();
        }

        return connection;
    }

    /// <summary>
    /// Columns added after the table first shipped, created on a table that lacks them (the same ALTER on SQLite and
    /// PostgreSQL; neither offers a portable ADD COLUMN IF NOT EXISTS, so the existing columns are read first).
    /// </summary>
    private static async Task AddMissingColumnsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using (var probe = Sql.Command(connection, "SELECT * FROM call_turns WHERE 1 = 0"))
        await using (var r = await probe.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < r.FieldCount; i++)
            {
                present.Add(r.GetName(i));
            }
        }

        foreach (var (column, type) in AddedColumns)
        {
            if (!present.Contains(column))
            {
                await using var cmd = Sql.Command(connection, $"ALTER TABLE call_turns ADD COLUMN {column} {type} NULL");
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static readonly (string Column, string Type)[] AddedColumns = [("digits", "TEXT"), ("barge_in_us", "BIGINT")];

    private static string[] Schema(SqlDatabase db) =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS call_turns (
            id {db.IdentityColumn},
            org_id TEXT NOT NULL,
            call_sid TEXT NOT NULL REFERENCES calls(sid),
            turn_id BIGINT NOT NULL,
            agent TEXT NOT NULL,
            caller_end_us BIGINT NOT NULL,
            endpointing_us BIGINT NOT NULL,
            stt_final_us BIGINT NULL,
            agent_first_text_us BIGINT NULL,
            first_frame_us BIGINT NULL,
            stt_compute_us BIGINT NULL,
            agent_compute_us BIGINT NULL,
            tts_compute_us BIGINT NULL,
            overhead_us BIGINT NULL,
            interrupted BIGINT NOT NULL,
            at BIGINT NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS ix_call_turns_call ON call_turns(call_sid, id)",
    ];
}
