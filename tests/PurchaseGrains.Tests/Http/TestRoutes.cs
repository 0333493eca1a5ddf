using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;
using PurchaseGrains.Silo.Http;

namespace PurchaseGrains.Tests.Http;

[GenerateSerializer, Alias("test.counter-state")]
public sealed class CounterState
{
    [Id(0)] public int Value { get; set; }
}

[Alias("test.ICounterGrain")]
public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Increment(int by);

    Task<int> Get();
}

/// <summary>A persisted counter: a grain write behind real HTTP, for the tests of the HTTP conventions and telemetry.</summary>
[GrainType("test_counter")]
public sealed class CounterGrain([PersistentState("counter", GrainStores.Main)] IPersistentState<CounterState> counter)
    : Grain, ICounterGrain
{
    public async Task<int> Increment(int by)
    {
        counter.State.Value += by;
        await counter.WriteOrDeactivateAsync(this);
        return counter.State.Value;
    }

    public Task<int> Get() => Task.FromResult(counter.State.Value);
}

public sealed record IncrementRequest(int By);

public sealed record CounterValue(int Value);

public static class TestRoutes
{
    /// <summary>POST /test/counters/{key} {"by":n} (API key required) and POST /test/admin-only (admin key required).</summary>
    public static void Map(WebApplication app)
    {
        app.MapPost("/test/counters/{key}", async (string key, IncrementRequest request, IGrainFactory grains) =>
            TypedResults.Ok(new CounterValue(await grains.GetGrain<ICounterGrain>(key).Increment(request.By))))
            .RequireApiKey();
        app.MapPost("/test/admin-only", () => TypedResults.Ok(new CounterValue(0))).RequireAdminKey();
    }
}
