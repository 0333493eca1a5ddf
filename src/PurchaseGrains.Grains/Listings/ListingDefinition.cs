using PurchaseGrains.Grains.PurchaseIntents;
using Orleans;

namespace PurchaseGrains.Grains.Listings;

[GenerateSerializer, Alias("listing.ListingCurrency")]
public enum ListingCurrency { Usd, Eur, Eth }

[GenerateSerializer, Alias("listing.PolicyType")]
public enum PolicyType { Fcfs, AllowList }

/// <summary>Computed from the clock and the quantity left (our choice: the Phosphor docs do not list them).</summary>
[GenerateSerializer, Alias("listing.ListingStatus")]
public enum ListingStatus { Scheduled, Active, SoldOut, Ended }

[GenerateSerializer, Immutable, Alias("listing.ListingPolicy")]
public sealed record ListingPolicy(
    PolicyType Type,
    IReadOnlyList<string> EmailAddresses,
    int? MaxPerUser,
    int TimeoutSeconds,
    int? EmailClaimDuration)
{
    public const int DefaultTimeoutSeconds = 120;

    public bool Allows(string? email) =>
        Type == PolicyType.Fcfs || (email is not null && EmailAddresses.Contains(BuyerRules.NormalizeEmail(email)));
}

/// <summary>What an admin listed. Quantity and price never change after creation; policy and window may.</summary>
[GenerateSerializer, Immutable, Alias("listing.ListingDefinition")]
public sealed record ListingDefinition(
    string? ItemId,
    string? CollectionId,
    long QuantityListed,
    long Price,
    ListingCurrency Currency,
    IReadOnlyList<PaymentProvider> PaymentProviders,
    int MaxQuantityPerTx,
    ListingPolicy Policy,
    DateTimeOffset StartTime,
    DateTimeOffset? EndTime)
{
    /// <summary>What <paramref name="quantity"/> units cost, in minor units of <see cref="Currency"/>.</summary>
    public long PriceFor(int quantity) => checked(Price * quantity);
}

/// <summary>A listing as callers see it at one moment: its definition, its owner and its quantity left.</summary>
[GenerateSerializer, Immutable, Alias("listing.ListingSnapshot")]
public sealed record ListingSnapshot(
    string Id,
    string Partner,
    ListingDefinition Definition,
    long QuantityRemaining,
    DateTimeOffset CreatedAt)
{
    public ListingStatus StatusAt(DateTimeOffset now) => ListingStatusRules.At(Definition.StartTime, Definition.EndTime, QuantityRemaining, now);
}

public static class ListingStatusRules
{
    public static ListingStatus At(DateTimeOffset start, DateTimeOffset? end, long remaining, DateTimeOffset now) =>
        now < start ? ListingStatus.Scheduled
        : end is { } e && now >= e ? ListingStatus.Ended
        : remaining <= 0 ? ListingStatus.SoldOut
        : ListingStatus.Active;
}
