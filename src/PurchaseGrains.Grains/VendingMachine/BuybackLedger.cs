using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.VendingMachine;

/// <summary>One buyback payout: <see cref="OperationId"/> makes it idempotent.</summary>
[GenerateSerializer, Immutable, Alias("vm.BuybackCredit")]
public sealed record BuybackCredit(string OperationId, string Partner, string UserId, string ItemId, decimal Amount);

/// <summary>Pays a user for a sold-back item. Must be idempotent per <see cref="BuybackCredit.OperationId"/>.</summary>
public interface IBuybackPayout
{
    Task CreditAsync(BuybackCredit credit, CancellationToken cancellationToken);
}

/// <summary>The default payout: a durable credit in the user's ledger (there is no outside payout rail yet).</summary>
public sealed class LedgerBuybackPayout(IGrainFactory grains) : IBuybackPayout
{
    public Task CreditAsync(BuybackCredit credit, CancellationToken cancellationToken) =>
        grains.GetGrain<IBuybackLedgerGrain>(InventoryKeys.For(credit.Partner, credit.UserId)).Credit(credit);
}

[GenerateSerializer, Immutable, Alias("vm.LedgerEntry")]
public sealed record LedgerEntry(string OperationId, string ItemId, decimal Amount, DateTimeOffset CreditedAt);

/// <summary>
/// The durable record of buyback credits of one user (key: <see cref="InventoryKeys.For"/>). A repeated operation is a
/// no-op, and an item is credited at most once whatever the operation.
/// </summary>
[Alias("vm.IBuybackLedgerGrain")]
public interface IBuybackLedgerGrain : IGrainWithStringKey
{
    /// <summary>True when this call credited; false when the operation or the item was already credited.</summary>
    Task<bool> Credit(BuybackCredit credit);

    Task<IReadOnlyList<LedgerEntry>> Entries();
}

public sealed class BuybackLedgerState : IIndexedState
{
    public string Partner { get; set; } = "";
    public string UserId { get; set; } = "";
    public List<LedgerEntry> Credits { get; set; } = [];

    public IEnumerable<IndexRow> GetIndexRows(StateRowId grainId) => Credits.Select(c =>
        new IndexRow(VmIndexTables.BuybackCredits, c.OperationId, new Dictionary<string, object?>
        {
            ["partner"] = Partner,
            ["user_id"] = UserId,
            ["item_id"] = c.ItemId,
            ["amount"] = (double)c.Amount,
            ["credited_at"] = VmIndexTables.Micros(c.CreditedAt),
        }));
}

[GrainType("vm_buyback_ledger")]
public sealed class BuybackLedgerGrain(
    [PersistentState("ledger", GrainStores.Growing)] IPersistentState<BuybackLedgerState> state,
    TimeProvider time) : Grain, IBuybackLedgerGrain
{
    public async Task<bool> Credit(BuybackCredit credit)
    {
        if (state.State.Credits.Any(c => c.OperationId == credit.OperationId || c.ItemId == credit.ItemId))
            return false;
        state.State.Partner = credit.Partner;
        state.State.UserId = credit.UserId;
        state.State.Credits.Add(new LedgerEntry(credit.OperationId, credit.ItemId, credit.Amount, time.GetUtcNow()));
        await state.WriteOrDeactivateAsync(this);
        return true;
    }

    public Task<IReadOnlyList<LedgerEntry>> Entries() => Task.FromResult<IReadOnlyList<LedgerEntry>>(state.State.Credits.ToList());
}
