using Microsoft.Extensions.Options;
using PurchaseGrains.Runtime;

namespace PurchaseGrains.Grains.VendingMachine;

public sealed record InventoryView(string UserId, IReadOnlyList<OwnedItem> Items);

public sealed record BuybackStart(BuybackDecision Decision, string? OperationId = null, decimal Amount = 0);

/// <summary>What one user of one partner owns (key: <see cref="InventoryKeys.For"/>), until sold back.</summary>
public interface IInventoryGrain : IGrainWithStringKey, IRemindable
{
    /// <summary>Delivery of a session's items; items already here are skipped (a re-run delivery adds nothing).</summary>
    Task AddItems(IReadOnlyList<OwnedItem> items);

    /// <summary>Null when the user never received anything.</summary>
    Task<InventoryView?> Get();

    /// <summary>Turn 1 of a buyback: marks the item pending under a new operation id (and schedules recovery).</summary>
    Task<BuybackStart> BeginBuyback(string itemId);

    /// <summary>Turn 2, after the credit: marks the item sold back. False when that operation is not pending.</summary>
    Task<bool> CompleteBuyback(string itemId, string operationId);
}

public sealed class InventoryState
{
    public string UserId { get; set; } = "";
    public string Partner { get; set; } = "";
    public List<InventoryEntry> Items { get; set; } = [];
}

public sealed class InventoryGrain(
    [PersistentState("inventory")] IPersistentState<InventoryState> state,
    IBuybackPayout payout,
    IOptions<VmOptions> options) : Grain, IInventoryGrain
{
    private const string BuybackReminder = "buybacks";

    public async Task AddItems(IReadOnlyList<OwnedItem> items)
    {
        await state.ReadStateAsync();
        var (partner, userId) = SplitKey();
        state.State.Partner = partner;
        state.State.UserId = userId;
        var fresh = items.Where(i => state.State.Items.All(e => e.Item.Id != i.Id)).ToList();
        if (fresh.Count == 0 && state.RecordExists)
            return;
        state.State.Items.AddRange(fresh.Select(i => new InventoryEntry { Item = i, Status = OwnedItemStatus.Owned }));
        await state.WriteStateAsync();
    }

    public async Task<InventoryView?> Get()
    {
        await state.ReadStateAsync();
        if (!state.RecordExists)
            return null;
        return new InventoryView(state.State.UserId,
            state.State.Items.Where(e => e.Status != OwnedItemStatus.SoldBack).Select(e => e.Item).ToList());
    }

    public async Task<BuybackStart> BeginBuyback(string itemId)
    {
        await state.ReadStateAsync();
        var entry = Find(itemId);
        var now = TimeProvider.GetUtcNow();
        var decision = BuybackRules.Decide(entry, now);
        if (decision != BuybackDecision.Start)
            return new BuybackStart(decision);

        // Recovery first, so a pending buyback always has a reminder to finish it (a tick with nothing pending is a no-op).
        await RegisterOrUpdateReminder(BuybackReminder, options.Value.RecoveryDelay, TimeSpan.Zero);
        entry!.Status = OwnedItemStatus.BuybackPending;
        entry.BuybackOperationId = $"buyback_{Guid.NewGuid():N}";
        entry.BuybackRequestedAt = now;
        await state.WriteStateAsync();
        return new BuybackStart(BuybackDecision.Start, entry.BuybackOperationId, entry.Item.Item.BuybackPrice);
    }

    public async Task<bool> CompleteBuyback(string itemId, string operationId)
    {
        await state.ReadStateAsync();
        var entry = Find(itemId);
        if (entry is null || !BuybackRules.Complete(entry, operationId, TimeProvider.GetUtcNow()))
            return entry is { Status: OwnedItemStatus.SoldBack } && entry.BuybackOperationId == operationId;
        await state.WriteStateAsync();
        return true;
    }

    /// <summary>Completes buybacks whose request died between the two turns: credit (idempotent per operation), then sold back.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await state.ReadStateAsync();
        var now = TimeProvider.GetUtcNow();
        var pending = state.State.Items.Where(e => e.Status == OwnedItemStatus.BuybackPending).ToList();
        var stalled = pending.Where(e => e.BuybackRequestedAt + options.Value.RecoveryDelay <= now).ToList();
        foreach (var entry in stalled)
        {
            await payout.CreditAsync(new BuybackCredit(entry.BuybackOperationId!, state.State.Partner, state.State.UserId,
                entry.Item.Id, entry.Item.Item.BuybackPrice), CancellationToken.None);
            BuybackRules.Complete(entry, entry.BuybackOperationId!, now);
        }
        if (stalled.Count > 0)
            await state.WriteStateAsync();
        var next = pending.Except(stalled).Select(e => e.BuybackRequestedAt!.Value + options.Value.RecoveryDelay).DefaultIfEmpty().Min();
        if (next != default)
            await RegisterOrUpdateReminder(BuybackReminder, next - now, TimeSpan.Zero);
    }

    private InventoryEntry? Find(string itemId) => state.State.Items.Find(e => e.Item.Id == itemId);

    private (string Partner, string UserId) SplitKey()
    {
        var colon = PrimaryKey.IndexOf(':');
        return (PrimaryKey[..colon], PrimaryKey[(colon + 1)..]);
    }
}
