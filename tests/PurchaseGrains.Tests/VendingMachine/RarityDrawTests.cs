using PurchaseGrains.Grains.VendingMachine;

namespace PurchaseGrains.Tests.VendingMachine;

public class RarityDrawTests
{
    private static readonly RarityTier Common = new("common", "Common", null, 0m, 9.99m, 80m);
    private static readonly RarityTier Rare = new("rare", "Rare", null, 10m, 99.99m, 18m);
    private static readonly RarityTier Epic = new("epic", "Epic", null, 100m, 1000m, 2m);

    [Fact]
    public void TiersAreChosenInProportionToTheirWeights()
    {
        var random = new Random(7);
        var tiers = new[] { new TierCount(Common, 100), new TierCount(Rare, 100), new TierCount(Epic, 100) };
        var draws = Enumerable.Range(0, 20_000).Select(_ => RarityDraw.ChooseTier(tiers, random)!.Id).ToList();

        Assert.InRange(draws.Count(d => d == "common") / 20_000.0, 0.78, 0.82);
        Assert.InRange(draws.Count(d => d == "rare") / 20_000.0, 0.165, 0.195);
        Assert.InRange(draws.Count(d => d == "epic") / 20_000.0, 0.013, 0.027);
    }

    [Fact]
    public void AnEmptyTierFallsBackToTheNonEmptyTiersByWeight()
    {
        var random = new Random(11);
        var tiers = new[] { new TierCount(Common, 0), new TierCount(Rare, 5), new TierCount(Epic, 5) };
        var draws = Enumerable.Range(0, 10_000).Select(_ => RarityDraw.ChooseTier(tiers, random)!.Id).ToList();

        Assert.DoesNotContain("common", draws);
        // Renormalised over the non-empty tiers: rare 18/20, epic 2/20.
        Assert.InRange(draws.Count(d => d == "rare") / 10_000.0, 0.88, 0.92);
    }

    [Fact]
    public void AZeroWeightTierIsNeverDrawnEvenWhenItHasCards()
    {
        var tiers = new[] { new TierCount(Common with { Weight = 0 }, 50), new TierCount(Rare, 1) };
        var random = new Random(3);
        Assert.All(Enumerable.Range(0, 1000), _ => Assert.Equal("rare", RarityDraw.ChooseTier(tiers, random)!.Id));
    }

    [Fact]
    public void NoTierIsChosenWhenEveryWeightedTierIsEmpty()
    {
        var tiers = new[] { new TierCount(Common, 0), new TierCount(Rare with { Weight = 0 }, 10), new TierCount(Epic, 0) };
        Assert.Null(RarityDraw.ChooseTier(tiers, new Random(1)));
    }

    [Fact]
    public void SeveralPullsAreDrawnAsIfEachGotItsCard()
    {
        var tiers = new[] { new TierCount(Common, 2), new TierCount(Rare, 1), new TierCount(Epic, 0) };
        var pulls = RarityDraw.ChooseTiers(tiers, 5, new Random(5));

        Assert.Equal(3, pulls.Count);
        Assert.Equal(2, pulls.Count(t => t == Common));
        Assert.Equal(1, pulls.Count(t => t == Rare));
    }
}

public class PackStatsTests
{
    private static readonly RarityTier Common = new("common", "Common", null, 0m, 9.99m, 80m);
    private static readonly RarityTier Rare = new("rare", "Rare", null, 10m, 99.99m, 20m);

    [Fact]
    public void EvIsTheWeightAveragedMeanFmvOfTheNonEmptyTiers()
    {
        var stats = PackStats.From(
        [
            new TierAggregate(Common, Count: 4, SumFmv: 20m, MinFmv: 2m, MaxFmv: 8m),  // mean 5
            new TierAggregate(Rare, Count: 2, SumFmv: 100m, MinFmv: 40m, MaxFmv: 60m), // mean 50
        ], drawable: 6);

        Assert.Equal(new PackStats(6, 14m, 2m, 60m), stats); // (80·5 + 20·50) / 100 = 14
    }

    [Fact]
    public void AnEmptyTierDropsOutOfEvAsItDoesFromTheDraw()
    {
        var stats = PackStats.From(
        [
            new TierAggregate(Common, 0, 0m, null, null),
            new TierAggregate(Rare, 2, 100m, 40m, 60m),
        ], drawable: 2);

        Assert.Equal(new PackStats(2, 50m, 40m, 60m), stats);
    }

    [Fact]
    public void AnEmptyPoolHasZeroStats() =>
        Assert.Equal(PackStats.Empty, PackStats.From([new TierAggregate(Common, 0, 0m, null, null)], drawable: 0));
}

public class PublicIdAndTxHashTests
{
    [Fact]
    public void PublicIdsAreShortUnderscoreCodesWithoutLookAlikes()
    {
        var ids = Enumerable.Range(0, 2000).Select(_ => PublicIds.Next()).ToList();
        Assert.All(ids, id => Assert.True(PublicIds.IsWellFormed(id), id));
        Assert.All(ids, id => Assert.DoesNotContain(id[1..], c => "0O1IL".Contains(c)));
        Assert.True(ids.Distinct().Count() > 1990);
    }

    [Fact]
    public void SandboxTxHashIsSandboxPrefixedBase64Url()
    {
        var hash = SandboxTxHash.Next();
        Assert.StartsWith("sandbox_", hash);
        Assert.Matches("^sandbox_[A-Za-z0-9_-]{43}$", hash);
    }

    [Fact]
    public void BuybackPriceIsFmvTimesBuybackPercentRoundedToCents()
    {
        var pack = new PackDefinition("p", "p", "mainnet", "P", true, null, 1m, 1, [], 0.85m, null, [], DateTimeOffset.UnixEpoch);
        Assert.Equal(8.50m, pack.BuybackPriceOf(10m));
        Assert.Equal(1.05m, pack.BuybackPriceOf(1.23m)); // 1.0455
    }
}
