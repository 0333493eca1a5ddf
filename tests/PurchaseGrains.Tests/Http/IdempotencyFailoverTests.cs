using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using PurchaseGrains.Silo.Idempotency;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Http;

/// <summary>A key whose first request was running on a silo that is gone does not block its retry for the running lease.</summary>
public class IdempotencyFailoverTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task AKeyLeftRunningByASiloTheClusterDeclaredDeadRunsAgainOnRetry()
    {
        var connection = await database.CreateSchemaAsync();
        var gone = await TestSilo.StartPostgresAsync(connection, mapRoutes: TestRoutes.Map);
        await using var staying = await TestSilo.StartPostgresAsync(connection, mapRoutes: TestRoutes.Map);
        var goneAddress = gone.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var key = $"counter-{Guid.NewGuid():N}";
        var body = JsonSerializer.Serialize(new { by = 1 });
        var record = staying.Grains.GetGrain<IIdempotencyGrain>(IdempotencyMiddleware.GrainKey("a", $"/test/counters/{key}", "left-running"));
        Assert.Equal(IdempotencyOutcome.Execute, (await record.Begin(Hash(body), goneAddress, "first-run")).Outcome);

        using var client = staying.CreateClient();
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(client, key, body)).StatusCode);

        await gone.StopAsync();
        var membership = staying.Services.GetRequiredService<IClusterMembershipService>();
        await Eventually.TrueAsync(() => membership.CurrentSnapshot.GetSiloStatus(goneAddress) == SiloStatus.Dead,
            TimeSpan.FromSeconds(10), "the cluster to record the stopped silo as dead");

        using var retried = await PostAsync(client, key, body);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(1, (await retried.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetInt32());
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string key, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/test/counters/{key}")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", "left-running");
        return client.SendAsync(request);
    }

    private static string Hash(string body) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body)));
}
