using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage.Orleans;

public sealed partial class PostgresMembershipTableTests
{
    [PostgresFact]
    public async Task ReadAllOfAnEmptyTableGivesVersionZero()
    {
        var data = await Table.ReadAllAsync(Deadline);

        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
        Assert.NotNull(data.Version.VersionEtag);
    }

    [PostgresFact]
    public async Task InsertRowAddsTheSiloAndMovesTheTableVersion()
    {
        var empty = await Table.ReadAllAsync(Deadline);
        var silo = Changed(NewSilo(), s => s.SuspectTimes = [Tuple.Create(NewSilo().SiloAddress, Now.AddSeconds(-5))]);

        Assert.True(await Table.InsertRowAsync(silo, empty.Version.Next(), Deadline));

        var data = await Table.ReadAllAsync(Deadline);
        Assert.Equal(1, data.Version.Version);
        Assert.NotEqual(empty.Version.VersionEtag, data.Version.VersionEtag);
        var (stored, etag) = Assert.Single(data.Members);
        AssertSameEntry(silo, stored);
        Assert.NotNull(etag);
    }

    [PostgresFact]
    public async Task InsertRowFromAStaleTableVersionFailsAndWritesNothing()
    {
        var read = (await Table.ReadAllAsync(Deadline)).Version.Next();
        var first = NewSilo();
        Assert.True(await Table.InsertRowAsync(first, read, Deadline));
        var current = (await Table.ReadAllAsync(Deadline)).Version;

        Assert.False(await Table.InsertRowAsync(NewSilo(), read, Deadline));

        var data = await Table.ReadAllAsync(Deadline);
        Assert.Equal(current, data.Version);
        Assert.Equal(Addresses(first), Addresses(data));
    }

    [PostgresFact]
    public async Task InsertingASiloAlreadyInTheTableFailsAndLeavesTheVersion()
    {
        var silo = NewSilo();
        await InsertAsync(silo);
        var current = (await Table.ReadAllAsync(Deadline)).Version;

        Assert.False(await Table.InsertRowAsync(Changed(silo, s => s.Status = SiloStatus.Active), current.Next(), Deadline));

        var data = await Table.ReadAllAsync(Deadline);
        Assert.Equal(current, data.Version);
        AssertSameEntry(silo, Assert.Single(data.Members).Item1);
    }

    [PostgresFact]
    public async Task TwoInsertsFromTheSameTableVersionExactlyOneWins()
    {
        var version = (await Table.ReadAllAsync(Deadline)).Version.Next();
        var silos = new[] { NewSilo(), NewSilo() };

        var inserted = await Task.WhenAll(silos.Select(silo => Table.InsertRowAsync(silo, version, Deadline)));

        Assert.Single(inserted, ok => ok);
        var data = await Table.ReadAllAsync(Deadline);
        Assert.Equal(1, data.Version.Version);
        Assert.Equal(Addresses(silos[Array.IndexOf(inserted, true)]), Addresses(data));
    }

    [PostgresFact]
    public async Task UpdateRowReplacesTheEntryAndMovesTheVersionAndTheRowETag()
    {
        var silo = NewSilo();
        await InsertAsync(silo);
        var before = await Table.ReadAllAsync(Deadline);
        var (_, etag) = Assert.Single(before.Members);
        var updated = Changed(silo, s =>
        {
            s.Status = SiloStatus.Active;
            s.IAmAliveTime = Now.AddSeconds(10);
            s.SuspectTimes = [Tuple.Create(NewSilo().SiloAddress, Now.AddSeconds(3)), Tuple.Create(NewSilo().SiloAddress, Now.AddSeconds(4))];
        });

        Assert.True(await Table.UpdateRowAsync(updated, etag, before.Version.Next(), Deadline));

        var after = await Table.ReadAllAsync(Deadline);
        Assert.Equal(2, after.Version.Version);
        Assert.NotEqual(before.Version.VersionEtag, after.Version.VersionEtag);
        var (stored, newETag) = Assert.Single(after.Members);
        AssertSameEntry(updated, stored);
        Assert.NotEqual(etag, newETag);
    }

    [PostgresFact]
    public async Task UpdateRowWithAStaleRowETagFailsAndChangesNothing()
    {
        var silo = NewSilo();
        await InsertAsync(silo);
        var (_, staleETag) = await ReadSiloAsync(silo);
        var active = Changed(silo, s => s.Status = SiloStatus.Active);
        Assert.True(await Table.UpdateRowAsync(active, staleETag, (await Table.ReadAllAsync(Deadline)).Version.Next(), Deadline));
        var before = await Table.ReadAllAsync(Deadline);

        Assert.False(await Table.UpdateRowAsync(Changed(silo, s => s.Status = SiloStatus.Dead), staleETag, before.Version.Next(), Deadline));

        var after = await Table.ReadAllAsync(Deadline);
        Assert.Equal(before.Version, after.Version);
        AssertSameEntry(active, Assert.Single(after.Members).Item1);
        Assert.Equal(before.Members[0].Item2, after.Members[0].Item2);
    }

