using Orleans.Runtime;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage.Orleans;

/// <summary>
/// Range reads, as each silo loads the reminders of its part of the ring. The grains are picked by their uniform hash
/// (from many new ids) so each range is known to hold, or not hold, each of them.
/// </summary>
public abstract partial class ReminderTableConformanceTests
{
    private const uint Near = 1u << 26;
    private const uint Half = 1u << 31;

    private static readonly GrainId NearZero = GrainHashed(hash => hash is > 0 and <= Near);
    private static readonly GrainId BelowHalf = GrainHashed(hash => hash is >= Half - Near and < Half);
    private static readonly GrainId AboveHalf = GrainHashed(hash => hash is >= Half and < Half + Near);
    private static readonly GrainId NearMax = GrainHashed(hash => hash >= uint.MaxValue - Near);

    [StorageFact]
    public async Task ARangeHoldsItsEndButNotItsBegin()
    {
        await UpsertRingAsync();

        Assert.Equal(Ring(BelowHalf, AboveHalf), Keys(await Table.ReadRows(Hash(NearZero), Hash(AboveHalf))));
        Assert.Equal(Ring(NearZero, BelowHalf), Keys(await Table.ReadRows(Hash(NearZero) - 1, Hash(BelowHalf))));
        Assert.Empty((await Table.ReadRows(Hash(NearZero), Hash(NearZero) + 1)).Reminders);
    }

    [StorageFact]
    public async Task ARangeAcrossTheMiddleOfTheRingReadsHashesAboveIntMaxValue()
    {
        // Hashes are unsigned: stored as a signed 32-bit number, the upper half of the ring would sort below zero.
        await UpsertRingAsync();

        Assert.Equal(Ring(AboveHalf, NearMax), Keys(await Table.ReadRows(int.MaxValue, uint.MaxValue)));
        Assert.Equal(Ring(NearZero, BelowHalf), Keys(await Table.ReadRows(0, int.MaxValue)));
        Assert.Equal(Ring(BelowHalf, AboveHalf), Keys(await Table.ReadRows(Hash(BelowHalf) - 1, Hash(AboveHalf))));
    }

    [StorageFact]
    public async Task ARangeWhoseBeginIsAfterItsEndWrapsPastZero()
    {
        await UpsertRingAsync();

        Assert.Equal(Ring(NearZero, NearMax), Keys(await Table.ReadRows(Hash(AboveHalf), Hash(NearZero))));
        Assert.Equal(Ring(NearZero), Keys(await Table.ReadRows(Hash(NearMax), Hash(NearZero))));
        Assert.Equal(Ring(NearZero, BelowHalf), Keys(await Table.ReadRows(Hash(NearMax), Hash(BelowHalf))));
        Assert.Equal(Ring(NearMax), Keys(await Table.ReadRows(Hash(AboveHalf), 0)));
    }

    [StorageFact]
    public async Task ARangeFromAPointToItselfIsTheWholeRing()
    {
        await UpsertRingAsync();
        var all = Ring(NearZero, BelowHalf, AboveHalf, NearMax);

        Assert.Equal(all, Keys(await Table.ReadRows(Hash(BelowHalf), Hash(BelowHalf))));
        Assert.Equal(all, Keys(await Table.ReadRows(0, 0)));
        Assert.Equal(all, Keys(await Table.ReadRows(uint.MaxValue, uint.MaxValue)));
        Assert.Equal(all, Keys(await Table.ReadRows(0, uint.MaxValue)));
    }

    [StorageFact]
    public async Task RangeReadsAgreeWithTheRingForManyRanges()
    {
        var random = new Random(20_240_601);
        var grains = Enumerable.Range(0, 60).Select(_ => NewGrain()).ToList();
        await Task.WhenAll(grains.Select(grain => Table.UpsertRow(Reminder(grain, "tick"))));
        var hashes = grains.Select(Hash).ToList();
        // Random bounds, and bounds on the grains' own hashes, where an off-by-one shows.
        var bounds = Enumerable.Range(0, 100).Select(_ => (uint)random.NextInt64(0, 1L << 32))
            .Concat(Enumerable.Range(0, 100).Select(_ => hashes[random.Next(hashes.Count)]))
            .ToList();

        for (var i = 0; i + 1 < bounds.Count; i += 2)
        {
            var (begin, end) = (bounds[i], bounds[i + 1]);
            var expected = grains.Where(grain => InRange(Hash(grain), begin, end)).Select(grain => (grain, "tick")).OrderBy(key => key.ToString());

            Assert.Equal(expected, Keys(await Table.ReadRows(begin, end)));
        }
    }

    private async Task UpsertRingAsync()
    {
        foreach (var grain in new[] { NearZero, BelowHalf, AboveHalf, NearMax })
            await Table.UpsertRow(Reminder(grain, "tick"));
    }

    private static IEnumerable<(GrainId, string)> Ring(params GrainId[] grains) =>
        grains.Select(grain => (grain, "tick")).OrderBy(key => key.ToString()).ToList();

    /// <summary>Orleans' definition: <c>(begin, end]</c>, or when begin &gt;= end, <c>(begin, max] ∪ [0, end]</c>.</summary>
    private static bool InRange(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private static uint Hash(GrainId grain) => grain.GetUniformHashCode();

    /// <summary>A new grain whose place on the ring satisfies <paramref name="where"/>: about one id in 64 does.</summary>
    private static GrainId GrainHashed(Func<uint, bool> where)
    {
        for (var i = 0; i < 100_000; i++)
        {
            var grain = NewGrain();
            if (where(Hash(grain)))
                return grain;
        }
        throw new InvalidOperationException("No grain id with such a hash in 100 000 tries.");
    }
}
