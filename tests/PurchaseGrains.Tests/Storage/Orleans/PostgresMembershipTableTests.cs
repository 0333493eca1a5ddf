using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using PurchaseGrains.Storage.Postgres;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage.Orleans;

/// <summary>
/// Orleans' membership table contract (<see cref="IMembershipTable"/>) on PostgreSQL, the only store with one (SQLite
/// runs a single silo on localhost clustering). Inserts and updates are compare-and-swaps on the table version's ETag
/// (and an update's on the row's ETag too) that change nothing when they fail. One database per class, a new schema
/// and cluster for every test. The calls are the cancellable ones Orleans 10.4 makes (the others are obsolete), which
/// reach the provider through the interface's default implementations.
/// </summary>
public sealed partial class PostgresMembershipTableTests(PostgresDatabase database) : IAsyncLifetime, IClassFixture<PostgresDatabase>
{
    /// <summary>Milliseconds included: both the row's columns and its JSON must keep them.</summary>
    private static readonly DateTime Now = new(2030, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);

    private static int _generation;

    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(60));
    private readonly string _clusterId = $"cluster-{Guid.NewGuid():N}";
    private readonly List<ServiceProvider> _services = [];
    private IConfiguration? _store;

    private CancellationToken Deadline => _deadline.Token;

    private IMembershipTable Table { get; set; } = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStores.PostgresAsync(database);
        Table = CreateTable(_clusterId);
        await Table.InitializeMembershipTableAsync(tryInitTableVersion: true, Deadline);
    }

    public async Task DisposeAsync()
    {
        foreach (var services in _services)
            await services.DisposeAsync();
        _deadline.Dispose();
    }

    /// <summary>A silo's membership table for <paramref name="clusterId"/>, registered as <c>OrleansRegistration</c> does.</summary>
    private IMembershipTable CreateTable(string clusterId, IConfiguration? store = null)
    {
        var services = new ServiceCollection();
        services.Configure<ClusterOptions>(options => (options.ClusterId, options.ServiceId) = (clusterId, "conformance"));
        services.AddPostgresGrainStorage(store ?? _store ?? throw new InvalidOperationException("The store is not created yet."));
        services.AddPostgresMembershipTable();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _services.Add(provider);
        return provider.GetRequiredService<IMembershipTable>();
    }

    private static MembershipEntry NewSilo(SiloStatus status = SiloStatus.Joining, DateTime? aliveAt = null)
    {
        var address = SiloAddress.New(IPAddress.Loopback, 11111, Interlocked.Increment(ref _generation));
        return new MembershipEntry
        {
            SiloAddress = address,
            Status = status,
            HostName = "conformance-host",
            SiloName = $"silo-{address.Generation}",
            RoleName = "PurchaseGrains.Silo",
            ProxyPort = 30000,
            UpdateZone = 1,
            FaultZone = 2,
            StartTime = (aliveAt ?? Now).AddMinutes(-1),
            IAmAliveTime = aliveAt ?? Now,
        };
    }

    /// <summary>A copy of <paramref name="entry"/> (<see cref="MembershipEntry"/>'s own copy is internal), then changed.</summary>
    private static MembershipEntry Changed(MembershipEntry entry, Action<MembershipEntry> change)
    {
        var copy = new MembershipEntry
        {
            SiloAddress = entry.SiloAddress,
            Status = entry.Status,
            SuspectTimes = entry.SuspectTimes is null ? null : [.. entry.SuspectTimes],
            HostName = entry.HostName,
            SiloName = entry.SiloName,
            RoleName = entry.RoleName,
            ProxyPort = entry.ProxyPort,
            UpdateZone = entry.UpdateZone,
            FaultZone = entry.FaultZone,
            StartTime = entry.StartTime,
            IAmAliveTime = entry.IAmAliveTime,
        };
        change(copy);
        return copy;
    }

    /// <summary>Inserts each silo from the version just read, as a joining silo does.</summary>
    private async Task InsertAsync(params MembershipEntry[] silos)
    {
        foreach (var silo in silos)
            Assert.True(await Table.InsertRowAsync(silo, (await Table.ReadAllAsync(Deadline)).Version.Next(), Deadline), $"Inserting {silo} failed.");
    }

    private async Task<(MembershipEntry Entry, string ETag)> ReadSiloAsync(MembershipEntry silo)
    {
        var row = (await Table.ReadAllAsync(Deadline)).TryGet(silo.SiloAddress);
        Assert.NotNull(row);
        return (row.Item1, row.Item2);
    }

    private static void AssertSameEntry(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(
            (expected.SiloAddress, expected.Status, expected.HostName, expected.SiloName, expected.RoleName, expected.ProxyPort,
                expected.UpdateZone, expected.FaultZone, expected.StartTime, expected.IAmAliveTime),
            (actual.SiloAddress, actual.Status, actual.HostName, actual.SiloName, actual.RoleName, actual.ProxyPort,
                actual.UpdateZone, actual.FaultZone, actual.StartTime, actual.IAmAliveTime));
        Assert.Equal(expected.SuspectTimes ?? [], actual.SuspectTimes ?? []);
    }

    private static IEnumerable<SiloAddress> Addresses(MembershipTableData data) =>
        data.Members.Select(member => member.Item1.SiloAddress).OrderBy(address => address.Generation);

    private static IEnumerable<SiloAddress> Addresses(params MembershipEntry[] silos) =>
        silos.Select(silo => silo.SiloAddress).OrderBy(address => address.Generation);
}
