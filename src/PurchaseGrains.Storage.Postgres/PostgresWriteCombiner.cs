using Npgsql;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// Group commit for grain writes. A write that arrives while others are in flight joins the next batch (up to
/// <see cref="MaxBatch"/> writes), and the writes of a batch that share a <see cref="WriteShape"/> run as ONE set-based
/// statement over arrays, so a batch costs one round trip, one commit and a few statements however many grains it
/// carries. Each write keeps its own version condition, so batching changes no outcome: a lost race is still that
/// write's alone. Two writes to the same row never share a statement, and writes are sorted by row so concurrent
/// batches lock in the same order. If a batch fails on a statement error, its writes are retried one by one, so one
/// bad write cannot fail its neighbours.
/// </summary>
internal sealed class PostgresWriteCombiner : IAsyncDisposable
{
    public const int MaxBatch = 1024;

    private readonly NpgsqlDataSource _dataSource;
    private readonly BatchQueue<CombinedWrite> _queue;

    public PostgresWriteCombiner(NpgsqlDataSource dataSource, int writers)
    {
        _dataSource = dataSource;
        _queue = new BatchQueue<CombinedWrite>(writers, MaxBatch, RunAsync);
    }

    /// <summary>Runs the write with whatever else is waiting; its answer, or null when the statement returned no row for it.</summary>
    /// <remarks>Not an async method: a write's own task is the answer, with no state machine around it.</remarks>
    public Task<long?> ExecuteAsync(CombinedWrite write, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<long?>(cancellationToken);
        try
        {
            _queue.Add(write);
        }
        catch (Exception exception)
        {
            return Task.FromException<long?>(exception);
        }
        return cancellationToken.CanBeCanceled ? write.Result.Task.WaitAsync(cancellationToken) : write.Result.Task;
    }

    private async Task RunAsync(List<CombinedWrite> arrived)
    {
        // A stable sort: two writes to one row keep their order.
        var writes = arrived.OrderBy(write => write.RowKey, StringComparer.Ordinal).ToList();
        try
        {
            await RunStatementsAsync(StatementGroups.Plan(writes));
        }
        catch (PostgresException) when (writes.Count > 1)
        {
            // A statement failed and took the batch's transaction with it: nothing was written. Find out whose it was.
            foreach (var write in writes)
                await RunAloneAsync(write);
        }
        catch (Exception exception)
        {
            foreach (var write in writes)
                write.Result.TrySetException(exception);
        }
    }

    private async Task RunAloneAsync(CombinedWrite write)
    {
        try
        {
            await RunStatementsAsync([new StatementGroup(write.Shape, [write])]);
        }
        catch (Exception exception)
        {
            write.Result.TrySetException(exception);
        }
    }

    /// <summary>One implicit transaction; each statement returns <c>(ordinal, answer)</c> rows for the writes it carries.</summary>
    private async Task RunStatementsAsync(IReadOnlyList<StatementGroup> groups)
    {
        var answers = groups.Select(group => new long?[group.Writes.Count]).ToArray();
        await using (var connection = await _dataSource.OpenConnectionAsync())
        await using (var batch = new NpgsqlBatch(connection))
        {
            foreach (var group in groups)
                batch.BatchCommands.Add(group.Shape.Build(group.Writes));
            await using var reader = await batch.ExecuteReaderAsync();
            for (var g = 0; g < groups.Count; g++)
            {
                if (g > 0 && !await reader.NextResultAsync())
                    throw new InvalidOperationException("Every combined statement must return one result set.");
                while (await reader.ReadAsync())
                    answers[g][reader.GetInt64(0) - 1] = reader.IsDBNull(1) ? null : reader.GetInt64(1);
            }
        }
        for (var g = 0; g < groups.Count; g++)
        {
            for (var i = 0; i < groups[g].Writes.Count; i++)
                groups[g].Writes[i].Result.TrySetResult(answers[g][i]);
        }
    }

    public ValueTask DisposeAsync() => _queue.DisposeAsync();
}
