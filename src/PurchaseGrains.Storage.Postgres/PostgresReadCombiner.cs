using Npgsql;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// Grain state reads that arrive while others are in flight go together as ONE statement (the keys as arrays,
/// joined to <c>grain_state</c>): activating many grains at once (a burst of reminder ticks, say) costs a few round
/// trips, not one each. A quiet node reads one at a time, at once. Each key is looked up in a subquery the planner
/// cannot merge into a join (<c>OFFSET 0</c>): a primary-key probe per key, whatever the table's statistics said when
/// the statement's plan was cached.
/// </summary>
internal sealed class PostgresReadCombiner : IAsyncDisposable
{
    private const int MaxBatch = 1024;

    private const string Sql = """
        SELECT v.ord, g.payload, g.version
        FROM unnest(@types::text[], @keys::text[], @names::text[]) WITH ORDINALITY AS v(grain_type, grain_key, state_name, ord)
        CROSS JOIN LATERAL (
            SELECT s.payload, s.version FROM grain_state s
            WHERE s.grain_type = v.grain_type AND s.grain_key = v.grain_key AND s.state_name = v.state_name OFFSET 0) g
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly BatchQueue<PendingRead> _queue;

    public PostgresReadCombiner(NpgsqlDataSource dataSource, int readers)
    {
        _dataSource = dataSource;
        _queue = new BatchQueue<PendingRead>(readers, MaxBatch, RunAsync);
    }

    public async Task<StoredState?> ReadAsync(StateRowId grainId, string stateName, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var read = new PendingRead(grainId, stateName);
        _queue.Add(read);
        return await read.Result.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync(List<PendingRead> reads)
    {
        try
        {
            var found = new StoredState?[reads.Count];
            await using (var command = _dataSource.CreateCommand(Sql))
            {
                command.Parameters.Add(new NpgsqlParameter<string[]>("types", [.. reads.Select(r => r.StateRowId.Type)]));
                command.Parameters.Add(new NpgsqlParameter<string[]>("keys", [.. reads.Select(r => r.StateRowId.Key)]));
                command.Parameters.Add(new NpgsqlParameter<string[]>("names", [.. reads.Select(r => r.StateName)]));
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    found[reader.GetInt64(0) - 1] = new StoredState(reader.GetString(1), reader.GetInt64(2));
            }
            for (var i = 0; i < reads.Count; i++)
                reads[i].Result.TrySetResult(found[i]);
        }
        catch (Exception exception)
        {
            foreach (var read in reads)
                read.Result.TrySetException(exception);
        }
    }

    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    private sealed record PendingRead(StateRowId StateRowId, string StateName)
    {
        public TaskCompletionSource<StoredState?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
