namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>The filters of <c>GET /v1/purchase-intents</c>, parsed and checked.</summary>
public sealed record IntentQuery(
    string? ItemId,
    string? CollectionId,
    string? ListingId,
    IntentStatus? Status,
    string? Email,
    string? EthAddress,
    IReadOnlyList<FulfillmentStatus> FulfillmentStatuses,
    IReadOnlyList<FulfillmentMethod> FulfillmentMethods,
    IReadOnlyList<PaymentProvider> PaymentProviders,
    PageRequest Page)
{
    public static (IntentQuery? Query, string? Error) Parse(QueryValues query)
    {
        var (page, pageError) = PageRequest.Parse(query);
        if (page is null)
            return (null, pageError);

        var single = new Dictionary<string, string?>();
        foreach (var name in (string[])["item_id", "collection_id", "listing_id", "status", "email", "eth_address"])
        {
            var (value, error) = query.Single(name);
            if (error is not null)
                return (null, error);
            single[name] = value;
        }
        IntentStatus? status = null;
        if (single["status"] is { } statusText)
        {
            if (!WireEnum<IntentStatus>.TryParse(statusText, out var parsed))
                return (null, Unknown("status", statusText, WireEnum<IntentStatus>.AllNames));
            status = parsed;
        }

        if (single["eth_address"] is { } ethFilter && !BuyerRules.IsEthAddress(ethFilter))
            return (null, $"eth_address {BuyerRules.EthAddressRule}");
        if (single["email"] is { } emailFilter && !BuyerRules.IsEmail(emailFilter.Trim()))
            return (null, "email is not a valid email address");

        var (fulfillmentStatuses, e1) = ParseMany<FulfillmentStatus>(query, "fulfillment_status");
        var (fulfillmentMethods, e2) = ParseMany<FulfillmentMethod>(query, "fulfillment_method");
        var (providers, e3) = ParseMany<PaymentProvider>(query, "payment_provider");
        if ((e1 ?? e2 ?? e3) is { } manyError)
            return (null, manyError);

        return (new IntentQuery(single["item_id"], single["collection_id"], single["listing_id"], status,
            single["email"] is { } email ? BuyerRules.NormalizeEmail(email) : null,
            single["eth_address"] is { } eth ? BuyerRules.NormalizeEthAddress(eth) : null,
            fulfillmentStatuses!, fulfillmentMethods!, providers!, page), null);
    }

    private static (IReadOnlyList<T>?, string?) ParseMany<T>(QueryValues query, string name) where T : struct, Enum
    {
        var parsed = new List<T>();
        foreach (var text in query.Many(name))
        {
            if (!WireEnum<T>.TryParse(text, out var value))
                return (null, Unknown(name, text, WireEnum<T>.AllNames));
            if (!parsed.Contains(value))
                parsed.Add(value);
        }
        return (parsed, null);
    }

    private static string Unknown(string name, string value, IEnumerable<string> accepted) =>
        $"Unknown {name} '{value}'; accepted values: {string.Join(", ", accepted)}";
}
