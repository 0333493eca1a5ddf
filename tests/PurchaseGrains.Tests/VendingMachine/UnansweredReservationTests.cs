using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using PurchaseGrains.Grains.VendingMachine;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.VendingMachine;

/// <summary>
/// A card's reservation can land without its answer: the silo holding the card is killed after the card's write. On
/// the AzureStorage profile the pool's row may then still say available (the card's state is written first, its query
/// row after), so nobody can find the card by its rows. The session writes the cards it will try before it tries them,
/// and a purchase that fails gives each back, even from an activation that never tried them. Found by the AzureStorage
/// kill drill, twice: the second time the session's own silo died too.
/// </summary>
public sealed class UnansweredReservationTests
{
    [Fact]
    public async Task ACardWhoseReservationLostItsAnswerIsGivenBackWhenThePurchaseFails()
    {
        await BuyWhileTheFirstReservationLosesItsAnswerAsync(sessionDiesToo: false);
    }

    [Fact]
    public async Task ACardWhoseReservationLostItsAnswerWithTheSessionsOwnSiloIsGivenBackByTheNextActivation()
    {
        await BuyWhileTheFirstReservationLosesItsAnswerAsync(sessionDiesToo: true);
    }

    /// <summary>
    /// One card; the first buy's reservation lands, its row is left saying available and its answer is lost (the buy is
    /// run again after the handover, and fails the purchase). The second buyer gets the card only if it was given back.
    /// </summary>
    private static async Task BuyWhileTheFirstReservationLosesItsAnswerAsync(bool sessionDiesToo)
    {
        var database = Path.Combine(Path.GetTempPath(), $"pg-test-{Guid.NewGuid():N}.db");
        var lostAnswer = new FirstAnswerLost(nameof(ICardGrain.Reserve), async call =>
        {
            await LeaveThePoolRowAvailableAsync(database);
            if (sessionDiesToo)
                call.SourceContext!.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "its silo is killed"));
        });
        await using var silo = await TestSilo.StartSqliteAsync(database,
            configure: builder => builder.Services.AddSingleton<IOutgoingGrainCallFilter>(lostAnswer));
        var api = new VmApi(silo);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m);
        api.Partner.DefaultRequestHeaders.Add("Idempotency-Key", "buy-unanswered");

        await api.BuyAsync("p1", 1, "first-buyer");
        Assert.True(lostAnswer.Lost);

        api.Partner.DefaultRequestHeaders.Remove("Idempotency-Key");
        await api.BuyOkAsync("p1", 1, "second-buyer");
    }

    /// <summary>The pool's row of the reserved card as it was before the reservation: available.</summary>
    private static async Task LeaveThePoolRowAvailableAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE vm_cards SET status = 'available', session_id = NULL WHERE status = 'reserved'";
        await command.ExecuteNonQueryAsync();
    }
}
