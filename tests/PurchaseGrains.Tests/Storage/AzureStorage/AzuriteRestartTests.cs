using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PurchaseGrains.Tests.Faults;
using PurchaseGrains.Tests.Http;
using PurchaseGrains.Tests.Infrastructure;
using PurchaseGrains.Tests.PurchaseIntents;
using Xunit.Abstractions;

namespace PurchaseGrains.Tests.Storage.AzureStorage;

/// <summary>
/// Azurite (with its data on disk) stopped and started again while two silos take writes: while it is away the
/// writes fail at once with 503, afterwards they succeed again with nothing restarted by hand, and every write that was
/// acknowledged is still there when a fresh silo reads it back.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class AzuriteRestartTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan FastAnswer = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(4);

    private sealed record Answer(int Worker, DateTime At, HttpStatusCode Status, TimeSpan Took, string Body);

    [AzuriteFact]
    public async Task AzuriteRestartedUnderLoadGivesFast503sThenRecoversAndLosesNoAcknowledgedWrite()
    {
        await using var azurite = await OwnAzurite.StartAsync();
        var cluster = await AzureStorageCluster.CreateAsync(database, azurite.ConnectionString);
        var silos = new[]
        {
            await cluster.StartSiloAsync(IntentApi.Settings(), mapRoutes: TestRoutes.Map),
            await cluster.StartSiloAsync(IntentApi.Settings(), mapRoutes: TestRoutes.Map),
        };
        using var setup = new IntentApi(silos[0]);
        var listing = await setup.CreateListingAsync(IntentApi.ListingBody(quantity: 1_000_000, maxPerTx: 1));

        var answers = new ConcurrentBag<Answer>();
        var ackedCounters = new ConcurrentDictionary<string, int>();
        var ackedIntents = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var restartedAt = DateTime.MaxValue;
        var workers = Enumerable.Range(0, 6).Select(worker => Task.Run(async () =>
        {
            using var client = silos[worker % 2].CreateClient();
            var key = $"restart-{worker}";
            while (!stop.IsCancellationRequested)
            {
                var clock = Stopwatch.StartNew();
                var response = worker < 4
                    ? await client.PostAsJsonAsync($"/test/counters/{key}", new IncrementRequest(1))
                    : await client.PostAsJsonAsync("/v1/purchase-intents", IntentApi.Stripe(listing));
                var body = await response.Content.ReadAsStringAsync();
                answers.Add(new Answer(worker, DateTime.UtcNow, response.StatusCode, clock.Elapsed, body));
                if (response.StatusCode == HttpStatusCode.OK)
                    ackedCounters.AddOrUpdate(key, _ => Value(body), (_, acked) => Math.Max(acked, Value(body)));
                else if (response.StatusCode == HttpStatusCode.Created)
                    ackedIntents.Add(JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!);
                else
                    await Task.Delay(50);
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(3));
        await azurite.StopAsync();
        var stoppedAt = DateTime.UtcNow;
        await Task.Delay(Outage);
        await azurite.RestartAsync();
        restartedAt = DateTime.UtcNow;
        await Eventually.TrueAsync(() => Enumerable.Range(0, 6).All(w => answers.Count(a => a.Worker == w && a.At > restartedAt && IsSuccess(a.Status)) >= 5),
            TimeSpan.FromSeconds(60), "5 acknowledged writes of each worker after Azurite came back");
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        var failures = answers.Where(a => !IsSuccess(a.Status)).ToList();
        output.WriteLine($"{answers.Count} answers, {failures.Count} failed; slowest failure {failures.Select(a => a.Took).DefaultIfEmpty().Max().TotalMilliseconds:0} ms; " +
            $"first success after the restart {(answers.Where(a => a.At > restartedAt && IsSuccess(a.Status)).Min(a => a.At) - restartedAt).TotalMilliseconds:0} ms after it");
        Assert.Contains(failures, a => a.At > stoppedAt && a.At < restartedAt);
        Assert.All(failures, a =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Status);
            Assert.StartsWith("{\"error\":", a.Body, StringComparison.Ordinal);
            Assert.True(a.Took < FastAnswer, $"a 503 took {a.Took.TotalMilliseconds:0} ms");
        });
        Assert.All(Enumerable.Range(0, 6), worker => Assert.Contains(answers, a => a.Worker == worker && a.At > restartedAt && IsSuccess(a.Status)));

        // Every acknowledged write, read back by a silo that never held any of it in memory.
        foreach (var silo in silos)
            await silo.StopAsync();
        await using var reader = await cluster.StartSiloAsync(IntentApi.Settings(), mapRoutes: TestRoutes.Map);
        foreach (var (key, acked) in ackedCounters)
            Assert.True(await reader.Grains.GetGrain<ICounterGrain>(key).Get() >= acked, $"counter {key} lost writes acknowledged up to {acked}");
        using var api = new IntentApi(reader);
        foreach (var intent in ackedIntents)
            Assert.Equal(intent, (await api.GetIntentAsync(intent)).GetProperty("id").GetString());
        Assert.True(await api.TotalResultsAsync($"listing_id={listing}") >= ackedIntents.Count, "acknowledged intents missing from the list");
    }

    private static bool IsSuccess(HttpStatusCode status) => status is HttpStatusCode.OK or HttpStatusCode.Created;

    private static int Value(string body) => JsonDocument.Parse(body).RootElement.GetProperty("value").GetInt32();
}
