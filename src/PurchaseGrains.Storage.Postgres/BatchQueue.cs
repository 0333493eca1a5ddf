using System.Threading.Channels;

namespace PurchaseGrains.Storage.Postgres;

/// <summary>
/// Work that arrives while earlier batches are running waits and goes together in the next batch (up to
/// <c>maxBatch</c> items), taken by one of <c>loops</c> concurrent loops. A quiet queue runs batches of one, at once.
/// </summary>
internal sealed class BatchQueue<T> : IAsyncDisposable
{
    private readonly Channel<T> _queue = Channel.CreateUnbounded<T>();
    private readonly Task[] _loops;

    /// <param name="run">Runs one batch; must not throw (each item carries its own outcome), nor keep the list it is
    /// given, which is reused for the next batch.</param>
    public BatchQueue(int loops, int maxBatch, Func<List<T>, Task> run) =>
        _loops = [.. Enumerable.Range(0, loops).Select(_ => Task.Run(() => LoopAsync(maxBatch, run)))];

    public void Add(T item)
    {
        if (!_queue.Writer.TryWrite(item))
            throw new ObjectDisposedException(nameof(BatchQueue<T>));
    }

    private async Task LoopAsync(int maxBatch, Func<List<T>, Task> run)
    {
        var batch = new List<T>(maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < maxBatch && _queue.Reader.TryRead(out var item))
                batch.Add(item);
            if (batch.Count > 0)
                await run(batch);
            batch.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_loops);
    }
}
