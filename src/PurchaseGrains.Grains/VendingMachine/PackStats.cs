namespace PurchaseGrains.Grains.VendingMachine;

/// <summary>Aggregate of the available cards whose fmv lies in one tier's range.</summary>
public sealed record TierAggregate(RarityTier Tier, long Count, decimal SumFmv, decimal? MinFmv, decimal? MaxFmv);

/// <summary>
/// What a pack shows buyers, computed from the remaining pool (available cards only):
/// <list type="bullet">
/// <item><c>in_stock</c>: available cards that can be drawn (fmv inside a tier with a positive weight).</item>
/// <item><c>ev</c>: the expected fmv of one pull under <see cref="RarityDraw"/>: the weight-averaged mean fmv of the
/// non-empty tiers, Σ wₜ·meanₜ / Σ wₜ over tiers with cards (empty tiers drop out, as they do in the draw).</item>
/// <item><c>min_ev</c> / <c>max_ev</c>: the lowest / highest fmv a pull can give right now.</item>
/// </list>
/// All three are 0 when nothing can be drawn. Money is rounded to cents.
/// </summary>
public sealed record PackStats(long InStock, decimal Ev, decimal MinEv, decimal MaxEv)
{
    public static readonly PackStats Empty = new(0, 0, 0, 0);

    /// <param name="drawable">Count of distinct available cards inside at least one weighted tier (tiers may overlap).</param>
    public static PackStats From(IReadOnlyList<TierAggregate> tiers, long drawable)
    {
        var live = tiers.Where(t => t.Count > 0 && t.Tier.Weight > 0).ToList();
        if (live.Count == 0)
            return Empty;
        var totalWeight = live.Sum(t => t.Tier.Weight);
        var ev = live.Sum(t => t.Tier.Weight * (t.SumFmv / t.Count)) / totalWeight;
        return new PackStats(
            drawable,
            Round(ev),
            Round(live.Min(t => t.MinFmv ?? 0)),
            Round(live.Max(t => t.MaxFmv ?? 0)));
    }

    private static decimal Round(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);
}
