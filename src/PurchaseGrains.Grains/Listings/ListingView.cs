using PurchaseGrains.Grains.PurchaseIntents;

namespace PurchaseGrains.Grains.Listings;

/// <summary>A listing on the wire (<c>POST/GET/PATCH /v1/listings</c>).</summary>
public sealed record ListingView(
    string Id,
    string? ItemId,
    string? CollectionId,
    long QuantityListed,
    long QuantityRemaining,
    string Price,
    string Currency,
    IReadOnlyList<string> PaymentProviders,
    int MaxQuantityPerTx,
    PolicyView Policy,
    DateTimeOffset StartTime,
    DateTimeOffset? EndTime,
    string Status,
    DateTimeOffset CreatedAt)
{
    public static ListingView From(ListingSnapshot listing, DateTimeOffset now)
    {
        var d = listing.Definition;
        return new ListingView(listing.Id, d.ItemId, d.CollectionId, d.QuantityListed, listing.QuantityRemaining,
            d.Price.ToString(System.Globalization.CultureInfo.InvariantCulture), d.Currency.ToWire(),
            d.PaymentProviders.Select(p => p.ToWire()).ToList(), d.MaxQuantityPerTx,
            new PolicyView(d.Policy.Type.ToWire(), d.Policy.EmailAddresses, d.Policy.MaxPerUser,
                new SessionDurationView(d.Policy.TimeoutSeconds), d.Policy.EmailClaimDuration),
            d.StartTime, d.EndTime, listing.StatusAt(now).ToWire(), listing.CreatedAt);
    }

    /// <summary>The status of a stored document as of <paramref name="now"/> (it was computed when the document was written).</summary>
    public ListingView AsOf(DateTimeOffset now) =>
        this with { Status = ListingStatusRules.At(StartTime, EndTime, QuantityRemaining, now).ToWire() };
}

public sealed record PolicyView(
    string Type,
    IReadOnlyList<string> EmailAddresses,
    int? MaxPerUser,
    SessionDurationView PaymentSessionDuration,
    int? EmailClaimDuration);

public sealed record SessionDurationView(int TimeoutSeconds);
