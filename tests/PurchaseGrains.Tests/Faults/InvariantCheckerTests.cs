using System.Net;
using Npgsql;
using PurchaseGrains.Tests.Infrastructure;
using PurchaseGrains.Tests.PurchaseIntents;
using PurchaseGrains.Tests.VendingMachine;

namespace PurchaseGrains.Tests.Faults;

/// <summary>
/// A small real database, made by a silo through the API (purchases, a buyback, a listing with confirmed, pending and
/// cancelled intents), that the checker must find sound; each test breaks one thing by hand in a transaction it
/// rolls back, and the checker must name it. So we know the fault tests would catch a violation.
/// </summary>
public class CheckerDatabase : IAsyncLifetime
{
    private readonly PostgresDatabase _database = new();

    /// <summary>The schema the silo's PostgreSQL rows are in.</summary>
    public string ConnectionString { get; protected set; } = "";
    public ClientRecord Record { get; } = new();
    public string DeliveredSession { get; private set; } = "";
    public string SecondSession { get; private set; } = "";
    public string SoldBackItem { get; private set; } = "";
    public string OwnedItem { get; private set; } = "";
    public string OtherUsersItem { get; private set; } = "";
    public string ListingId { get; private set; } = "";
    public string ConfirmedIntent { get; private set; } = "";
    public string PendingIntent { get; private set; } = "";
    public string CancelledIntent { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (SkipReason is not null)
            return;
        await _database.InitializeAsync();
        await using var silo = await StartSiloAsync(_database);
        var vm = new VmApi(silo);
        await vm.PutPackAsync("p1");
        await vm.AddCardsAsync("p1", "card", 1m, 2m, 3m, 4m, 5m, 6m);

        DeliveredSession = await vm.BuyOkAsync("p1", 2, "u1");
        SecondSession = await vm.BuyOkAsync("p1", 1, "u2");
        var u1Items = (await vm.StatusAsync(DeliveredSession)).Body["result"]!["nfts"]!.AsArray().Select(n => n!["id"]!.GetValue<string>()).ToList();
        OtherUsersItem = (await vm.StatusAsync(SecondSession)).Body["result"]!["nfts"]![0]!["id"]!.GetValue<string>();
        (SoldBackItem, OwnedItem) = (u1Items[0], u1Items[1]);
        var buyback = await vm.BuybackAsync(SoldBackItem);
        Assert.Equal(HttpStatusCode.OK, buyback.Status);

        using var intents = new IntentApi(silo);
        ListingId = await intents.CreateListingAsync();
        ConfirmedIntent = (await intents.CreateIntentAsync(IntentApi.NoPayment("EMAIL_CLAIM", ListingId, quantity: 2, email: "c@example.com"))).GetProperty("id").GetString()!;
        PendingIntent = (await intents.CreateIntentAsync(IntentApi.Stripe(ListingId))).GetProperty("id").GetString()!;
        CancelledIntent = (await intents.CreateIntentAsync(IntentApi.Stripe(ListingId))).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await intents.Partner.DeleteAsync($"/v1/purchase-intents/{CancelledIntent}")).StatusCode);
        await intents.WaitForIntentAsync(ConfirmedIntent, i => i.GetProperty("fulfillment_status").GetString() == "COMPLETED", "fulfilment COMPLETED");

        Record.Session(DeliveredSession, DateTimeOffset.UtcNow);
        Record.Session(SecondSession, DateTimeOffset.UtcNow);
        foreach (var item in u1Items)
            Record.Delivery("a:u1", item);
        Record.Delivery("a:u2", OtherUsersItem);
        Record.Buyback(SoldBackItem);
        foreach (var intent in new[] { ConfirmedIntent, PendingIntent, CancelledIntent })
            Record.Intent(intent, DateTimeOffset.UtcNow);
    }

    public Task DisposeAsync() => _database.DisposeAsync();

    protected virtual string? SkipReason => PostgresDatabase.SkipReason;

    /// <summary>A silo of the storage profile under check, on a schema of its own in <paramref name="database"/> (<see cref="ConnectionString"/>).</summary>
    protected virtual async Task<TestSilo> StartSiloAsync(PostgresDatabase database)
    {
        ConnectionString = await database.CreateSchemaAsync();
        return await TestSilo.StartPostgresAsync(ConnectionString, IntentApi.Settings());
    }
}

