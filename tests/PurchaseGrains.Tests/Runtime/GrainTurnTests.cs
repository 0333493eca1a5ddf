using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Runtime.Core;
using PurchaseGrains.Runtime.Telemetry;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Runtime;

public sealed class GrainTurnTests
{
    [Fact]
    public async Task TurnsOfOneGrainNeverOverlap()
    {
        await using var silo = await StartAsync();
        var counter = silo.RuntimeGrains.GetGrain<ICounterGrain>("serial");

        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => counter.Increment(1)));

        Assert.Equal(50, await counter.Get());
        Assert.Equal(1, CounterGrain.MaxConcurrentTurns["serial"]);
    }

    [Fact]
    public async Task OnlyATurnThatFollowsAStateReadIsToldItsStateIsFresh()
    {
        await using var silo = await StartAsync();
        var counter = silo.RuntimeGrains.GetGrain<ICounterGrain>("fresh");

        var first = await counter.WasStateReadForThisTurn();
        var second = await counter.WasStateReadForThisTurn();
        await Assert.ThrowsAsync<InvalidOperationException>(counter.IncrementThenFail);
        var afterFailedTurn = await counter.WasStateReadForThisTurn();

        Assert.Equal((true, false, true), (first, second, afterFailedTurn));
    }

    [Fact]
    public async Task StateSurvivesARestartOfTheNode()
    {
        var file = Path.Combine(Path.GetTempPath(), $"pg-restart-{Guid.NewGuid():N}.db");
        await using (var first = await StartAsync(file))
            await first.RuntimeGrains.GetGrain<ICounterGrain>("durable").Increment(7);

        await using var second = await StartAsync(file);

        Assert.Equal(7, await second.RuntimeGrains.GetGrain<ICounterGrain>("durable").Get());
    }

    [Fact]
    public async Task AFailedTurnLeavesNoHalfMutatedStateBehind()
    {
        await using var silo = await StartAsync();
        var counter = silo.RuntimeGrains.GetGrain<ICounterGrain>("half-mutated");
        await counter.Increment(1);

        await Assert.ThrowsAsync<InvalidOperationException>(counter.IncrementThenFail);

        Assert.Equal(1, await counter.Get());
    }

    [Fact]
    public async Task IdleActivationsAreCollectedAndComeBackWithTheirState()
    {
        await using var silo = await StartAsync(settings: new Dictionary<string, string?> { ["Silo:ActivationIdleTimeout"] = "00:00:00.200" });
        var runtime = silo.Services.GetRequiredService<GrainRuntime>();
        await silo.RuntimeGrains.GetGrain<ICounterGrain>("idle").Increment(3);

        await Eventually.TrueAsync(() => runtime.ActivationCount == 0, TimeSpan.FromSeconds(5), "the idle activation to be collected");

        Assert.Equal(3, await silo.RuntimeGrains.GetGrain<ICounterGrain>("idle").Get());
    }

    [Fact]
    public async Task AGrainWithAJustGeneratedKeyActivatesWithoutReadingItsState()
    {
        await using var silo = await StartAsync();
        var (fresh, known) = ($"new-{Guid.NewGuid():N}", $"known-{Guid.NewGuid():N}");
        var reads = new ConcurrentDictionary<string, int>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GrainDiagnostics.Source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.DisplayName == "read storage" && activity.GetTagItem("grain.id") is string id)
                    reads.AddOrUpdate(id[(id.IndexOf('/') + 1)..], 1, (_, n) => n + 1);
            },
        };
        ActivitySource.AddActivityListener(listener);

        Assert.Equal(2, await silo.RuntimeGrains.GetNewGrain<ICounterGrain>(fresh).Increment(2));
        Assert.Equal(2, await silo.RuntimeGrains.GetGrain<ICounterGrain>(known).Increment(2));

        Assert.False(reads.ContainsKey(fresh), "the just-generated key's activation read its state");
        Assert.Equal(1, reads.GetValueOrDefault(known));
        Assert.Equal(2, await silo.RuntimeGrains.GetGrain<ICounterGrain>(fresh).Get());
    }

    [Fact]
    public async Task AWrongGuessThatAKeyIsNewLosesNoUpdate()
    {
        var file = Path.Combine(Path.GetTempPath(), $"pg-guess-{Guid.NewGuid():N}.db");
        await using (var first = await StartAsync(file))
            await first.RuntimeGrains.GetGrain<ICounterGrain>("guessed").Increment(5);

        await using var second = await StartAsync(file);

        Assert.Equal(6, await second.RuntimeGrains.GetNewGrain<ICounterGrain>("guessed").Increment(1));
        Assert.Equal(6, await second.RuntimeGrains.GetGrain<ICounterGrain>("guessed").Get());
    }

    private static Task<TestSilo> StartAsync(string? file = null, IDictionary<string, string?>? settings = null) =>
        TestSilo.StartSqliteAsync(file, settings, TestGrainRegistration.AddTestGrains);
}
