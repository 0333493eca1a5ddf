using System.Collections.Concurrent;
using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;

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

/// <summary>One durable write per call through Orleans' <c>WriteStateAsync</c> on the service's grain store.</summary>
public sealed class BenchCounterGrain([PersistentState("counter", GrainStores.Main)] IPersistentState<BenchCounterState> counter)
    : Grain, IBenchCounterGrain
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
    /// <summary>A one-shot grain timer due at <paramref name="dueAt"/>.</summary>
    Task ScheduleTimer(DateTimeOffset dueAt);

    /// <summary>A reminder whose first tick is due at <paramref name="dueAt"/> (its period is long; only the first tick counts).</summary>
    Task ScheduleReminder(DateTimeOffset dueAt);
}

/// <summary>Records how late each deadline's callback started, relative to the time it was asked for.</summary>
public sealed class LatenessProbeGrain : Grain, ILatenessProbeGrain
{
    public static readonly ConcurrentQueue<double> LatenessMs = new();

    private DateTimeOffset _dueAt;
    private IGrainTimer? _timer;

    public Task ScheduleTimer(DateTimeOffset dueAt)
    {
        _dueAt = dueAt;
        _timer = this.RegisterGrainTimer(static (self, _) => self.Record(), this,
            new GrainTimerCreationOptions(Until(dueAt), Timeout.InfiniteTimeSpan) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public async Task ScheduleReminder(DateTimeOffset dueAt)
    {
        _dueAt = dueAt;
        await this.RegisterOrUpdateReminder("due", Until(dueAt), TimeSpan.FromHours(1));
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await Record();
        await this.UnregisterReminder(await this.GetReminder(reminderName) ?? throw new InvalidOperationException("no reminder"));
    }

    private Task Record()
    {
        LatenessMs.Enqueue((TimeProvider.System.GetUtcNow() - _dueAt).TotalMilliseconds);
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    private static TimeSpan Until(DateTimeOffset dueAt) => TimeSpan.FromTicks(Math.Max(0, (dueAt - DateTimeOffset.UtcNow).Ticks));
}
