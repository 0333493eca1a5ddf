using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Storage;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage;

public abstract partial class StorageContractTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(5);

    [StorageFact]
    public async Task RegisteringAReminderStoresItWithAFreshVersion()
    {
        var grain = NewGrain();

        await Reminders.UpsertAsync(grain, "expiry", Now, Period, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", Deadline);

        var stored = await Reminders.GetAsync(grain, "expiry", Deadline);
        Assert.NotNull(stored);
        Assert.True(stored.Version > 0);
        Assert.Equal(
            new ReminderEntry(grain, "expiry", Now, Period, Now, stored.Version, 0, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            stored);
        Assert.Null(await Reminders.GetAsync(grain, "other", Deadline));
    }

    [StorageFact]
    public async Task ReRegisteringAReminderChangesItsVersionAndClearsItsLeaseAndAttempts()
    {
        var grain = NewGrain();
        await Reminders.UpsertAsync(grain, "poll", Now, Period, null, Deadline);
        var firstVersion = (await Reminders.GetAsync(grain, "poll", Deadline))!.Version;
        var claimed = Assert.Single(await Reminders.ClaimDueAsync("node-a", Now, Lease, 10, Deadline));
        await Reminders.RetryTickAsync(claimed, Now, Deadline);
        Assert.Single(await Reminders.ClaimDueAsync("node-a", Now, Lease, 10, Deadline));

        await Reminders.UpsertAsync(grain, "poll", Now.AddSeconds(1), Period, null, Deadline);

        var stored = await Reminders.GetAsync(grain, "poll", Deadline);
        Assert.NotEqual(firstVersion, stored!.Version);
        Assert.Equal((0, Now.AddSeconds(1)), (stored.Attempt, stored.FirstTickAt));
        Assert.Single(await Reminders.ClaimDueAsync("node-b", Now.AddSeconds(1), Lease, 10, Deadline));
    }

    [StorageFact]
    public async Task ClaimingTakesOnlyDueRemindersOldestFirstUpToTheLimit()
    {
        var grain = NewGrain();
        await Reminders.UpsertAsync(grain, "second", Now.AddSeconds(-2), Period, null, Deadline);
        await Reminders.UpsertAsync(grain, "future", Now.AddMilliseconds(1), Period, null, Deadline);
        await Reminders.UpsertAsync(grain, "first", Now.AddSeconds(-3), Period, null, Deadline);
        await Reminders.UpsertAsync(grain, "third", Now, Period, null, Deadline);

        var firstBatch = await Reminders.ClaimDueAsync("node-a", Now, Lease, 2, Deadline);
        var secondBatch = await Reminders.ClaimDueAsync("node-a", Now, Lease, 2, Deadline);
        var thirdBatch = await Reminders.ClaimDueAsync("node-a", Now, Lease, 2, Deadline);

        Assert.Equal(["first", "second"], firstBatch.Select(entry => entry.Name));
        Assert.Equal(["third"], secondBatch.Select(entry => entry.Name));
        Assert.Empty(thirdBatch);
    }

    [StorageFact]
    public async Task AClaimedReminderIsClaimedAgainOnlyOnceItsLeaseLapses()
    {
        var grain = NewGrain();
        await Reminders.UpsertAsync(grain, "expiry", Now, Period, null, Deadline);

        var claimedByA = await Reminders.ClaimDueAsync("node-a", Now, Lease, 10, Deadline);
        var whileLeased = await Reminders.ClaimDueAsync("node-b", Now + Lease - TimeSpan.FromMilliseconds(1), Lease, 10, Deadline);
        var afterLease = await Reminders.ClaimDueAsync("node-b", Now + Lease, Lease, 10, Deadline);

        Assert.Single(claimedByA);
        Assert.Empty(whileLeased);
        Assert.Equal(claimedByA, afterLease);
    }

    [StorageFact]
    public async Task CompletingATickMovesTheReminderToItsNextDueTime()
    {
        var grain = NewGrain();
        await Reminders.UpsertAsync(grain, "poll", Now, Period, null, Deadline);
        var tick = Assert.Single(await Reminders.ClaimDueAsync("node-a", Now, Lease, 10, Deadline));

        await Reminders.CompleteTickAsync(tick, Now + Period, Deadline);

        var stored = await Reminders.GetAsync(grain, "poll", Deadline);
        Assert.Equal((Now + Period, tick.Version, 0, Now), (stored!.DueAt, stored.Version, stored.Attempt, stored.FirstTickAt));
        Assert.Empty(await Reminders.ClaimDueAsync("node-a", Now + Period - TimeSpan.FromMilliseconds(1), Lease, 10, Deadline));
        Assert.Single(await Reminders.ClaimDueAsync("node-a", Now + Period, Lease, 10, Deadline));
    }

    [StorageFact]
    public async Task CompletingATickWithNoNextDueTimeDeletesTheReminder()
    {
        var grain = NewGrain();
        await Reminders.UpsertAsync(grain, "once", Now, Period, null, Deadline);
        var tick = Assert.Single(await Reminders.ClaimDueAsync("node-a", Now, Lease, 10, Deadline));

        await Reminders.CompleteTickAsync(tick, null, Deadline);

        Assert.Null(await Reminders.GetAsync(grain, "once", Deadline));
    }

    [StorageFact]
    public async Task CompletingATickAfterTheReminderWasReRegisteredChangesNothing()
    {
        var grain = NewGrain();
        await Reminders.UpsertAsync(grain, "expiry", Now, Period, null, Deadline);
        var staleTick = Assert.Single(await Reminders.ClaimDueAsync("node-a", Now, Lease, 10, Deadline));
        var reRegisteredFor = Now.AddHours(1);
        await Reminders.UpsertAsync(grain, "expiry", reRegisteredFor, Period, null, Deadline);

        await Reminders.CompleteTickAsync(staleTick, Now + Period, Deadline);
        await Reminders.CompleteTickAsync(staleTick, null, Deadline);
        await Reminders.RetryTickAsync(staleTick, Now, Deadline);

        var stored = await Reminders.GetAsync(grain, "expiry", Deadline);
        Assert.NotEqual(staleTick.Version, stored!.Version);
        Assert.Equal((reRegisteredFor, 0), (stored.DueAt, stored.Attempt));
    }

    [StorageFact]
    public async Task ATickFromBeforeADeleteDoesNotCompleteTheReminderRegisteredAfterIt()
    {
        var grain = NewGrain();
        await Reminders.UpsertAsync(grain, "expiry", Now, TimeSpan.Zero, null, Deadline);
        var staleTick = Assert.Single(await Reminders.ClaimDueAsync("node-a", Now, Lease, 10, Deadline));
        await Reminders.DeleteAsync(grain, "expiry", Deadline);
        await Reminders.UpsertAsync(grain, "expiry", Now.AddHours(1), TimeSpan.Zero, null, Deadline);

        await Reminders.CompleteTickAsync(staleTick, null, Deadline);

        Assert.Equal(Now.AddHours(1), (await Reminders.GetAsync(grain, "expiry", Deadline))?.DueAt);
    }

    [StorageFact]
    public async Task OneBatchCompletesManyTicksEachByItsOwnRule()
    {
        var grain = NewGrain();
        await Reminders.UpsertAsync(grain, "once", Now, TimeSpan.Zero, null, Deadline);
        await Reminders.UpsertAsync(grain, "periodic", Now, Period, null, Deadline);
        await Reminders.UpsertAsync(grain, "moved", Now, TimeSpan.Zero, null, Deadline);
        var ticks = (await Reminders.ClaimDueAsync("node-a", Now, Lease, 10, Deadline)).ToDictionary(t => t.Name);
        await Reminders.UpsertAsync(grain, "moved", Now.AddHours(1), TimeSpan.Zero, null, Deadline);

        await Reminders.CompleteTicksAsync(
        [
            new CompletedTick(ticks["once"], null),
            new CompletedTick(ticks["periodic"], Now + Period),
            new CompletedTick(ticks["moved"], null),
        ], Deadline);

        Assert.Null(await Reminders.GetAsync(grain, "once", Deadline));
        Assert.Equal(Now + Period, (await Reminders.GetAsync(grain, "periodic", Deadline))?.DueAt);
        Assert.Equal(Now.AddHours(1), (await Reminders.GetAsync(grain, "moved", Deadline))?.DueAt);
    }

    [StorageFact]
    public async Task RetryingATickRaisesTheAttemptAndMakesItDueAtTheRetryTime()
    {
        var grain = NewGrain();
        await Reminders.UpsertAsync(grain, "poll", Now, Period, null, Deadline);
        var tick = Assert.Single(await Reminders.ClaimDueAsync("node-a", Now, Lease, 10, Deadline));
        var retryAt = Now.AddSeconds(2);

        await Reminders.RetryTickAsync(tick, retryAt, Deadline);

        var stored = await Reminders.GetAsync(grain, "poll", Deadline);
        Assert.Equal((retryAt, 1, tick.Version), (stored!.DueAt, stored.Attempt, stored.Version));
        var retried = Assert.Single(await Reminders.ClaimDueAsync("node-b", retryAt, Lease, 10, Deadline));
        Assert.Equal(1, retried.Attempt);
        await Reminders.CompleteTickAsync(retried, retryAt + Period, Deadline);
        Assert.Equal(0, (await Reminders.GetAsync(grain, "poll", Deadline))!.Attempt);
    }

    [StorageFact]
    public async Task ReleasingLeasesLetsAnotherNodeClaimAtOnce()
    {
        var grain = NewGrain();
        await Reminders.UpsertAsync(grain, "one", Now, Period, null, Deadline);
        await Reminders.UpsertAsync(grain, "two", Now, Period, null, Deadline);
        var claimedByA = Assert.Single(await Reminders.ClaimDueAsync("node-a", Now, Lease, 1, Deadline));
        Assert.Single(await Reminders.ClaimDueAsync("node-c", Now, Lease, 1, Deadline));

        await Reminders.ReleaseLeasesAsync("node-a", Deadline);

        var reclaimed = await Reminders.ClaimDueAsync("node-b", Now, Lease, 10, Deadline);
        Assert.Equal([claimedByA.Name], reclaimed.Select(entry => entry.Name));
    }

    [StorageFact]
    public async Task DeletingAReminderRemovesItOnce()
    {
        var grain = NewGrain();
        await Reminders.UpsertAsync(grain, "expiry", Now, Period, null, Deadline);

        Assert.True(await Reminders.DeleteAsync(grain, "expiry", Deadline));
        Assert.False(await Reminders.DeleteAsync(grain, "expiry", Deadline));
        Assert.Null(await Reminders.GetAsync(grain, "expiry", Deadline));
    }

    [StorageFact]
    public async Task RacingClaimersOnThreeNodesClaimEachDueReminderExactlyOnce()
    {
        const int due = 60;
        var grain = NewGrain();
        for (var i = 0; i < due; i++)
        {
            await Reminders.UpsertAsync(grain, $"r{i:D2}", Now.AddMilliseconds(-i), Period, null, Deadline);
        }

        var nodes = new[] { Node, await StartNodeAsync("node-b"), await StartNodeAsync("node-c") };
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var claimers = nodes.Select(node => Task.Run(() => ClaimUntilNoneLeftAsync(node))).ToList();
        start.SetResult();
        var claims = await Task.WhenAll(claimers);

        var all = claims.SelectMany(claim => claim).ToList();
        Assert.Equal(due, all.Count);
        Assert.Equal(due, all.Distinct().Count());

        async Task<List<string>> ClaimUntilNoneLeftAsync(StorageNode node)
        {
            await start.Task;
            var names = new List<string>();
            while (await node.Reminders.ClaimDueAsync(node.NodeId, Now, Lease, 7, Deadline) is { Count: > 0 } batch)
            {
                names.AddRange(batch.Select(entry => entry.Name));
            }

            return names;
        }
    }
}
