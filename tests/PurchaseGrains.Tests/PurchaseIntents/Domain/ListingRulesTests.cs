using System.Text.Json;
using PurchaseGrains.Grains.Listings;
using PurchaseGrains.Grains.PurchaseIntents;

namespace PurchaseGrains.Tests.PurchaseIntents.Domain;

public sealed class ListingRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    internal static ListingDraft Draft(string? itemId = "item-1", string? collectionId = null, string price = "2500",
        List<string>? providers = null, PolicyDraft? policy = null, int? maxPerTx = null) =>
        new(itemId, collectionId, 10, price, "USD", providers ?? ["STRIPE", "MINT_VOUCHER"], maxPerTx, policy, null, null);

    [Fact]
    public void AValidDraftGetsDefaults()
    {
        var (definition, error) = ListingValidator.Validate(Draft(), Now);
        Assert.Null(error);
        Assert.Equal(2500, definition!.Price);
        Assert.Equal(ListingCurrency.Usd, definition.Currency);
        Assert.Equal([PaymentProvider.Stripe, PaymentProvider.MintVoucher], definition.PaymentProviders);
        Assert.Equal(1, definition.MaxQuantityPerTx);
        Assert.Equal(PolicyType.Fcfs, definition.Policy.Type);
        Assert.Equal(120, definition.Policy.TimeoutSeconds);
        Assert.Equal(Now, definition.StartTime);
        Assert.Null(definition.EndTime);
    }

    [Theory]
    [InlineData("item", "collection")]
    [InlineData(null, null)]
    public void ExactlyOneOfItemOrCollectionIsRequired(string? item, string? collection) =>
        Assert.Equal("Exactly one of item_id or collection_id is required", ListingValidator.Validate(Draft(item, collection), Now).Error);

    [Theory]
    [InlineData("25.00")]
    [InlineData("-1")]
    [InlineData("")]
    public void PriceMustBeMinorUnits(string price) =>
        Assert.Equal("price must be a string of minor units, e.g. \"2500\"", ListingValidator.Validate(Draft(price: price), Now).Error);

    [Fact]
    public void UnknownProvidersAndCurrenciesAreRefused()
    {
        Assert.Equal("Unknown payment provider 'PAYPAL'; accepted values: STRIPE, EMAIL_CLAIM, MINT_VOUCHER, ORGANIZATION", ListingValidator.Validate(Draft(providers: ["PAYPAL"]), Now).Error);
        Assert.Equal("currency must be one of USD, EUR, ETH", ListingValidator.Validate(Draft() with { Currency = "GBP" }, Now).Error);
        Assert.Equal("payment_providers must name at least one provider", ListingValidator.Validate(Draft(providers: []), Now).Error);
    }

    [Fact]
    public void AnAllowListNeedsAddressesAndTheWindowMustBeOrdered()
    {
        Assert.Equal("policy.email_addresses must list at least one address for ALLOW_LIST",
            ListingValidator.Validate(Draft(policy: new PolicyDraft("ALLOW_LIST", [], null, null, null)), Now).Error);
        Assert.Equal("end_time must be after start_time",
            ListingValidator.Validate(Draft() with { StartTime = Now, EndTime = Now }, Now).Error);
        Assert.Equal("policy.payment_session_duration.timeout_seconds must be between 1 and 86400",
            ListingValidator.Validate(Draft(policy: new PolicyDraft(null, null, null, new SessionDurationDraft(0), null)), Now).Error);
    }

    [Fact]
    public void APatchMayChangeOnlyPolicyFieldsAndTheWindow()
    {
        var definition = ListingValidator.Validate(Draft(policy: new PolicyDraft("ALLOW_LIST", ["A@x.io"], 2, null, null)), Now).Definition!;

        var (patched, error) = Patch("""{"policy":{"max_per_user":5,"email_addresses":["B@x.io"]},"end_time":"2026-02-01T00:00:00Z"}""").ApplyTo(definition);
        Assert.Null(error);
        Assert.Equal(5, patched!.Policy.MaxPerUser);
        Assert.Equal(["b@x.io"], patched.Policy.EmailAddresses);
        Assert.Equal(PolicyType.AllowList, patched.Policy.Type);
        Assert.Equal(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero), patched.EndTime);

        Assert.Equal("Only policy, start_time and end_time can be changed", Patch("""{"price":"1"}""").ApplyTo(definition).Error);
        Assert.Equal("The policy type cannot be changed", Patch("""{"policy":{"type":"FCFS"}}""").ApplyTo(definition).Error);
        Assert.Null(Patch("""{"policy":{"type":"ALLOW_LIST"}}""").ApplyTo(definition).Error);
        Assert.Equal("end_time must be after start_time", Patch("""{"end_time":"2025-01-01T00:00:00Z"}""").ApplyTo(definition).Error);
        Assert.Equal("end_time must be before 2100-01-01T00:00:00Z", Patch("""{"end_time":"9999-12-31T00:00:00Z"}""").ApplyTo(definition).Error);
        Assert.Equal("start_time must be before 2100-01-01T00:00:00Z", Patch("""{"start_time":"9999-01-01T00:00:00Z","end_time":null}""").ApplyTo(definition).Error);
    }

    [Fact]
    public void PurchaseRulesRefuseEachBrokenConditionWithItsOwnMessage()
    {
        var definition = ListingValidator.Validate(Draft(maxPerTx: 3,
            policy: new PolicyDraft("ALLOW_LIST", ["ok@x.io"], 4, null, null)) with { StartTime = Now, EndTime = Now.AddHours(1) }, Now).Definition!;
        var listing = new ListingSnapshot("l1", "a", definition, QuantityRemaining: 5, Now);
        var buyer = new BuyerIdentity("OK@x.io", null, FulfillmentMethod.Email, "email:ok@x.io");

        Assert.Null(PurchaseRules.Check(listing, PaymentProvider.Stripe, buyer, 3, 1, Now));
        Assert.Equal(Refusal(RefusalKind.Invalid, "Payment provider EMAIL_CLAIM is not accepted by this listing"),
            PurchaseRules.Check(listing, PaymentProvider.EmailClaim, buyer, 1, 0, Now));
        Assert.Equal(Refusal(RefusalKind.Invalid, "quantity must be at most 3 per transaction"),
            PurchaseRules.Check(listing, PaymentProvider.Stripe, buyer, 4, 0, Now));
        Assert.Equal(Refusal(RefusalKind.Conflict, "Listing has not started yet"),
            PurchaseRules.Check(listing, PaymentProvider.Stripe, buyer, 1, 0, Now.AddSeconds(-1)));
        Assert.Equal(Refusal(RefusalKind.Conflict, "Listing has ended"),
            PurchaseRules.Check(listing, PaymentProvider.Stripe, buyer, 1, 0, Now.AddHours(1)));
        Assert.Equal(Refusal(RefusalKind.Forbidden, "Buyer is not on the listing's allow list"),
            PurchaseRules.Check(listing, PaymentProvider.Stripe, buyer with { Email = "no@x.io" }, 1, 0, Now));
        Assert.Equal(Refusal(RefusalKind.Conflict, "Buyer would exceed the limit of 4 per user"),
            PurchaseRules.Check(listing, PaymentProvider.Stripe, buyer, 2, 3, Now));
        Assert.Null(PurchaseRules.Check(listing, PaymentProvider.Stripe, buyer, 2, null, Now));
        Assert.Equal(Refusal(RefusalKind.Conflict, "Only 2 left on this listing"),
            PurchaseRules.Check(listing with { QuantityRemaining = 2 }, PaymentProvider.Stripe, buyer, 3, 0, Now));
        Assert.Equal(Refusal(RefusalKind.Conflict, "Listing is sold out"),
            PurchaseRules.Check(listing with { QuantityRemaining = 0 }, PaymentProvider.Stripe, buyer, 1, 0, Now));
    }

    [Fact]
    public void StatusFollowsTheClockAndTheQuantityLeft()
    {
        Assert.Equal(ListingStatus.Scheduled, ListingStatusRules.At(Now, null, 5, Now.AddSeconds(-1)));
        Assert.Equal(ListingStatus.Active, ListingStatusRules.At(Now, Now.AddHours(1), 5, Now));
        Assert.Equal(ListingStatus.SoldOut, ListingStatusRules.At(Now, null, 0, Now));
        Assert.Equal(ListingStatus.Ended, ListingStatusRules.At(Now, Now.AddHours(1), 5, Now.AddHours(1)));
        Assert.Equal("SOLD_OUT", ListingStatus.SoldOut.ToWire());
    }

    private static ListingPatch Patch(string json) => new(JsonDocument.Parse(json).RootElement.Clone());

    private static PurchaseRefusal Refusal(RefusalKind kind, string message) => new(kind, message);
}
