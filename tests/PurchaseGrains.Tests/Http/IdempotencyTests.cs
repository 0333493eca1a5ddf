using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using PurchaseGrains.Silo.Idempotency;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Http;

public sealed class IdempotencyTests : IAsyncLifetime
{
    private TestSilo _silo = null!;

    public async Task InitializeAsync() =>
        _silo = await TestSilo.StartSqliteAsync(mapRoutes: TestRoutes.Map);

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task ARetryWithTheSameKeyAndBodyReplaysTheFirstResponseWithoutRunningAgain()
    {
        using var client = _silo.CreateClient();
        var key = $"counter-{Guid.NewGuid():N}";

        var first = await Post(client, key, "retry-1", new { by = 5 });
        var retry = await Post(client, key, "retry-1", new { by = 5 });

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(5, await _silo.Grains.GetGrain<ICounterGrain>(key).Get());
    }

    [Fact]
    public async Task TheSameKeyWithADifferentBodyIs422()
    {
        using var client = _silo.CreateClient();
        var key = $"counter-{Guid.NewGuid():N}";
        await Post(client, key, "mismatch", new { by = 1 });

        var response = await Post(client, key, "mismatch", new { by = 2 });

        await HttpConventionTests.AssertError(response, HttpStatusCode.UnprocessableEntity,
            "This Idempotency-Key was already used with a different request body");
    }

    [Fact]
    public async Task TheSameKeyWhileTheFirstIsRunningIs409()
    {
        using var client = _silo.CreateClient();
        var key = $"counter-{Guid.NewGuid():N}";
        var idempotency = _silo.Grains.GetGrain<IIdempotencyGrain>(
            IdempotencyMiddleware.GrainKey("a", $"/test/counters/{key}", "running"));
        await idempotency.Begin(BodyHash("{\"by\":1}"), _silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress, "first-run");

        var response = await Post(client, key, "running", new { by = 1 });

        await HttpConventionTests.AssertError(response, HttpStatusCode.Conflict,
            "A request with this Idempotency-Key is still being processed");
    }

    [Fact]
    public async Task BeginAgainByTheRunningRunLetsItCarryOnAndNoOtherRun()
    {
        var (record, silo, hash) = KeyRecord("/test/counters/again", "begin-again");
        Assert.Equal(IdempotencyOutcome.Execute, (await record.Begin(hash, silo, "run-1")).Outcome);

        Assert.Equal(IdempotencyOutcome.Execute, (await record.Begin(hash, silo, "run-1")).Outcome);
        Assert.Equal(IdempotencyOutcome.InProgress, (await record.Begin(hash, silo, "run-2")).Outcome);
        Assert.Equal(IdempotencyOutcome.Mismatch, (await record.Begin(BodyHash("{\"by\":2}"), silo, "run-1")).Outcome);
        await record.Complete(hash, "run-1", new StoredResponse(200, "application/json", "{}"));
        Assert.Equal(IdempotencyOutcome.Replay, (await record.Begin(hash, silo, "run-1")).Outcome);
    }

    [Fact]
    public async Task ALateAbandonOfAnEarlierRunDoesNotFreeTheKeyForAThirdRun()
    {
        var (record, silo, hash) = KeyRecord("/test/counters/late", "late-abandon");
        Assert.Equal(IdempotencyOutcome.Execute, (await record.Begin(hash, silo, "run-1")).Outcome);
        await record.Abandon(hash, "run-1");
        Assert.Equal(IdempotencyOutcome.Execute, (await record.Begin(hash, silo, "run-2")).Outcome);

        await record.Abandon(hash, "run-1");

        Assert.Equal(IdempotencyOutcome.InProgress, (await record.Begin(hash, silo, "run-3")).Outcome);
        await record.Complete(hash, "run-2", new StoredResponse(200, "application/json", "{}"));
        Assert.Equal(IdempotencyOutcome.Replay, (await record.Begin(hash, silo, "run-3")).Outcome);
    }

    [Fact]
    public async Task KeysAreScopedByPartner()
    {
        using var partnerA = _silo.CreateClient(TestKeys.PartnerA);
        using var partnerB = _silo.CreateClient(TestKeys.PartnerB);
        var key = $"counter-{Guid.NewGuid():N}";

        await Post(partnerA, key, "shared-key", new { by = 1 });
        var second = await Post(partnerB, key, "shared-key", new { by = 1 });

        Assert.False(second.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetInt32());
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, string counter, string idempotencyKey, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/test/counters/{counter}") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    /// <summary>The record of partner a's key on the path, this silo, and the hash of the body <c>{"by":1}</c>.</summary>
    private (IIdempotencyGrain Record, SiloAddress Silo, string Hash) KeyRecord(string path, string key) => (
        _silo.Grains.GetGrain<IIdempotencyGrain>(IdempotencyMiddleware.GrainKey("a", path, key)),
        _silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress,
        BodyHash("{\"by\":1}"));

    private static string BodyHash(string body) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body)));
}
