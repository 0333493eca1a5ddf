using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using PurchaseGrains.Grains.Hosting;
using PurchaseGrains.Tests.Http;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage.AzureStorage;

/// <summary>
/// Orleans' Azure providers as the host configures them (<c>Storage:Provider=AzureStorage</c>), against Azurite: grain
/// state ETags in Table and Blob storage, reminders in Table storage, membership of three silos.
/// </summary>
public sealed class AzureStorageProviderTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [AzuriteFact]
    public async Task AStaleETagIsAConflictInTableAndBlobStateAndTheNewerStateStays()
    {
        var cluster = await AzureStorageCluster.CreateAsync(database);
        await using var silo = await cluster.StartSiloAsync();
        foreach (var store in new[] { GrainStores.Main, GrainStores.Growing })
        {
            var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(store);
            var grain = GrainId.Create("test_counter", Guid.NewGuid().ToString("N"));
            var first = new GrainState<CounterState>(new CounterState { Value = 1 });
            await storage.WriteStateAsync("counter", grain, first);
            var stale = first.ETag;
            var second = new GrainState<CounterState>(new CounterState { Value = 2 }, stale);
            await storage.WriteStateAsync("counter", grain, second);
            Assert.NotEqual(stale, second.ETag);

            await Assert.ThrowsAnyAsync<InconsistentStateException>(() =>
                storage.WriteStateAsync("counter", grain, new GrainState<CounterState>(new CounterState { Value = 3 }, stale)));
            await Assert.ThrowsAnyAsync<InconsistentStateException>(() =>
                storage.WriteStateAsync("counter", grain, new GrainState<CounterState>(new CounterState { Value = 4 })));
            await Assert.ThrowsAnyAsync<InconsistentStateException>(() =>
                storage.ClearStateAsync("counter", grain, new GrainState<CounterState>(new CounterState(), stale)));

            var read = new GrainState<CounterState>();
            await storage.ReadStateAsync("counter", grain, read);
            Assert.True(read.RecordExists, store);
            Assert.Equal(2, read.State!.Value);
            Assert.Equal(second.ETag, read.ETag);

            await storage.ClearStateAsync("counter", grain, read);
            var cleared = new GrainState<CounterState>();
            await storage.ReadStateAsync("counter", grain, cleared);
            Assert.False(cleared.RecordExists, store);
        }
    }

    [AzuriteFact]
    public async Task GrainStateIsStoredAsReadableJson()
    {
        var cluster = await AzureStorageCluster.CreateAsync(database);
        await using var silo = await cluster.StartSiloAsync(mapRoutes: TestRoutes.Map);
        using var client = silo.CreateClient();
        var answer = await client.PostAsJsonAsync("/test/counters/json", new IncrementRequest(5));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);

        var tables = new global::Azure.Data.Tables.TableServiceClient(Azurite.RequiredConnectionString)
            .GetTableClient(cluster.Settings["Storage:AzureStorage:GrainStateTable"]);
        var entity = Assert.Single(tables.Query<global::Azure.Data.Tables.TableEntity>().ToList());
        var json = string.Concat(entity.Where(p => p.Key.StartsWith("StringData", StringComparison.Ordinal))
            .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (string)p.Value));
        using var document = JsonDocument.Parse(json);
        Assert.Equal(1, document.RootElement.GetProperty("version").GetInt64());
        Assert.Equal(5, document.RootElement.GetProperty("state").GetProperty("value").GetInt32());
    }

    [AzuriteFact]
    public async Task RemindersFireFromTheAzureTableAndStopWhenUnregistered()
    {
        var cluster = await AzureStorageCluster.CreateAsync(database);
        await using var first = await cluster.StartSiloAsync();
        await using var second = await cluster.StartSiloAsync();
        var keys = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        foreach (var key in keys)
            await first.Grains.GetGrain<IReminderProbeGrain>(key).Arm(TimeSpan.FromSeconds(1));

        await Eventually.TrueAsync(() => keys.All(k => ReminderProbeGrain.Ticks.GetValueOrDefault(k) >= 2),
            TimeSpan.FromSeconds(30), "two ticks of each of four reminders");

        foreach (var key in keys)
            await second.Grains.GetGrain<IReminderProbeGrain>(key).Disarm();
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // a tick already under way may still land
        var settled = keys.ToDictionary(k => k, k => ReminderProbeGrain.Ticks[k]);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.All(keys, k => Assert.Equal(settled[k], ReminderProbeGrain.Ticks[k]));
    }

    [AzuriteFact]
    public async Task ThreeSilosFormOneClusterThroughTheAzureMembershipTable()
    {
        var cluster = await AzureStorageCluster.CreateAsync(database);
        await using var a = await cluster.StartSiloAsync();
        await using var b = await cluster.StartSiloAsync();
        await using var c = await cluster.StartSiloAsync();

        foreach (var silo in new[] { a, b, c })
            await Eventually.TrueAsync(async () => await ActiveSilosAsync(silo) == 3, TimeSpan.FromSeconds(30),
                $"{silo.BaseAddress} to see three active silos");
        var hosts = await a.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Assert.Equal(3, hosts.Count);

        await c.StopAsync();
        await Eventually.TrueAsync(async () => await ActiveSilosAsync(a) == 2, TimeSpan.FromSeconds(30),
            "the stopped silo to leave the membership table");
    }

    private static async Task<int> ActiveSilosAsync(TestSilo silo)
    {
        using var client = silo.CreateClient(apiKey: null);
        var ready = await client.GetFromJsonAsync<JsonElement>("/health/ready");
        return ready.GetProperty("active_silos").GetInt32();
    }
}
