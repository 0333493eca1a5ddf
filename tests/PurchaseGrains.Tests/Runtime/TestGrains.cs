using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Hosting;
using PurchaseGrains.Silo.Http;

namespace PurchaseGrains.Tests.Runtime;

public sealed class CounterState
{
    public int Value { get; set; }
}

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Increment(int by);
    Task<int> Get();
    Task IncrementThenFail();
    Task<bool> WasStateReadForThisTurn();
}

/// <summary>A counter that records how many of its turns overlap, to prove turns are serial.</summary>
public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> counter) : Grain, ICounterGrain
{
    public static readonly ConcurrentDictionary<string, int> MaxConcurrentTurns = new();
    private static readonly ConcurrentDictionary<string, int> RunningTurns = new();

    public async Task<int> Increment(int by)
    {
        var running = RunningTurns.AddOrUpdate(PrimaryKey, 1, (_, n) => n + 1);
        MaxConcurrentTurns.AddOrUpdate(PrimaryKey, running, (_, max) => Math.Max(max, running));
        try
        {
            await Task.Yield();
            counter.State.Value += by;
            await counter.WriteStateAsync();
            return counter.State.Value;
        }
        finally
        {
            RunningTurns.AddOrUpdate(PrimaryKey, 0, (_, n) => n - 1);
        }
    }

    public Task<int> Get() => Task.FromResult(counter.State.Value);

    public Task<bool> WasStateReadForThisTurn() => Task.FromResult(StateReadForThisTurn);

    public Task IncrementThenFail()
    {
        counter.State.Value += 1000;
        throw new InvalidOperationException("failed after mutating state, before writing it");
    }
}

public interface IReminderProbeGrain : IGrainWithStringKey, IRemindable
{
    Task Schedule(TimeSpan dueTime, TimeSpan period);
}

/// <summary>Counts the ticks it receives (per grain key and node), and can fail or hang on demand.</summary>
public sealed class ReminderProbeGrain(Microsoft.Extensions.Options.IOptions<SiloOptions> silo) : Grain, IReminderProbeGrain
{
    public static readonly ConcurrentDictionary<string, ConcurrentQueue<(string NodeId, DateTimeOffset At, TickStatus Status)>> Ticks = new();
    public static readonly ConcurrentDictionary<string, int> FailuresToInject = new();
    public static readonly ConcurrentDictionary<string, TaskCompletionSource> HangUntil = new();
    public static readonly ConcurrentDictionary<string, TaskCompletionSource> Entered = new();

    public Task Schedule(TimeSpan dueTime, TimeSpan period) => RegisterOrUpdateReminder("probe", dueTime, period);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Entered.GetOrAdd(PrimaryKey, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (HangUntil.TryGetValue($"{PrimaryKey}@{silo.Value.NodeId}", out var gate))
            await gate.Task;
        if (FailuresToInject.TryGetValue(PrimaryKey, out var left) && left > 0)
        {
            FailuresToInject[PrimaryKey] = left - 1;
            throw new InvalidOperationException("injected failure");
        }
        Ticks.GetOrAdd(PrimaryKey, _ => new()).Enqueue((silo.Value.NodeId, TimeProvider.GetUtcNow(), status));
    }

    public static int Count(string key) => Ticks.TryGetValue(key, out var q) ? q.Count : 0;
}

public sealed record IncrementRequest(int By);

public sealed record CounterValue(int Value);

public static class TestGrainRegistration
{
    public static void AddTestGrains(WebApplicationBuilder builder)
    {
        builder.Services.AddGrain<ICounterGrain, CounterGrain>("test-counter");
        builder.Services.AddGrain<IReminderProbeGrain, ReminderProbeGrain>("test-reminder-probe");
    }

    /// <summary>POST /test/counters/{key} {"by":n}: a grain write behind real HTTP, API key required.</summary>
    public static void MapTestRoutes(WebApplication app)
    {
        app.MapPost("/test/counters/{key}", async (string key, IncrementRequest request, IGrainFactory grains) =>
            TypedResults.Ok(new CounterValue(await grains.GetGrain<ICounterGrain>(key).Increment(request.By))))
            .RequireApiKey();
        app.MapPost("/test/admin-only", () => TypedResults.Ok(new CounterValue(0))).RequireAdminKey();
    }
}
