using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Http;

/// <summary>An Idempotency-Key whose first run failed while the database was going away.</summary>
public sealed class IdempotencyOutageTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    /// <summary>
    /// A trigger that answers writes the way a database shutting down does (57P03, cannot connect now): the counter
    /// cannot be written, and an idempotency record can be begun but not cleared or replaced.
    /// </summary>
    private const string StorageGoingAway = """
        CREATE FUNCTION refuse_as_if_down() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the database is shutting down (test)' USING ERRCODE = '57P03'; END $$;
        CREATE TRIGGER refuse_counter BEFORE INSERT OR UPDATE ON grain_state
            FOR EACH ROW WHEN (NEW.grain_type = 'test_counter') EXECUTE FUNCTION refuse_as_if_down();
        CREATE TRIGGER refuse_idempotency BEFORE UPDATE OR DELETE ON grain_state
            FOR EACH ROW WHEN (OLD.grain_type = 'idempotency') EXECUTE FUNCTION refuse_as_if_down();
        """;

    private const string StorageUnavailable = "Storage is unavailable; retry shortly";

    private const string StorageBack = "DROP TRIGGER refuse_counter ON grain_state; DROP TRIGGER refuse_idempotency ON grain_state";

    [PostgresFact]
    public async Task ARetryOfAKeyWhoseFirstRunFailedMeets503WhileTheDatabaseIsDownNot409AndRunsOnceItIsBack()
    {
        var connectionString = await database.CreateSchemaAsync();
        await using var silo = await TestSilo.StartPostgresAsync(connectionString, mapRoutes: TestRoutes.Map);
        using var client = silo.CreateClient();
        var counter = $"outage-{Guid.NewGuid():N}";
        await ExecuteAsync(connectionString, StorageGoingAway);

        var first = await PostAsync(client, counter);
        var retryWhileDown = await PostAsync(client, counter);

        await HttpConventionTests.AssertError(first, HttpStatusCode.ServiceUnavailable, StorageUnavailable);
        // The first run is over (its record could not be cleared yet): a retry is not told it is still being processed.
        await HttpConventionTests.AssertError(retryWhileDown, HttpStatusCode.ServiceUnavailable, StorageUnavailable);

        await ExecuteAsync(connectionString, StorageBack);
        // The silo clears the first run's record in the background (every few seconds) until the database takes it.
        var answer = await Eventually.ValueAsync(() => PostAsync(client, counter), retry => retry.StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(15), "a retry of the key to run once the database is back");
        Assert.Equal(1, (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetInt32());
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string counter)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/test/counters/{counter}") { Content = JsonContent.Create(new { by = 1 }) };
        request.Headers.Add("Idempotency-Key", "first-run-failed");
        return client.SendAsync(request);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
