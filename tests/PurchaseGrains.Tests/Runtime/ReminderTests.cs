using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Reminders;
using PurchaseGrains.Runtime.Storage;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Runtime;

public sealed class ReminderTests
{
    [Fact]
    public async Task AOneShotReminderFiresOnceAtItsDueTime()
    {
        await using var silo = await StartAsync();
        var key = $"one-shot-{Guid.NewGuid():N}";
        var registeredAt = DateTimeOffset.UtcNow;

        await silo.RuntimeGrains.GetGrain<IReminderProbeGrain>(key).Schedule(TimeSpan.FromMilliseconds(300), TimeSpan.Zero);
        await Eventually.TrueAsync(() => ReminderProbeGrain.Count(key) == 1, TimeSpan.FromSeconds(5), "the one-shot tick");
        await Task.Delay(500);

        var tick = Assert.Single(ReminderProbeGrain.Ticks[key]);
        Assert.InRange(tick.At - registeredAt, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(1300));
    }

    [Fact]
    public async Task APeriodicReminderKeepsTickingBelowOneMinute()
    {
        await using var silo = await StartAsync();
        var key = $"periodic-{Guid.NewGuid():N}";

        await silo.RuntimeGrains.GetGrain<IReminderProbeGrain>(key).Schedule(TimeSpan.Zero, TimeSpan.FromMilliseconds(200));

        await Eventually.TrueAsync(() => ReminderProbeGrain.Count(key) >= 3, TimeSpan.FromSeconds(5), "three periodic ticks");
    }

    [Fact]
    public async Task AFailingHandlerIsRetriedWithBackoff()
    {
        await using var silo = await StartAsync();
        var key = $"failing-{Guid.NewGuid():N}";
        ReminderProbeGrain.FailuresToInject[key] = 1;
        var registeredAt = DateTimeOffset.UtcNow;

        await silo.RuntimeGrains.GetGrain<IReminderProbeGrain>(key).Schedule(TimeSpan.Zero, TimeSpan.Zero);

        await Eventually.TrueAsync(() => ReminderProbeGrain.Count(key) == 1, TimeSpan.FromSeconds(6), "the retried tick");
        var retried = Assert.Single(ReminderProbeGrain.Ticks[key]);
        Assert.True(retried.At - registeredAt >= TimeSpan.FromSeconds(0.9), "the retry came before its 1 s backoff");
    }

    [Fact]
    public async Task AGracefulStopLetsARunningTickFinishAndRecordsIt()
    {
        var silo = await StartAsync();
        var key = $"graceful-{Guid.NewGuid():N}";
        var gate = ReminderProbeGrain.HangUntil[$"{key}@{silo.NodeId}"] = new TaskCompletionSource();
        await silo.RuntimeGrains.GetGrain<IReminderProbeGrain>(key).Schedule(TimeSpan.Zero, TimeSpan.Zero);
        await ReminderProbeGrain.Entered.GetOrAdd(key, _ => new()).Task.WaitAsync(TimeSpan.FromSeconds(5));
        var reminders = silo.Services.GetRequiredService<IReminderTable>();
        var grainId = silo.RuntimeGrains.GetGrain<IReminderProbeGrain>(key).GetGrainId();

        var stopping = silo.StopAsync();
        await Task.Delay(200);
        Assert.False(stopping.IsCompleted, "the silo stopped without waiting for the running tick");
        gate.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, ReminderProbeGrain.Count(key));
        Assert.Null(await reminders.GetAsync(grainId, "probe", default));
    }

    [Fact]
    public void ALateTickSkipsToTheNextPeriodBoundaryInsteadOfBursting()
    {
        var due = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(due.AddSeconds(40), ReminderSchedule.NextDueAt(due, TimeSpan.FromSeconds(10), due.AddSeconds(35)));
        Assert.Equal(due.AddSeconds(10), ReminderSchedule.NextDueAt(due, TimeSpan.FromSeconds(10), due.AddSeconds(1)));
        Assert.Null(ReminderSchedule.NextDueAt(due, TimeSpan.Zero, due));
    }

    [Fact]
    public void RetryBackoffDoublesUpToItsCap()
    {
        var cap = TimeSpan.FromMinutes(1);

        Assert.Equal(TimeSpan.FromSeconds(1), ReminderSchedule.RetryBackoff(0, cap));
        Assert.Equal(TimeSpan.FromSeconds(8), ReminderSchedule.RetryBackoff(3, cap));
        Assert.Equal(cap, ReminderSchedule.RetryBackoff(30, cap));
    }

    private static Task<TestSilo> StartAsync() => TestSilo.StartSqliteAsync(configure: TestGrainRegistration.AddTestGrains);
}
