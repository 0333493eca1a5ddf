using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;
using PurchaseGrains.Grains.Shipping.Carrier;
using PurchaseGrains.Grains.VendingMachine;

namespace PurchaseGrains.Grains.Shipping;

/// <summary>One quote session (key: <c>quote_&lt;id&gt;</c>): checks the items, keeps the rates until expiry, places one order.</summary>
[Alias("ship.IShippingQuoteGrain")]
public interface IShippingQuoteGrain : IGrainWithStringKey
{
    /// <summary>Checks the items (the partner's, one user's, free to ship) and asks the carrier for rates. Nothing is kept when refused.</summary>
    Task<QuoteResult> Create(QuoteCommand command);

    /// <summary>The order of one of this session's quotes: placed on the first request, the same one on every other.</summary>
    Task<OrderRequestResult> RequestOrder(string partner, string service);
}

[GrainType("ship_quote")]
public sealed partial class ShippingQuoteGrain(
    [PersistentState("quote", GrainStores.Main)] IPersistentState<ShippingQuoteState> state,
    ICarrierProvider carrier,
    IOptions<ShippingOptions> options,
    TimeProvider time,
    ILogger<ShippingQuoteGrain> logger) : Grain, IShippingQuoteGrain
{
    private string SessionId => this.GetPrimaryKeyString();

    public async Task<QuoteResult> Create(QuoteCommand command)
    {
        if (state.RecordExists)
            return state.State.Partner == command.Partner ? new QuoteResult(QuoteRefusal.None, View()) : new QuoteResult(QuoteRefusal.ItemNotFound);

        var cards = await Task.WhenAll(command.ItemIds.Select(id => GrainFactory.GetGrain<ICardGrain>(id).Get()));
        if (cards.Any(c => c is not { Status: CardStatus.Sold, UserId: not null } || c.Partner != command.Partner))
            return new QuoteResult(QuoteRefusal.ItemNotFound);
        if (cards.Select(c => c!.UserId).Distinct(StringComparer.Ordinal).Count() > 1)
            return new QuoteResult(QuoteRefusal.ItemsOfSeveralUsers);
        var userId = cards[0]!.UserId!;
        var owned = await GrainFactory.GetGrain<IInventoryGrain>(InventoryKeys.For(command.Partner, userId)).Shippable(command.ItemIds);
        if (owned is null)
            return new QuoteResult(QuoteRefusal.ItemNotFound);

        IReadOnlyList<ShippingRate> rates;
        try
        {
            rates = await carrier.RatesAsync(new RateRequest(owned.Count, command.Destination), CancellationToken.None);
        }
        catch (CarrierUnavailableException exception)
        {
            LogRatesUnavailable(exception, SessionId);
            return new QuoteResult(QuoteRefusal.CarrierUnavailable);
        }

        var now = time.GetUtcNow();
        state.State = new ShippingQuoteState
        {
            Partner = command.Partner,
            UserId = userId,
            Items = owned.Select(o => new ShippingItem(o.Id, o.Item.Card.Name, o.Item.Card.Image, o.Item.Card.BackImage)).ToList(),
            Destination = command.Destination,
            // One rate per service: a quote id names its service.
            Rates = rates.DistinctBy(r => r.Service, StringComparer.Ordinal).ToList(),
            CreatedAt = now,
            ExpiresAt = now + options.Value.QuoteTtl,
        };
        await state.WriteOrDeactivateAsync(this);
        return new QuoteResult(QuoteRefusal.None, View());
    }

    public async Task<OrderRequestResult> RequestOrder(string partner, string service)
    {
        var quote = state.RecordExists ? state.State : null;
        var (next, refusal) = QuoteRules.Decide(quote, partner, service, time.GetUtcNow());
        if (next == QuoteRules.Next.Refuse)
            return new OrderRequestResult(refusal);
        if (next == QuoteRules.Next.AnswerOrder)
            return new OrderRequestResult(OrderRefusal.None, quote!.OrderId);

        // The order id is recorded before the order is placed: if this call dies, its retry places that same order.
        if (quote!.OrderId is null)
        {
            QuoteRules.OrderChosen(quote, ShippingIds.NewOrder(), service);
            await state.WriteOrDeactivateAsync(this);
        }
        var orderId = quote.OrderId!;
        var placement = new OrderPlacement(quote.Partner, quote.UserId, ShippingIds.QuoteId(SessionId, service),
            quote.Rates.First(r => r.Service == service), quote.Destination, quote.Items);
        var placed = await GrainFactory.GetGrain<IShippingOrderGrain>(orderId).Place(placement);
        if (placed)
            quote.OrderPlaced = true;
        else
            QuoteRules.OrderRefused(quote);
        await state.WriteOrDeactivateAsync(this);
        return placed ? new OrderRequestResult(OrderRefusal.None, orderId) : new OrderRequestResult(OrderRefusal.ItemNotFound);
    }

    private QuoteView View() => new(SessionId, state.State.ExpiresAt, state.State.Rates);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quote {SessionId}: the carrier could not be asked for rates")]
    private partial void LogRatesUnavailable(Exception exception, string sessionId);
}
