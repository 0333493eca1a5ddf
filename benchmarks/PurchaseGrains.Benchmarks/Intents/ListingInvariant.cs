using PurchaseGrains.Grains.Listings;

namespace PurchaseGrains.Benchmarks.Intents;

public static class ListingInvariant
{
    /// <summary>How many of the listings hold <c>remaining + held + sold = listed</c> (read fresh from storage); prints any that do not.</summary>
    public static async Task<int> CountBalancedAsync(IntentsSilo silo, IReadOnlyList<string> listings)
    {
        var grains = silo.App.Grains();
        var balanced = 0;
        foreach (var listing in listings)
        {
            var counters = await grains.GetGrain<IListingGrain>(listing).GetCounters();
            if (counters.IsBalanced)
                balanced++;
            else
                Console.WriteLine($"INVARIANT BROKEN on listing {listing}: {counters}");
        }
        return balanced;
    }
}
