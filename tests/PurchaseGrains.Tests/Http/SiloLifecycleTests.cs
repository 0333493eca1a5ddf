using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using PurchaseGrains.Grains.VendingMachine.Fulfillment;
using PurchaseGrains.Tests.Infrastructure;
using PurchaseGrains.Tests.VendingMachine;

namespace PurchaseGrains.Tests.Http;

/// <summary>Readiness as the cluster sees the silo, and a graceful stop on a two-silo PostgreSQL cluster.</summary>
public class SiloLifecycleTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    /// <summary>Orleans' default probes (5 s, three missed), so that only a silo that says it left is seen dead within 5 s.</summary>
    private static readonly Dictionary<string, string?> SlowFailureDetection = new()
    {
        ["Orleans:Membership:ProbeTimeout"] = "00:00:05",
        ["Orleans:Membership:MaxProbeTimeout"] = "00:00:20",
        ["Orleans:Membership:NumMissedProbesLimit"] = "3",
    };

    [PostgresFact]
    public async Task ReadyReportsTheSiloActiveInAClusterOfTwoAndTheStorage()
    {
        var connection = await database.CreateSchemaAsync();
        await using var first = await TestSilo.StartPostgresAsync(connection);
        await using var second = await TestSilo.StartPostgresAsync(connection);

        foreach (var silo in new[] { first, second })
        {
            var ready = await Eventually.ValueAsync(async () => await ReadyAsync(silo),
                r => r.Body.GetProperty("active_silos").GetInt32() == 2, TimeSpan.FromSeconds(20), "both silos to see each other active");
            Assert.Equal(HttpStatusCode.OK, ready.Status);
            Assert.Equal("ready", ready.Body.GetProperty("status").GetString());
            Assert.Equal("Active", ready.Body.GetProperty("silo").GetString());
            Assert.Equal("ready", ready.Body.GetProperty("storage").GetString());
        }
    }

    [PostgresFact]
    public async Task AStoppingSiloFinishesItsInFlightRequestThenLeavesTheClusterWithoutWaitingForFailureDetection()
    {
        var connection = await database.CreateSchemaAsync();
        var gated = new GatedFulfillment();
        var leaving = await TestSilo.StartPostgresAsync(connection, SlowFailureDetection, b => b.Services.AddSingleton<IFulfillmentProvider>(gated));
        await using var staying = await TestSilo.StartPostgresAsync(connection, SlowFailureDetection, b => b.Services.AddSingleton<IFulfillmentProvider>(gated));
        var api = new VmApi(leaving);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m, 2m, 3m);
        var leavingAddress = leaving.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

        var buying = api.BuyAsync("p1", 2, "u");
        await gated.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        leaving.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(stopRequested.SetResult);
        var stop = leaving.StopAsync();
        await stopRequested.Task.WaitAsync(TimeSpan.FromSeconds(10));
        gated.Gate.SetResult();

        var (status, body) = await buying.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, status);
        await stop.WaitAsync(TimeSpan.FromSeconds(30));

        // Failure detection would take probes of 5 s, three times over: a silo that left says so itself.
        var membership = staying.Services.GetRequiredService<IClusterMembershipService>();
        await Eventually.TrueAsync(() => membership.CurrentSnapshot.GetSiloStatus(leavingAddress) == SiloStatus.Dead,
            TimeSpan.FromSeconds(5), "the cluster to record the stopped silo as dead");
        var (statusCode, result) = await new VmApi(staying).StatusAsync(body["session_id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, statusCode);
        Assert.Equal(2, result["result"]!["nfts"]!.AsArray().Count);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(TestSilo silo)
    {
        using var client = silo.CreateClient(apiKey: null);
        using var response = await client.GetAsync("/health/ready");
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
