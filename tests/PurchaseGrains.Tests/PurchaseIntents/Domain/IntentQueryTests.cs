using PurchaseGrains.Grains.PurchaseIntents;

namespace PurchaseGrains.Tests.PurchaseIntents.Domain;

public sealed class IntentQueryTests
{
    private static (IntentQuery? Query, string? Error) Parse(params (string Name, string Value)[] pairs) =>
        IntentQuery.Parse(new QueryValues(pairs.GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.Select(p => (string?)p.Value).ToArray())));

    [Fact]
    public void MultiValueFiltersAcceptCommasWithSpacesAndRepetition()
    {
        var (query, error) = Parse(("payment_provider", "STRIPE, MINT_VOUCHER"), ("payment_provider", "EMAIL_CLAIM"),
            ("fulfillment_status", "PENDING,ASSIGNED"), ("fulfillment_method", "EMAIL"));
        Assert.Null(error);
        Assert.Equal([PaymentProvider.Stripe, PaymentProvider.MintVoucher, PaymentProvider.EmailClaim], query!.PaymentProviders);
        Assert.Equal([FulfillmentStatus.Pending, FulfillmentStatus.Assigned], query.FulfillmentStatuses);
        Assert.Equal([FulfillmentMethod.Email], query.FulfillmentMethods);
    }

    [Fact]
    public void DefaultsAreDescendingPagesOfOneHundred()
    {
        var (query, _) = Parse();
        Assert.Equal(new PageRequest(SortDirection.Desc, 100, null), query!.Page);
        Assert.Null(query.Status);
        Assert.Empty(query.PaymentProviders);
    }

    [Fact]
    public void SingleValueFiltersAreNormalized()
    {
        var (query, _) = Parse(("status", "CONFIRMED"), ("email", "A@B.co"), ("eth_address", "0xABCDEF0123456789abcdef0123456789ABCDEF01"),
            ("listing_id", "l1"), ("order_direction", "ASC"), ("limit", "5"));
        Assert.Equal(IntentStatus.Confirmed, query!.Status);
        Assert.Equal("a@b.co", query.Email);
        Assert.Equal("0xabcdef0123456789abcdef0123456789abcdef01", query.EthAddress);
        Assert.Equal("l1", query.ListingId);
        Assert.Equal(new PageRequest(SortDirection.Asc, 5, null), query.Page);
    }

    [Theory]
    [InlineData("status", "PAID", "Unknown status 'PAID'; accepted values: PENDING, CONFIRMED, EXPIRED, CANCELLED, UNRESOLVED")]
    [InlineData("payment_provider", "STRIPE, PAYPAL", "Unknown payment_provider 'PAYPAL'; accepted values: STRIPE, EMAIL_CLAIM, MINT_VOUCHER, ORGANIZATION")]
    [InlineData("fulfillment_method", "POST", "Unknown fulfillment_method 'POST'; accepted values: EMAIL, TRANSFER, VOUCHER")]
    [InlineData("fulfillment_status", "DONE", "Unknown fulfillment_status 'DONE'; accepted values: PENDING, ASSIGNED, COMPLETED, EXCEPTION")]
    [InlineData("limit", "0", "limit must be an integer between 1 and 100")]
    [InlineData("limit", "101", "limit must be an integer between 1 and 100")]
    [InlineData("limit", "ten", "limit must be an integer between 1 and 100")]
    [InlineData("order_direction", "UP", "order_direction must be ASC or DESC")]
    [InlineData("cursor", "!!not-a-cursor", "Invalid cursor")]
    [InlineData("cursor", "bm9jb2xvbg", "Invalid cursor")]
    public void BadValuesAreRefused(string name, string value, string error) => Assert.Equal(error, Parse((name, value)).Error);

    [Fact]
    public void ASingleValueFilterGivenTwiceIsRefused() =>
        Assert.Equal("status takes a single value", Parse(("status", "PENDING"), ("status", "CONFIRMED")).Error);

    [Fact]
    public void CursorsRoundTripAndStayOpaque()
    {
        var cursor = new PageCursor(1_700_000_000_123_456, "6430cc30-016e-4ae1-b35b-a7e80a5112fb");
        var text = cursor.Encode();
        Assert.DoesNotContain("6430cc30", text);
        Assert.Equal(cursor, PageCursor.Decode(text));
        Assert.Equal(cursor, Parse(("cursor", text)).Query!.Page.Cursor);
    }
}
