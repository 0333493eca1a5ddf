using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;

namespace PurchaseGrains.Grains.VendingMachine;

[GenerateSerializer, Immutable, Alias("vm.InventoryView")]
public sealed record InventoryView(string UserId, IReadOnlyList<OwnedItem> Items);

[GenerateSerializer, Immutable, Alias("vm.BuybackStart")]
public sealed record BuybackStart(BuybackDecision Decision, string? OperationId = null, decimal Amount = 0);

/// <summary>What one user of one partner owns (key: <see cref="InventoryKeys.For"/>), until sold back.</summary>
[Alias("vm.IInventoryGrain")]
public interface IInventoryGrain : IGrainWithStringKey
{
    /// <summary>Delivery of a session's items; items already here are skipped (a re-run delivery adds nothing).</summary>
    Task AddItems(IReadOnlyList<OwnedItem> items);

    /// <summary>Null when the user never received anything.</summary>
    [Orleans.Concurrency.ReadOnly]
    Task<InventoryView?> Get();

    /// <summary>Turn 1 of a buyback: marks the item pending under a new operation id (and schedules recovery).</summary>
    Task<BuybackStart> BeginBuyback(string itemId);

    /// <summary>Turn 2, after the credit: marks the item sold back. False when that operation is not pending.</summary>
    Task<bool> CompleteBuyback(string itemId, string operationId);

    /// <summary>The items, when every one is owned and free to ship (not sold back, in a buyback, or in an order); else null.</summary>
    [Orleans.Concurrency.ReadOnly]
    Task<IReadOnlyList<OwnedItem>?> Shippable(IReadOnlyList<string> itemIds);

    /// <summary>Locks all the items to the order, or none; true when they are (now or already) the order's.</summary>
    Task<bool> LockForShipping(string orderId, IReadOnlyList<string> itemIds);

    /// <summary>The order ended before shipping: its items are back in the inventory. Idempotent.</summary>
    Task ReleaseShipping(string orderId);

    /// <summary>The carrier shipped the order: its items have left for good. Idempotent.</summary>
    Task MarkShipped(string orderId);
}

public sealed class InventoryState
{
    public string UserId { get; set; } = "";
    public string Partner { get; set; } = "";
    public List<InventoryEntry> Items { get; set; } = [];
}

[GrainType("vm_inventory")]
public sealed class InventoryGrain(
    [PersistentState("inventory", GrainStores.Growing)] IPersistentState<InventoryState> state,
    IBuybackPayout payout,
    IOptions<VmOptions> options,
    IOptions<ReminderBackstopOptions> backstop,
    TimeProvider time) : Grain, IInventoryGrain, IRemindable
{
    private const string BuybackReminder = "buybacks";

    public async Task AddItems(IReadOnlyList<OwnedItem> items)
    {
        var (partner, userId) = SplitKey();
        state.State.Partner = partner;
        state.State.UserId = userId;
        var fresh = items.Where(i => state.State.Items.All(e => e.Item.Id != i.Id)).ToList();
        if (fresh.Count == 0 && state.RecordExists)
            return;
        state.State.Items.AddRange(fresh.Select(i => new InventoryEntry { Item = i, Status = OwnedItemStatus.Owned }));
        await state.WriteOrDeactivateAsync(this);
    }

    public Task<InventoryView?> Get() => Task.FromResult(state.RecordExists
        ? new InventoryView(state.State.UserId, state.State.Items.Where(e => e.IsListed).Select(e => e.Item).ToList())
        : null);

    public async Task<BuybackStart> BeginBuyback(string itemId)
    {
        var entry = Find(itemId);
        var now = time.GetUtcNow();
        var decision = BuybackRules.Decide(entry, now);
        if (decision != BuybackDecision.Start)
            return new BuybackStart(decision);

        // Recovery first, so a pending buyback always has a reminder to finish it (a tick with nothing pending is a no-op).
        await this.RegisterOrUpdateReminder(BuybackReminder, options.Value.RecoveryDelay, backstop.Value.BackstopPeriod);
        entry!.Status = OwnedItemStatus.BuybackPending;
        entry.BuybackOperationId = $"buyback_{Guid.NewGuid():N}";
        entry.BuybackRequestedAt = now;
        await state.WriteOrDeactivateAsync(this);
        return new BuybackStart(BuybackDecision.Start, entry.BuybackOperationId, entry.Item.Item.BuybackPrice);
    }

    public async Task<bool> CompleteBuyback(string itemId, string operationId)
    {
        var entry = Find(itemId);
        if (entry is null || !BuybackRules.Complete(entry, operationId, time.GetUtcNow()))
            return entry is { Status: OwnedItemStatus.SoldBack } && entry.BuybackOperationId == operationId;
        await state.WriteOrDeactivateAsync(this);
        return true;
    }

    /// <summary>Completes buybacks whose request died between the two turns: credit (idempotent per operation), then sold back.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var now = time.GetUtcNow();
        var pending = state.State.Items.Where(e => e.Status == OwnedItemStatus.BuybackPending).ToList();
        var stalled = pending.Where(e => e.BuybackRequestedAt + options.Value.RecoveryDelay <= now).ToList();
        foreach (var entry in stalled)
        {
            await payout.CreditAsync(new BuybackCredit(entry.BuybackOperationId!, state.State.Partner, state.State.UserId,
                entry.Item.Id, entry.Item.Item.BuybackPrice), CancellationToken.None);
            BuybackRules.Complete(entry, entry.BuybackOperationId!, now);
        }
        if (stalled.Count > 0)
            await state.WriteOrDeactivateAsync(this);
        if (pending.Count == stalled.Count && await this.GetReminder(reminderName) is { } reminder)
            await this.UnregisterReminder(reminder);
    }

    public Task<IReadOnlyList<OwnedItem>?> Shippable(IReadOnlyList<string> itemIds) =>
        Task.FromResult<IReadOnlyList<OwnedItem>?>(ShippingLocks.Shippable(state.State.Items, itemIds)?.Select(e => e.Item).ToList());

    public async Task<bool> LockForShipping(string orderId, IReadOnlyList<string> itemIds)
    {
        if (!ShippingLocks.TryLock(state.State.Items, orderId, itemIds, out var changed))
            return false;
        if (changed)
            await state.WriteOrDeactivateAsync(this);
        return true;
    }

    public async Task ReleaseShipping(string orderId)
    {
        if (ShippingLocks.Release(state.State.Items, orderId))
            await state.WriteOrDeactivateAsync(this);
    }

    public async Task MarkShipped(string orderId)
    {
        if (ShippingLocks.Ship(state.State.Items, orderId))
            await state.WriteOrDeactivateAsync(this);
    }

    private InventoryEntry? Find(string itemId) => state.State.Items.Find(e => e.Item.Id == itemId);

    private (string Partner, string UserId) SplitKey()
    {
        var key = this.GetPrimaryKeyString();
        var colon = key.IndexOf(':');
        return (key[..colon], key[(colon + 1)..]);
    }
}