public sealed class InvariantCheckerTests(CheckerDatabase db) : IClassFixture<CheckerDatabase>
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    [PostgresFact]
    public Task ASoundDatabaseBreaksNoInvariant() => WithConnectionAsync(async (connection, checker) =>
        await checker.CheckAllAsync(db.Record, DateTimeOffset.UtcNow, Grace));

    [PostgresFact]
    public Task AnAcknowledgedSessionThatIsMissingIsReported() => ExpectViolationAsync(
        "DELETE FROM grain_state WHERE grain_type = 'vm_session' AND grain_key = @a",
        [db.DeliveredSession], c => c.AcknowledgedSessionsExistAsync(db.Record.Sessions), db.DeliveredSession);

    [PostgresFact]
    public Task AnAcknowledgedDeliveryMissingFromTheInventoryIsReported() => ExpectViolationAsync(
        RemoveFromInventory, ["a:u2", db.OtherUsersItem], c => c.AcknowledgedDeliveriesExistAsync(db.Record.Deliveries), db.OtherUsersItem);

    [PostgresFact]
    public Task AnAcknowledgedIntentThatWasAbandonedIsReported() => ExpectViolationAsync(
        "UPDATE grain_state SET payload = jsonb_set(payload, '{abandoned}', 'true') WHERE grain_type = 'purchase_intent' AND grain_key = @a",
        [db.PendingIntent], c => c.AcknowledgedIntentsExistAsync(db.Record.Intents), db.PendingIntent);

    [PostgresFact]
    public Task AnAcknowledgedBuybackWithoutItsCreditIsReported() => ExpectViolationAsync(
        "DELETE FROM vm_buyback_credits WHERE item_id = @a", [db.SoldBackItem],
        c => c.AcknowledgedBuybacksCreditedAsync(db.Record.Buybacks), db.SoldBackItem);

    [PostgresFact]
    public Task ACardInTwoInventoriesIsReported() => ExpectViolationAsync(
        """
        UPDATE grain_state SET payload = jsonb_set(payload, '{items}', payload->'items' ||
            (SELECT jsonb_agg(e) FROM grain_state g CROSS JOIN LATERAL jsonb_array_elements(g.payload->'items') e
             WHERE g.grain_type = 'vm_inventory' AND g.grain_key = 'a:u1' AND e->'item'->>'id' = @a))
        WHERE grain_type = 'vm_inventory' AND grain_key = 'a:u2'
        """, [db.OwnedItem], c => c.EveryCardHasOneHolderAsync(), db.OwnedItem);

    [PostgresFact]
    public Task AnOwnedCardBackInThePoolIsReported() => ExpectViolationAsync(
        "UPDATE vm_cards SET status = 'available' WHERE grain_key = @a", [db.OwnedItem], c => c.EveryCardHasOneHolderAsync(), db.OwnedItem);

    [PostgresFact]
    public Task ASoldCardInNoInventoryIsReported() => ExpectViolationAsync(
        RemoveFromInventory, ["a:u2", db.OtherUsersItem], c => c.EveryCardHasOneHolderAsync(), db.OtherUsersItem);

    [PostgresFact]
    public Task ACardLeftReservedByAFinishedSessionIsReported() => ExpectViolationAsync(
        """
        UPDATE grain_state SET payload = payload || jsonb_build_object('status', 'reserved', 'session_id', @b::text)
        WHERE grain_type = 'vm_card' AND grain_key = (SELECT grain_key FROM vm_cards WHERE status = 'available' ORDER BY grain_key LIMIT 1)
        RETURNING grain_key
        """, ["", db.SecondSession], c => c.EveryCardHasOneHolderAsync(), "card-");

    [PostgresFact]
    public Task AListingThatDoesNotAddUpIsReported() => ExpectViolationAsync(
        "UPDATE grain_state SET payload = jsonb_set(payload, '{remaining}', to_jsonb((payload->>'remaining')::bigint + 1)) WHERE grain_type = 'listing' AND grain_key = @a",
        [db.ListingId], c => c.ListingsBalanceAsync(), db.ListingId);

    [PostgresFact]
    public Task AListingWhoseCountersDisagreeWithItsLedgerIsReported() => ExpectViolationAsync(
        "UPDATE listing_holds SET state = 'SOLD' WHERE grain_key = @a", [db.PendingIntent], c => c.ListingsBalanceAsync(), db.ListingId);

    [PostgresFact]
    public Task ASessionUnfinishedPastItsDeadlineIsReported() => ExpectViolationAsync(
        "UPDATE grain_state SET payload = payload || jsonb_build_object('status', 'minting', 'deadline', (now() - interval '1 hour')::text) WHERE grain_type = 'vm_session' AND grain_key = @a",
        [db.DeliveredSession], c => c.NothingOverdueAsync(DateTimeOffset.UtcNow, Grace), db.DeliveredSession);

    [PostgresFact]
    public Task AnIntentPendingPastItsExpirationIsReported() => ExpectViolationAsync(
        "UPDATE grain_state SET payload = jsonb_set(payload, '{expiration}', to_jsonb((now() - interval '1 hour')::text)) WHERE grain_type = 'purchase_intent' AND grain_key = @a",
        [db.PendingIntent], c => c.NothingOverdueAsync(DateTimeOffset.UtcNow, Grace), db.PendingIntent);

    [PostgresFact]
    public Task ABuybackCreditedTwiceIsReported() => ExpectViolationAsync(
        "INSERT INTO vm_buyback_credits SELECT 'buyback_again', partner, user_id, item_id, amount, credited_at FROM vm_buyback_credits WHERE item_id = @a",
        [db.SoldBackItem], c => c.NothingAppliedTwiceAsync(), db.SoldBackItem);

    [PostgresFact]
    public Task UnitsSoldForACancelledIntentAreReported() => ExpectViolationAsync(
        "UPDATE listing_holds SET state = 'SOLD', quantity = 1 WHERE grain_key = @a", [db.CancelledIntent],
        c => c.NothingAppliedTwiceAsync(), db.CancelledIntent);

    [PostgresFact]
    public Task AnIntentFulfilledWithADuplicateClaimIsReported() => ExpectViolationAsync(
        "UPDATE grain_state SET payload = jsonb_set(payload, '{item_claim_ids}', jsonb_build_array(payload->'item_claim_ids'->0, payload->'item_claim_ids'->0)) WHERE grain_type = 'purchase_intent' AND grain_key = @a",
        [db.ConfirmedIntent], c => c.NothingAppliedTwiceAsync(), db.ConfirmedIntent);

    private const string RemoveFromInventory = """
        UPDATE grain_state SET payload = jsonb_set(payload, '{items}', COALESCE(
            (SELECT jsonb_agg(e) FROM jsonb_array_elements(payload->'items') e WHERE e->'item'->>'id' <> @b), '[]'::jsonb))
        WHERE grain_type = 'vm_inventory' AND grain_key = @a
        """;

    /// <summary>Breaks the database with <paramref name="corruption"/> (parameters @a, @b), expects <paramref name="check"/> to name <paramref name="offending"/>, rolls back.</summary>
    private Task ExpectViolationAsync(string corruption, string[] arguments, Func<InvariantChecker, Task> check, string offending) =>
        WithConnectionAsync(async (connection, checker) =>
        {
            await check(checker); // sound before
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var command = new NpgsqlCommand(corruption, connection, transaction))
            {
                command.Parameters.AddWithValue("a", arguments.ElementAtOrDefault(0) ?? "");
                command.Parameters.AddWithValue("b", arguments.ElementAtOrDefault(1) ?? "");
                await command.ExecuteNonQueryAsync();
            }
            var violation = await Assert.ThrowsAsync<InvariantViolationException>(() => check(checker));
            Assert.Contains(offending, violation.Message, StringComparison.Ordinal);
            await transaction.RollbackAsync();
        });

    private async Task WithConnectionAsync(Func<NpgsqlConnection, InvariantChecker, Task> body)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await body(connection, new InvariantChecker(connection));
    }
}
