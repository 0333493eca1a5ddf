using System.Threading.Channels;
using Npgsql;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// One statement to run, and where its answer (first column of its first row, or null) goes. The statement must
/// return a result set (<c>RETURNING …</c>), even an empty one.
/// </summary>
internal sealed class CombinedWrite(string sortKey, string commandText, IReadOnlyList<NpgsqlParameter> parameters)
{
    public string SortKey { get; } = sortKey;
    public string CommandText { get; } = commandText;
    public IReadOnlyList<NpgsqlParameter> Parameters { get; } = parameters;
    public TaskCompletionSource<object?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Group commit for grain writes. A write that arrives while others are in flight joins the next batch: up to
/// <see cref="MaxBatch"/> statements sent as one <see cref="NpgsqlBatch"/>, which PostgreSQL runs as one implicit
/// transaction, so many grains pay for one round trip and one commit (WAL flush). Each statement keeps its own
/// version condition, so batching changes no outcome: a lost race is still that write's alone. Statements are sorted
/// by grain so concurrent batches take row locks in the same order. If a batch fails on a statement error, its
/// writes are retried one by one, so one bad write cannot fail its neighbours.
/// </summary>
internal sealed class PostgresWriteCombiner : IAsyncDisposable
{
    public const int MaxBatch = 64;

    // Answers are matched to writes by position, and a statement without a result set would shift them all.
    private const string NotOneResultSetEach = "Every combined write must return one result set (use RETURNING).";

    private readonly NpgsqlDataSource _dataSource;
    private readonly Channel<CombinedWrite> _queue = Channel.CreateUnbounded<CombinedWrite>();
    private readonly Task[] _writers;

    public PostgresWriteCombiner(NpgsqlDataSource dataSource, int writers)
    {
        _dataSource = dataSource;
        _writers = [.. Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync))];
    }

    public async Task<object?> ExecuteScalarAsync(CombinedWrite write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_queue.Writer.TryWrite(write))
            throw new ObjectDisposedException(nameof(PostgresWriteCombiner));
        return await write.Result.Task.WaitAsync(cancellationToken);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<CombinedWrite>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
                batch.Add(write);
            if (batch.Count > 0)
                await RunAsync(batch);
            batch.Clear();
        }
    }

    private async Task RunAsync(List<CombinedWrite> writes)
    {
        if (writes.Count == 1)
        {
            await RunAloneAsync(writes[0]);
            return;
        }
        writes.Sort((a, b) => string.CompareOrdinal(a.SortKey, b.SortKey));
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync();
            await using var batch = new NpgsqlBatch(connection);
            foreach (var write in writes)
            {
                var command = new NpgsqlBatchCommand(write.CommandText);
                foreach (var parameter in write.Parameters)
                    command.Parameters.Add(parameter.Clone());
                batch.BatchCommands.Add(command);
            }
            var results = new object?[writes.Count];
            await using (var reader = await batch.ExecuteReaderAsync())
            {
                for (var i = 0; i < writes.Count; i++)
                {
                    if (i > 0 && !await reader.NextResultAsync())
                        throw new InvalidOperationException(NotOneResultSetEach);
                    results[i] = await reader.ReadAsync() ? reader.GetValue(0) : null;
                }
                if (await reader.NextResultAsync())
                    throw new InvalidOperationException(NotOneResultSetEach);
            }
            for (var i = 0; i < writes.Count; i++)
                writes[i].Result.TrySetResult(results[i]);
        }
        catch (PostgresException)
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
            await using var command = _dataSource.CreateCommand(write.CommandText);
            foreach (var parameter in write.Parameters)
                command.Parameters.Add(parameter.Clone());
            write.Result.TrySetResult(await command.ExecuteScalarAsync());
        }
        catch (Exception exception)
        {
            write.Result.TrySetException(exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_writers);
    }
}