    [PostgresFact]
    public async Task UpdateRowFromAStaleTableVersionFailsAndChangesNothing()
    {
        var silo = NewSilo();
        await InsertAsync(silo);
        var stale = await Table.ReadAllAsync(Deadline);
        await InsertAsync(NewSilo());
        var before = await Table.ReadAllAsync(Deadline);
        var (_, etag) = await ReadSiloAsync(silo);

        Assert.False(await Table.UpdateRowAsync(Changed(silo, s => s.Status = SiloStatus.Active), etag, stale.Version.Next(), Deadline));

        Assert.Equal(before.Version, (await Table.ReadAllAsync(Deadline)).Version);
        var (stored, storedETag) = await ReadSiloAsync(silo);
        AssertSameEntry(silo, stored);
        Assert.Equal(etag, storedETag);
    }

    [PostgresFact]
    public async Task UpdateRowOfASiloNotInTheTableFails()
    {
        await InsertAsync(NewSilo());
        var before = await Table.ReadAllAsync(Deadline);
        var (_, someETag) = Assert.Single(before.Members);

        Assert.False(await Table.UpdateRowAsync(NewSilo(SiloStatus.Active), someETag, before.Version.Next(), Deadline));

        var after = await Table.ReadAllAsync(Deadline);
        Assert.Equal(before.Version, after.Version);
        Assert.Single(after.Members);
    }

    [PostgresFact]
    public async Task TwoUpdatesFromTheSameReadExactlyOneWins()
    {
        var silo = NewSilo();
        await InsertAsync(silo);
        var read = await Table.ReadAllAsync(Deadline);
        var (_, etag) = Assert.Single(read.Members);
        var updates = new[] { Changed(silo, s => s.Status = SiloStatus.Active), Changed(silo, s => s.Status = SiloStatus.Dead) };

        var updated = await Task.WhenAll(updates.Select(update => Table.UpdateRowAsync(update, etag, read.Version.Next(), Deadline)));

        Assert.Single(updated, ok => ok);
        var after = await Table.ReadAllAsync(Deadline);
        Assert.Equal(2, after.Version.Version);
        AssertSameEntry(updates[Array.IndexOf(updated, true)], Assert.Single(after.Members).Item1);
    }

    [PostgresFact]
    public async Task UpdatersRetryingFromFreshReadsEachSucceedInTurn()
    {
        var silo = NewSilo();
        await InsertAsync(silo);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var read = await Table.ReadAllAsync(Deadline);
                var (entry, etag) = Assert.Single(read.Members);
                var suspected = Changed(entry, s => s.SuspectTimes = [.. s.SuspectTimes ?? [], Tuple.Create(NewSilo().SiloAddress, Now)]);
                if (await Table.UpdateRowAsync(suspected, etag, read.Version.Next(), Deadline))
                    return;
            }
            Assert.Fail("An updater lost 200 races in a row.");
        }));

        var after = await Table.ReadAllAsync(Deadline);
        Assert.Equal(1 + 8, after.Version.Version);
        Assert.Equal(8, Assert.Single(after.Members).Item1.SuspectTimes!.Count);
    }

    [PostgresFact]
    public async Task UpdateIAmAliveChangesOnlyTheIAmAliveTime()
    {
        var silo = Changed(NewSilo(SiloStatus.Active), s => s.SuspectTimes = [Tuple.Create(NewSilo().SiloAddress, Now)]);
        await InsertAsync(silo);
        var before = await Table.ReadAllAsync(Deadline);

        // As the membership agent calls it: only the address and the new time are set.
        await Table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = silo.SiloAddress, IAmAliveTime = Now.AddSeconds(30) }, Deadline);

        var after = await Table.ReadAllAsync(Deadline);
        Assert.Equal(before.Version, after.Version);
        AssertSameEntry(Changed(silo, s => s.IAmAliveTime = Now.AddSeconds(30)), Assert.Single(after.Members).Item1);
    }

    [PostgresFact]
    public async Task AHeartbeatLeavesAnEarlierReadUsableForUpdateRow()
    {
        // Orleans 10.4: heartbeats must not invalidate the row and table inputs a silo read before them.
        var silo = NewSilo(SiloStatus.Active);
        await InsertAsync(silo);
        var read = await Table.ReadAllAsync(Deadline);
        var (_, etag) = Assert.Single(read.Members);

        await Table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = silo.SiloAddress, IAmAliveTime = Now.AddSeconds(30) }, Deadline);
        var dead = Changed(silo, s => (s.Status, s.IAmAliveTime) = (SiloStatus.Dead, Now.AddSeconds(30)));

        Assert.True(await Table.UpdateRowAsync(dead, etag, read.Version.Next(), Deadline));
        AssertSameEntry(dead, Assert.Single((await Table.ReadAllAsync(Deadline)).Members).Item1);
    }

    [PostgresFact]
    public async Task ReadRowReturnsThatSiloAloneWithTheTableVersion()
    {
        var (first, second) = (NewSilo(), NewSilo(SiloStatus.Active));
        await InsertAsync(first, second);
        var all = await Table.ReadAllAsync(Deadline);

        var row = await Table.ReadRowAsync(second.SiloAddress, Deadline);
        var absent = await Table.ReadRowAsync(NewSilo().SiloAddress, Deadline);

        Assert.Equal(all.Version, row.Version);
        var (stored, etag) = Assert.Single(row.Members);
        AssertSameEntry(second, stored);
        Assert.Equal(all.TryGet(second.SiloAddress)!.Item2, etag);
        Assert.Empty(absent.Members);
        Assert.Equal(all.Version, absent.Version);
    }
}
