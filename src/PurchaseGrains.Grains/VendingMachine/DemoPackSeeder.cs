using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.VendingMachine;

/// <summary>
/// Development only: on a store with no pack, creates pack <c>demo</c> with 300 cards across five tiers, so a
/// fresh <c>dotnet run</c> sells cards at once.
/// </summary>
public sealed partial class DemoPackSeeder(IGrainFactory grains, IIndexQueries queries, TimeProvider time, ILogger<DemoPackSeeder> logger)
    : IHostedService
{
    public const string PackId = "demo";

    private static readonly (RarityTier Tier, int Cards)[] Tiers =
    [
        (new RarityTier("common", "Common", "#9e9e9e", 1m, 4.99m, 70m), 180),
        (new RarityTier("uncommon", "Uncommon", "#4caf50", 5m, 19.99m, 20m), 70),
        (new RarityTier("rare", "Rare", "#2196f3", 20m, 99.99m, 8m), 35),
        (new RarityTier("epic", "Epic", "#9c27b0", 100m, 499.99m, 1.8m), 12),
        (new RarityTier("legendary", "Legendary", "#ff9800", 500m, 5000m, 0.2m), 3),
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var packs = await queries.QuerySingleOrDefaultAsync<long>("SELECT COUNT(*) FROM vm_packs", null, cancellationToken);
        if (packs > 0)
            return;

        var pack = new PackDefinition(PackId, "demo-pack", "mainnet", "Demo Pack", true,
            "A demo claw machine seeded in Development.", 25m, 10, ["demo", "trading-cards"], 0.85m,
            "https://cdn.example.com/packs/demo.png", Tiers.Select(t => t.Tier).ToList(), time.GetUtcNow());
        await grains.GetGrain<IPackGrain>(PackId).Put(pack);

        var random = new Random(42);
        var number = 0;
        foreach (var (tier, count) in Tiers)
        {
            for (var i = 0; i < count; i++)
            {
                number++;
                var fmv = Math.Round(tier.Lower + (tier.Upper - tier.Lower) * (decimal)random.NextDouble(), 2);
                var card = new CardData($"demo-{number:D3}", $"Demo {tier.Name} #{number:D3}",
                    $"https://cdn.example.com/cards/demo-{number:D3}.png", $"https://cdn.example.com/cards/demo-{number:D3}-back.png",
                    fmv, number % 3 == 0 ? "ebay" : "enft", null, null, null, []);
                await grains.GetGrain<ICardGrain>(card.Id).Add(PackId, card);
            }
        }
        LogSeeded(number);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded the demo pack 'demo' with {Cards} cards")]
    private partial void LogSeeded(int cards);
}
