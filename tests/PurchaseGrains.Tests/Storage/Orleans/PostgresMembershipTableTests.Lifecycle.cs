using Orleans.Runtime;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage.Orleans;

/// <summary>The table's life around the silos' rows: initialisation, defunct-silo cleanup, a cluster's deletion.</summary>
public sealed partial class PostgresMembershipTableTests
{
    [PostgresFact]
    public async Task InitializingAgainKeepsTheSilosAndTheVersion()
    {
        var silo = NewSilo();
        await InsertAsync(silo);
        var before = await Table.ReadAllAsync(Deadline);

        await Table.InitializeMembershipTableAsync(tryInitTableVersion: true, Deadline);
        await CreateTable(_clusterId).InitializeMembershipTableAsync(tryInitTableVersion: true, Deadline);

        var after = await Table.ReadAllAsync(Deadline);
        Assert.Equal(before.Version, after.Version);
        AssertSameEntry(silo, Assert.Single(after.Members).Item1);
    }

    [PostgresFact]
    public async Task SilosStartingTogetherOnANewDatabaseInitializeOneTable()
    {
        var store = await TestStores.PostgresAsync(database);
        var tables = Enumerable.Range(0, 4).Select(_ => CreateTable(_clusterId, store)).ToList();

        await Task.WhenAll(tables.Select(table => table.InitializeMembershipTableAsync(tryInitTableVersion: true, Deadline)));

        var empty = await tables[0].ReadAllAsync(Deadline);
        Assert.Equal(0, empty.Version.Version);
        Assert.True(await tables[1].InsertRowAsync(NewSilo(), empty.Version.Next(), Deadline));
        Assert.Single((await tables[2].ReadAllAsync(Deadline)).Members);
    }

    [PostgresFact]
    public async Task CleanupRemovesDeadSilosLastUpdatedBeforeTheDateAndKeepsTheRest()
    {
        var oldDead = NewSilo(SiloStatus.Dead, aliveAt: Now.AddDays(-10));
        var recentDead = NewSilo(SiloStatus.Dead, aliveAt: Now.AddDays(-1));
        var oldActive = NewSilo(SiloStatus.Active, aliveAt: Now.AddDays(-10));
        var active = NewSilo(SiloStatus.Active);
        await InsertAsync(oldDead, recentDead, oldActive, active);
        var before = await Table.ReadAllAsync(Deadline);

        await Table.CleanupDefunctSiloEntriesAsync(Now.AddDays(-3), Deadline);

        var after = await Table.ReadAllAsync(Deadline);
        Assert.Equal(Addresses(recentDead, oldActive, active), Addresses(after));
        Assert.Equal(before.Version, after.Version);
    }

    [PostgresFact]
    public async Task CleanupKeepsSilosNotDeclaredDeadHoweverLongAgoTheyWereAlive()
    {
        // Orleans 10.4 removes only Dead entries (its in-memory table does, and the cleanup agent counts only those).
        var notDead = Enum.GetValues<SiloStatus>().Where(status => status != SiloStatus.Dead)
            .Select(status => NewSilo(status, aliveAt: Now.AddDays(-10))).ToArray();
        await InsertAsync(notDead);

        await Table.CleanupDefunctSiloEntriesAsync(Now.AddDays(-3), Deadline);

        Assert.Equal(Addresses(notDead), Addresses(await Table.ReadAllAsync(Deadline)));
    }

    [PostgresFact]
    public async Task CleanupKeepsADeadSiloWhoseLastUpdateIsAfterTheDate()
    {
        // A silo's last update is the latest of its start, its last heartbeat and the suspicion votes against it
        // (MembershipEntry.EffectiveUpdateTime): the agent picks its cutoff by that time, so the table must delete by it.
        // Declaring a silo dead adds a vote but leaves its heartbeat as it was, long ago for a silo that hung.
        var cutoff = Now.AddDays(-3);
        var declaredDeadRecently = Changed(NewSilo(SiloStatus.Dead, aliveAt: Now.AddDays(-10)),
            s => s.SuspectTimes = [Tuple.Create(NewSilo().SiloAddress, Now.AddDays(-11)), Tuple.Create(NewSilo().SiloAddress, Now.AddDays(-1))]);
        var startedAfterItsLastHeartbeat = Changed(NewSilo(SiloStatus.Dead, aliveAt: Now.AddDays(-10)), s => s.StartTime = Now.AddDays(-2));
        var votedOnLongAgo = Changed(NewSilo(SiloStatus.Dead, aliveAt: Now.AddDays(-10)),
            s => s.SuspectTimes = [Tuple.Create(NewSilo().SiloAddress, Now.AddDays(-9))]);
        var updatedAtTheCutoff = Changed(NewSilo(SiloStatus.Dead, aliveAt: Now.AddDays(-10)),
            s => s.SuspectTimes = [Tuple.Create(NewSilo().SiloAddress, cutoff)]);
        await InsertAsync(declaredDeadRecently, startedAfterItsLastHeartbeat, votedOnLongAgo, updatedAtTheCutoff);

        await Table.CleanupDefunctSiloEntriesAsync(cutoff, Deadline);

        Assert.Equal(Addresses(declaredDeadRecently, startedAfterItsLastHeartbeat, updatedAtTheCutoff),
            Addresses(await Table.ReadAllAsync(Deadline)));
    }

    [PostgresFact]
    public async Task DeleteMembershipTableEntriesRemovesThatClusterOnly()
    {
        var other = CreateTable($"other-{Guid.NewGuid():N}");
        await other.InitializeMembershipTableAsync(tryInitTableVersion: true, Deadline);
        var theirs = NewSilo();
        Assert.True(await other.InsertRowAsync(theirs, (await other.ReadAllAsync(Deadline)).Version.Next(), Deadline));
        await InsertAsync(NewSilo(), NewSilo());

        await Table.DeleteMembershipTableEntriesAsync(_clusterId, Deadline);

        var ours = await Table.ReadAllAsync(Deadline);
        Assert.Empty(ours.Members);
        Assert.Equal(0, ours.Version.Version);
        var remaining = await other.ReadAllAsync(Deadline);
        Assert.Equal(1, remaining.Version.Version);
        Assert.Equal(Addresses(theirs), Addresses(remaining));
    }
}
