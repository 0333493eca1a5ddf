using Orleans;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage.Orleans;

public abstract partial class ReminderTableConformanceTests
{
    [StorageFact]
    public async Task ReadRowReturnsTheReminderAsUpsertedWithTheUpsertsETag()
    {
        // Orleans' own tests use such names: separators and wildcards of other stores must mean nothing here.
        var reminder = Reminder(NewGrain(), "foo/bar\\#b_a_z?%'", period: TimeSpan.FromMilliseconds(1500));

        var etag = await Table.UpsertRow(reminder);

        Assert.NotNull(etag);
        AssertSameReminder(reminder, etag, await Table.ReadRow(reminder.GrainId, reminder.ReminderName));
    }

    [StorageFact]
    public async Task ReadRowOfAReminderNeverUpsertedIsNull()
    {
        var grain = NewGrain();
        await Table.UpsertRow(Reminder(grain, "other"));

        Assert.Null(await Table.ReadRow(grain, "absent"));
        Assert.Null(await Table.ReadRow(NewGrain(), "other"));
    }

    [StorageFact]
    public async Task EveryUpsertReturnsANewETagAndReplacesTheSchedule()
    {
        var grain = NewGrain();
        var etags = new List<string?>();

        for (var i = 0; i < 3; i++)
            etags.Add(await Table.UpsertRow(Reminder(grain, "tick", StartAt.AddMinutes(i), Period * (i + 1))));

        Assert.Equal(3, etags.Distinct().Count());
        Assert.DoesNotContain(null, etags);
        var stored = Assert.Single((await Table.ReadRows(grain)).Reminders);
        AssertSameReminder(Reminder(grain, "tick", StartAt.AddMinutes(2), Period * 3), etags[^1], stored);
    }

    [StorageFact]
    public async Task ConcurrentUpsertsOfOneReminderEachGetTheirOwnETag()
    {
        var grain = NewGrain();

        var etags = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Table.UpsertRow(Reminder(grain, "tick", StartAt.AddSeconds(i)))));

        Assert.Equal(10, etags.Distinct().Count());
        Assert.Contains((await Table.ReadRow(grain, "tick"))!.ETag, etags);
    }

    [StorageFact]
    public async Task ReadRowsOfAGrainReturnsAllItsRemindersAndNoOthers()
    {
        var grain = NewGrain();
        var etags = new[]
        {
            await Table.UpsertRow(Reminder(grain, "a")),
            await Table.UpsertRow(Reminder(grain, "b", StartAt.AddHours(1))),
        };
        await Table.UpsertRow(Reminder(NewGrain(), "a"));

        var rows = (await Table.ReadRows(grain)).Reminders.OrderBy(r => r.ReminderName).ToList();

        Assert.Equal(2, rows.Count);
        AssertSameReminder(Reminder(grain, "a"), etags[0], rows[0]);
        AssertSameReminder(Reminder(grain, "b", StartAt.AddHours(1)), etags[1], rows[1]);
        Assert.Empty((await Table.ReadRows(NewGrain())).Reminders);
    }

    [StorageFact]
    public async Task RemoveWithTheCurrentETagRemovesTheReminderOnce()
    {
        var grain = NewGrain();
        var etag = await Table.UpsertRow(Reminder(grain, "tick"));
        await Table.UpsertRow(Reminder(grain, "kept"));

        Assert.True(await Table.RemoveRow(grain, "tick", etag!));
        Assert.False(await Table.RemoveRow(grain, "tick", etag!));

        Assert.Null(await Table.ReadRow(grain, "tick"));
        Assert.NotNull(await Table.ReadRow(grain, "kept"));
    }

    [StorageFact]
    public async Task RemoveWithAStaleETagFailsAndKeepsTheReminder()
    {
        var grain = NewGrain();
        var stale = await Table.UpsertRow(Reminder(grain, "tick"));
        var current = await Table.UpsertRow(Reminder(grain, "tick", StartAt.AddMinutes(1)));

        Assert.False(await Table.RemoveRow(grain, "tick", stale!));

        AssertSameReminder(Reminder(grain, "tick", StartAt.AddMinutes(1)), current, await Table.ReadRow(grain, "tick"));
    }

    [StorageFact]
    public async Task RemoveOfAnotherNameOrWithAnETagThisTableNeverIssuedFails()
    {
        var grain = NewGrain();
        var etag = await Table.UpsertRow(Reminder(grain, "tick"));

        Assert.False(await Table.RemoveRow(grain, "tock", etag!));
        Assert.False(await Table.RemoveRow(NewGrain(), "tick", etag!));
        Assert.False(await Table.RemoveRow(grain, "tick", "not-an-etag"));
        Assert.False(await Table.RemoveRow(grain, "tick", "-1"));

        AssertSameReminder(Reminder(grain, "tick"), etag, await Table.ReadRow(grain, "tick"));
    }

    [StorageFact]
    public async Task AnotherServicesRemindersAreNeitherSeenNorRemoved()
    {
        var other = await StartTableAsync($"other-{Guid.NewGuid():N}");
        var grain = NewGrain();
        var ours = await Table.UpsertRow(Reminder(grain, "tick"));
        var theirs = await other.UpsertRow(Reminder(grain, "tick", StartAt.AddDays(1)));
        await other.UpsertRow(Reminder(NewGrain(), "tock"));

        Assert.Single((await Table.ReadRows(grain)).Reminders);
        Assert.Single((await Table.ReadRows(0, 0)).Reminders);
        Assert.True(await Table.RemoveRow(grain, "tick", ours!));

        AssertSameReminder(Reminder(grain, "tick", StartAt.AddDays(1)), theirs, await other.ReadRow(grain, "tick"));
    }

    [StorageFact]
    public async Task TestOnlyClearTableRemovesThisServicesRemindersOnly()
    {
        var other = await StartTableAsync($"other-{Guid.NewGuid():N}");
        var grain = NewGrain();
        await Table.UpsertRow(Reminder(grain, "tick"));
        await Table.UpsertRow(Reminder(NewGrain(), "tock"));
        await other.UpsertRow(Reminder(grain, "tick"));

        await Table.TestOnlyClearTable();

        Assert.Empty((await Table.ReadRows(0, 0)).Reminders);
        Assert.Single((await other.ReadRows(0, 0)).Reminders);
    }
}
