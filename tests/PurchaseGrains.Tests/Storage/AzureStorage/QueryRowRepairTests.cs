using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Storage;
using PurchaseGrains.Tests.Infrastructure;
using PurchaseGrains.Tests.PurchaseIntents;

namespace PurchaseGrains.Tests.Storage.AzureStorage;

/// <summary>
/// On the AzureStorage profile the query rows (PostgreSQL) are written after the grain state (Azure). A fault between
/// the two fails the call; the next activation puts the rows right; and a row never goes back to an older version.
/// </summary>
public sealed class QueryRowRepairTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static bool IsIntent(StateRowId id, string intent) => id.Type == PurchaseIntentGrain.TypeName && id.Key == intent;

    [AzuriteFact]
    public async Task AnIntentWhoseRowsFailedAfterItsStateIsListedRightAfterItsNextActivation()
    {
        await using var silo = await StartSiloAsync();
        var (api, rows) = (silo.Api, silo.Rows);
        var listing = await api.CreateListingAsync();
        var intent = (await api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString()!;
        Assert.Equal([intent], await ListedAsync(api, listing, "PENDING"));

        rows.FailNextWriteOf(id => IsIntent(id, intent));
        var cancel = await api.Partner.DeleteAsync($"/v1/purchase-intents/{intent}");

        // Not acknowledged: the state says CANCELLED, the row still PENDING.
        await IntentApi.AssertErrorAsync(cancel, HttpStatusCode.ServiceUnavailable, "Storage is unavailable; retry shortly");
        Assert.Equal(1, rows.Failed);
        Assert.Equal([intent], await ListedAsync(api, listing, "PENDING"));

        // The failed write deactivated the grain; reading it activates it again, and the activation repairs the row.
        Assert.Equal("CANCELLED", (await api.GetIntentAsync(intent)).GetProperty("status").GetString());
        Assert.Equal([intent], await ListedAsync(api, listing, "CANCELLED"));
        Assert.Empty(await ListedAsync(api, listing, "PENDING"));
        Assert.Equal(new ListingCounters(10, 10, 0, 0), await api.CountersAsync(listing));
    }

    [AzuriteFact]
    public async Task AListingWhoseLedgerRowsFailedGetsThemBackFromItsStoredState()
    {
        await using var silo = await StartSiloAsync();
        var (api, rows) = (silo.Api, silo.Rows);
        var listing = await api.CreateListingAsync();

        // The hold's ledger line is not part of the listing's payload: only the stored rows of the last write have it.
        rows.FailNextWriteOf(id => id.Type == "listing" && id.Key == listing);
        var refused = await api.PostIntentAsync(IntentApi.Stripe(listing, quantity: 2));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(1, rows.Failed);

        // The next call activates the listing again, which writes the missing line before anything else.
        var intent = (await api.CreateIntentAsync(IntentApi.Stripe(listing, quantity: 3))).GetProperty("id").GetString()!;
        var queries = silo.Silo.Services.GetRequiredService<IIndexQueries>();
        var lines = await queries.QueryAsync<(string Key, long Quantity, string State)>(
            "SELECT grain_key, quantity, state FROM listing_holds WHERE listing_id = @listing", new { listing }, CancellationToken.None);
        var counters = await api.CountersAsync(listing);
        Assert.True(counters.IsBalanced, $"Unbalanced: {counters}");
        Assert.Equal(counters.Held, lines.Where(l => l.State == HoldState.Held.ToWire()).Sum(l => l.Quantity));
        Assert.Contains(lines, l => l.Key == intent && l.Quantity == 3);
    }

    [AzuriteFact]
    public async Task AnOlderRowWriteArrivingLateNeverReplacesANewerOne()
    {
        await using var silo = await StartSiloAsync();
        var (api, rows) = (silo.Api, silo.Rows);
        var listing = await api.CreateListingAsync();
        var intent = (await api.CreateIntentAsync(IntentApi.Stripe(listing))).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await api.Partner.DeleteAsync($"/v1/purchase-intents/{intent}")).StatusCode);
        Assert.Equal([intent], await ListedAsync(api, listing, "CANCELLED"));

        var writes = rows.Written.Where(w => IsIntent(w.Id, intent)).OrderBy(w => w.Version).ToList();
        Assert.True(writes.Count >= 2, $"expected the PENDING and the CANCELLED writes, saw {writes.Count}");
        var (id, version, pendingRows) = writes[0];
        await rows.Inner.WriteAsync(id, version, pendingRows, CancellationToken.None);

        Assert.Equal([intent], await ListedAsync(api, listing, "CANCELLED"));
        Assert.Empty(await ListedAsync(api, listing, "PENDING"));
    }

    /// <summary>A silo of a new AzureStorage cluster whose query-row store takes injected faults, with one listing.</summary>
    private async Task<FaultySilo> StartSiloAsync()
    {
        var cluster = await AzureStorageCluster.CreateAsync(database);
        var silo = await cluster.StartSiloAsync(IntentApi.Settings(), FaultyQueryRows.Install);
        return new FaultySilo(silo, new IntentApi(silo), FaultyQueryRows.Of(silo.Services));
    }

    private sealed record FaultySilo(TestSilo Silo, IntentApi Api, FaultyQueryRows Rows) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Api.Dispose();
            await Silo.DisposeAsync();
        }
    }

    private static async Task<List<string>> ListedAsync(IntentApi api, string listing, string status) =>
        IntentListingScenarios.Ids(await IntentListingScenarios.ListAsync(api, $"?listing_id={listing}&status={status}"));
}
