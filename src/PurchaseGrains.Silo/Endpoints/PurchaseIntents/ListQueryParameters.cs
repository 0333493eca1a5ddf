using Microsoft.OpenApi;
using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Silo.Http.OpenApi;

namespace PurchaseGrains.Silo.Endpoints.PurchaseIntents;

/// <summary>
/// The query parameters of the Phosphor list routes, as <see cref="PageRequest"/> and <see cref="IntentQuery"/> parse
/// them, with the values they accept taken from the same enums.
/// </summary>
public static class ListQueryParameters
{
    public static readonly IReadOnlyList<QueryParameter> Page =
    [
        new("cursor", "The cursor of the previous page, to read the next one. Opaque."),
        new("limit", $"Results per page, 1 to {PageRequest.MaxLimit}.", JsonSchemaType.Integer,
            Minimum: 1, Maximum: PageRequest.MaxLimit, Default: PageRequest.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("order_direction", "Order by created_at.", Values: WireEnum<SortDirection>.AllNames, Default: WireEnum<SortDirection>.Name(SortDirection.Desc)),
    ];

    public static readonly IReadOnlyList<QueryParameter> IntentFilters =
    [
        new("item_id", "Intents for this item."),
        new("collection_id", "Intents for this collection."),
        new("listing_id", "Intents of this listing."),
        new("status", "Intents in this status. An intent past its expiration counts as EXPIRED.", Values: WireEnum<IntentStatus>.AllNames),
        new("email", "The buyer's email address.", Format: "email"),
        new("eth_address", "The buyer's Ethereum address.", Pattern: "^0x[0-9a-fA-F]{40}$"),
        new("fulfillment_status", "One or more fulfilment statuses, repeated or comma separated.",
            Values: WireEnum<FulfillmentStatus>.AllNames, Repeatable: true),
        new("fulfillment_method", "One or more fulfilment methods, repeated or comma separated.",
            Values: WireEnum<FulfillmentMethod>.AllNames, Repeatable: true),
        new("payment_provider", "One or more payment providers, repeated or comma separated.",
            Values: WireEnum<PaymentProvider>.AllNames, Repeatable: true),
    ];
}
