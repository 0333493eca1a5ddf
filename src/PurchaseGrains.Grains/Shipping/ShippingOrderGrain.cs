using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;
using PurchaseGrains.Grains.Shipping.Carrier;
using PurchaseGrains.Grains.VendingMachine;

namespace PurchaseGrains.Grains.Shipping;

/// <summary>One shipping order (key: <c>order_&lt;id&gt;</c>): locks its items, ships them with the carrier, follows the shipment.</summary>
[Alias("ship.IShippingOrderGrain")]
public interface IShippingOrderGrain : IGrainWithStringKey
{
    /// <summary>
    /// Locks the items and starts the order; false when an item is no longer free (the order is then refused, and
    /// stays unknown). A repeated call answers the first one's outcome.
    /// </summary>
    Task<bool> Place(OrderPlacement placement);

    /// <summary>Null when unknown, refused, or another partner's.</summary>
    [ReadOnly]
    Task<ShippingOrderView?> Get(string partner);
}

/// <summary>
/// Carrier tracking: a grain timer every <see cref="ShippingOptions.PollInterval"/> while the order is active, and a
/// reminder of <see cref="ReminderBackstopOptions.BackstopPeriod"/> as the durable backstop that reactivates it after a
/// crash (activation re-arms the timer from state). The carrier gets the order id as its idempotency key, so a
/// re-run creation finds the same shipment; every step re-decides from state, and a finished order drops both.
/// </summary>
[GrainType("ship_order")]
public sealed partial class ShippingOrderGrain(
    [PersistentState("order", GrainStores.Main)] IPersistentState<ShippingOrderState> state,
    ICarrierProvider carrier,
    IOptions<ShippingOptions> options,
    IOptions<ReminderBackstopOptions> backstop,
    TimeProvider time,
    ILogger<ShippingOrderGrain> logger) : Grain, IShippingOrderGrain, IRemindable
{
    private const string TrackReminder = "shipment";

    private IGrainTimer? _trackTimer;
    private IGrainReminder? _reminder;

    private string OrderId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists && state.State.Status != OrderStatus.Placing && !ShippingOrderFlow.IsFinished(state.State))
            StartTracking();
        return Task.CompletedTask;
    }

    public async Task<bool> Place(OrderPlacement placement)
    {
        if (!state.RecordExists)
        {
            // Recovery first: if this silo dies before the items are locked, the reminder finishes placing the order.
            _reminder = await this.RegisterOrUpdateReminder(TrackReminder, options.Value.RecoveryDelay, backstop.Value.BackstopPeriod);
            state.State = ShippingOrderFlow.Start(placement, time.GetUtcNow(), TickTrace.CurrentParent());
            await state.WriteOrDeactivateAsync(this);
        }
        if (state.State.Status == OrderStatus.Placing)
            await LockItemsAsync();
        return state.State.Status != OrderStatus.Refused;
    }

    public Task<ShippingOrderView?> Get(string partner) =>
        Task.FromResult(state.RecordExists && state.State.IsVisible && state.State.Partner == partner ? View() : null);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!state.RecordExists || ShippingOrderFlow.IsFinished(state.State))
        {
            await FinishAsync();
            return;
        }
        using var activity = TickTrace.Start("IShippingOrderGrain/ReceiveReminder", state.State.TraceParent);
        if (state.State.Status == OrderStatus.Placing)
        {
            await LockItemsAsync();
            return;
        }
        StartTracking();
        await AdvanceAsync();
    }

    private async Task LockItemsAsync()
    {
        var order = state.State;
        var locked = await Inventory().LockForShipping(OrderId, order.Items.Select(i => i.ItemId).ToList());
        if (locked)
            ShippingOrderFlow.Locked(order);
        else
            ShippingOrderFlow.Refused(order);
        await state.WriteOrDeactivateAsync(this);
        if (locked)
            StartTracking();
        else
            await FinishAsync();
    }

    private void StartTracking()
    {
        if (_trackTimer is not null)
            return;
        // The first tick creates the shipment at once; then the carrier is asked every poll interval.
        _trackTimer = this.RegisterGrainTimer(static (self, _) => self.TrackAsync(), this,
            new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.PollInterval) { KeepAlive = true });
    }

    private async Task TrackAsync()
    {
        using var activity = TickTrace.Start("IShippingOrderGrain/Track", state.State.TraceParent);
        await AdvanceAsync();
    }

    /// <summary>Asks the carrier (creating the shipment first), applies its answer, settles the items; safe to re-run.</summary>
    private async Task AdvanceAsync()
    {
        var order = state.State;
        if (order.IsActive)
        {
            try
            {
                if (order.ShipmentId is null)
                {
                    var shipmentId = await carrier.CreateShipmentAsync(
                        new ShipmentRequest(OrderId, order.Partner, order.Rate, order.Destination, order.Items), CancellationToken.None);
                    ShippingOrderFlow.ShipmentCreated(order, shipmentId);
                    await state.WriteOrDeactivateAsync(this);
                }
                var report = await carrier.GetShipmentAsync(order.ShipmentId!, CancellationToken.None);
                if (ShippingOrderFlow.Apply(order, report, time.GetUtcNow()))
                    await state.WriteOrDeactivateAsync(this);
            }
            catch (CarrierUnavailableException exception)
            {
                LogCarrierUnavailable(exception, OrderId);
            }
        }
        if (ShippingOrderFlow.NeedsItemsShipped(order))
        {
            await Inventory().MarkShipped(OrderId);
            order.ItemsShipped = true;
            await state.WriteOrDeactivateAsync(this);
        }
        if (ShippingOrderFlow.NeedsItemsReleased(order))
        {
            await Inventory().ReleaseShipping(OrderId);
            order.ItemsReleased = true;
            await state.WriteOrDeactivateAsync(this);
        }
        if (ShippingOrderFlow.IsFinished(order))
            await FinishAsync();
    }

    private IInventoryGrain Inventory() => GrainFactory.GetGrain<IInventoryGrain>(InventoryKeys.For(state.State.Partner, state.State.UserId));

    private async Task FinishAsync()
    {
        _trackTimer?.Dispose();
        _trackTimer = null;
        // The handle this activation registered, else a lookup (an activation after a crash holds none).
        if ((_reminder ?? await this.GetReminder(TrackReminder)) is { } reminder)
            await this.UnregisterReminder(reminder);
        _reminder = null;
    }

    private ShippingOrderView View()
    {
        var o = state.State;
        return new ShippingOrderView(OrderId, o.Status, o.Rate, o.TrackingNumber, o.TrackingUrl, o.Destination, o.Items, o.CreatedAt,
            o.ShippedAt, o.DeliveredAt, o.ErrorMessage);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: the carrier is unavailable; retrying on the next tick")]
    private partial void LogCarrierUnavailable(Exception exception, string orderId);
}
