using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;
using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Grains.Shipping;
using PurchaseGrains.Grains.VendingMachine;
using PurchaseGrains.Grains.VendingMachine.Fulfillment;
using PurchaseGrains.Storage;
using PurchaseGrains.Silo.Hosting;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Cluster;

/// <summary>
/// Silos of this service on Orleans' in-process test cluster, sharing one PostgreSQL database (grain state, query rows,
/// reminders), one <see cref="HeldMints"/> and one fake clock. The vending machine's grains, the listings' and
/// purchase intents', and shipping's run on every silo. The clock drives grain timers and the grains' own
/// reading of time; Orleans' background work (membership, reminders) stays on real time, so advancing the clock
/// never fires a reminder and a killed silo is detected as it would be in production, only faster.
/// </summary>
public sealed class GrainCluster : IAsyncDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MintDeadline = TimeSpan.FromMinutes(10);

    private GrainCluster(InProcessTestCluster cluster, FakeTimeProvider clock, HeldMints mints)
    {
        Cluster = cluster;
        Clock = clock;
        Mints = mints;
    }

    public InProcessTestCluster Cluster { get; }

    public FakeTimeProvider Clock { get; }

    public HeldMints Mints { get; }

    public IGrainFactory Grains => Cluster.Client;

    /// <param name="recoveryDelay">When a session's backstop reminder first fires (real time).</param>
    /// <param name="services">Services each silo gets before the grains' own (fakes of providers).</param>
    public static async Task<GrainCluster> StartAsync(string connectionString, short silos, TimeSpan recoveryDelay,
        Action<IServiceCollection>? services = null)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var mints = new HeldMints();
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Fulfillment:PollInterval"] = PollInterval.ToString(),
            ["Fulfillment:Deadline"] = MintDeadline.ToString(),
            ["Vm:RecoveryDelay"] = recoveryDelay.ToString(),
            ["Reminders:MinimumPeriod"] = "00:00:01",
            ["Reminders:BackstopPeriod"] = "00:00:01",
            ["PurchaseIntents:PaymentPollInterval"] = PollInterval.ToString(),
            ["Shipping:PollInterval"] = PollInterval.ToString(),
            ["Shipping:RecoveryDelay"] = recoveryDelay.ToString(),
        };
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(settings);
            host.AddStorage();
            services?.Invoke(host.Services);
            host.Services.AddVendingMachineGrains();
            host.Services.AddPurchaseIntentGrains();
            host.Services.AddShippingGrains();
            host.Services.AddSingleton<IFulfillmentProvider>(mints);
            host.Services.AddSingleton<TimeProvider>(clock);
            host.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        });
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddPurchaseGrainsDefaults(silo.Configuration);
            // A killed silo is declared dead in about two seconds.
            silo.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = TimeSpan.FromMilliseconds(500);
                options.NumMissedProbesLimit = 2;
                options.NumVotesForDeathDeclaration = 1;
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new GrainCluster(cluster, clock, mints);
    }

    /// <summary>A pack with one tier holding <paramref name="cards"/> cards, fmv 1..n.</summary>
    public async Task<PackDefinition> AddPackAsync(string packId, int cards)
    {
        var pack = new PackDefinition(packId, packId, "mainnet", packId, true, null, 1m, 10, [], 0.5m, null,
            [new RarityTier("all", "All", null, 0m, 1_000_000m, 1m)], Clock.GetUtcNow());
        await Grains.GetGrain<IPackGrain>(packId).Put(pack);
        for (var i = 1; i <= cards; i++)
            await Grains.GetGrain<ICardGrain>($"{packId}-card-{i}").Add(packId, new CardData($"{packId}-card-{i}", $"Card {i}", null, null, i, "enft", null, null, null, []));
        return pack;
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
