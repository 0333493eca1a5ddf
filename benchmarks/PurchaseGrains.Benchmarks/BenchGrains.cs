using System.Collections.Concurrent;
using PurchaseGrains.Runtime;

namespace PurchaseGrains.Benchmarks;

public sealed class BenchCounterState
{
    public long Value { get; set; }
    public string Note { get; set; } = "";
}

public interface IBenchCounterGrain : IGrainWithStringKey
{
    Task<long> Increment();
    Task<long> Get();
}

public sealed class BenchCounterGrain([PersistentState("counter")] IPersistentState<BenchCounterState> counter) : Grain, IBenchCounterGrain
{
    public async Task<long> Increment()
    {
        counter.State.Value++;
        await counter.WriteStateAsync();
        return counter.State.Value;
    }

    public Task<long> Get() => Task.FromResult(counter.State.Value);
}

public interface ILatenessProbeGrain : IGrainWithStringKey, IRemindable
{
    Task Schedule(TimeSpan dueTime);
}

/// <summary>Records how late each tick started relative to its due time.</summary>
public sealed class LatenessProbeGrain : Grain, ILatenessProbeGrain
{
    public static readonly ConcurrentQueue<double> LatenessMs = new();

    public Task Schedule(TimeSpan dueTime) => RegisterOrUpdateReminder("due", dueTime, TimeSpan.Zero);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        LatenessMs.Enqueue((TimeProvider.GetUtcNow() - status.CurrentTickTime).TotalMilliseconds);
        return Task.CompletedTask;
    }
}
