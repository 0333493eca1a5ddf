using PurchaseGrains.Grains.PurchaseIntents;

namespace PurchaseGrains.Tests.PurchaseIntents.Domain;

public sealed class BuyerRulesTests
{
    private const string Eth = "0xa99D7eD4bB4E3EEFed18a0269bE46Aa8c49Ab165";

    [Fact]
    public void StripeWithEmailAndAddressIsFulfilledByEmail()
    {
        var (buyer, refusal) = BuyerRules.Resolve(PaymentProvider.Stripe, new Buyer("Aaa@Bbb.com", Eth));
        Assert.Null(refusal);
        Assert.Equal(FulfillmentMethod.Email, buyer!.Method);
        Assert.Equal("Aaa@Bbb.com", buyer.Email);
        Assert.Equal(Eth, buyer.EthAddress);
        Assert.Equal("email:aaa@bbb.com", buyer.Key);
    }

    [Fact]
    public void StripeWithOnlyAnAddressIsFulfilledByTransfer()
    {
        var (buyer, _) = BuyerRules.Resolve(PaymentProvider.Stripe, new Buyer(null, Eth));
        Assert.Equal(FulfillmentMethod.Transfer, buyer!.Method);
        Assert.Equal($"eth:{Eth.ToLowerInvariant()}", buyer.Key);
    }

    [Fact]
    public void StripeWithoutAnyBuyerFieldIsRefused()
    {
        var (buyer, refusal) = BuyerRules.Resolve(PaymentProvider.Stripe, new Buyer(" ", null));
        Assert.Null(buyer);
        Assert.Equal(RefusalKind.Invalid, refusal!.Kind);
        Assert.Equal("STRIPE needs buyer.email or buyer.eth_address", refusal.Message);
    }

    [Fact]
    public void EmailClaimTakesAnEmailOnly()
    {
        Assert.Equal(FulfillmentMethod.Email, BuyerRules.Resolve(PaymentProvider.EmailClaim, new Buyer("a@b.co", null)).Identity!.Method);
        Assert.Equal("EMAIL_CLAIM takes buyer.email only", BuyerRules.Resolve(PaymentProvider.EmailClaim, new Buyer("a@b.co", Eth)).Refusal!.Message);
        Assert.Equal("EMAIL_CLAIM takes buyer.email only", BuyerRules.Resolve(PaymentProvider.EmailClaim, new Buyer(null, Eth)).Refusal!.Message);
    }

    [Theory]
    [InlineData(PaymentProvider.MintVoucher, FulfillmentMethod.Voucher, "MINT_VOUCHER takes buyer.eth_address only")]
    [InlineData(PaymentProvider.Organization, FulfillmentMethod.Transfer, "ORGANIZATION takes buyer.eth_address only")]
    public void AddressOnlyProvidersRefuseAnEmail(PaymentProvider provider, FulfillmentMethod method, string message)
    {
        Assert.Equal(method, BuyerRules.Resolve(provider, new Buyer(null, Eth)).Identity!.Method);
        Assert.Equal(message, BuyerRules.Resolve(provider, new Buyer("a@b.co", Eth)).Refusal!.Message);
        Assert.Equal(message, BuyerRules.Resolve(provider, new Buyer("a@b.co", null)).Refusal!.Message);
    }

    [Theory]
    [InlineData(null, "0x123", "buyer.eth_address must be 0x followed by 40 hex digits")]
    [InlineData("not-an-email", null, "buyer.email is not a valid email address")]
    public void MalformedBuyerFieldsAreRefused(string? email, string? eth, string message) =>
        Assert.Equal(message, BuyerRules.Resolve(PaymentProvider.Stripe, new Buyer(email, eth)).Refusal!.Message);

    [Fact]
    public void WireNamesAreUpperSnakeCaseAndParseExactly()
    {
        Assert.Equal("MINT_VOUCHER", PaymentProvider.MintVoucher.ToWire());
        Assert.True(WireEnum<PaymentProvider>.TryParse(" EMAIL_CLAIM ", out var provider));
        Assert.Equal(PaymentProvider.EmailClaim, provider);
        Assert.False(WireEnum<PaymentProvider>.TryParse("email_claim", out _));
        Assert.False(WireEnum<PaymentProvider>.TryParse("1", out _));
        Assert.False(WireEnum<PaymentProvider>.TryParse("PAYPAL", out _));
    }
}
