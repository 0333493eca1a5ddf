using System.Text.RegularExpressions;
using Orleans;

namespace PurchaseGrains.Grains.PurchaseIntents;

public sealed record Buyer(string? Email, string? EthAddress);

/// <summary>Who the intent is for and how it will be delivered, once the buyer passed <see cref="BuyerRules"/>.</summary>
/// <param name="Key">Identity used for per-user limits: <c>email:…</c> or <c>eth:…</c>, lower case.</param>
[GenerateSerializer, Immutable, Alias("pi.BuyerIdentity")]
public sealed record BuyerIdentity(string? Email, string? EthAddress, FulfillmentMethod Method, string Key);

/// <summary>
/// Which buyer fields each provider takes: STRIPE an email or an address (email wins), EMAIL_CLAIM an email only,
/// MINT_VOUCHER and ORGANIZATION an address only.
/// </summary>
public static partial class BuyerRules
{
    public static (BuyerIdentity? Identity, PurchaseRefusal? Refusal) Resolve(PaymentProvider provider, Buyer? buyer)
    {
        var email = Blank(buyer?.Email);
        var eth = Blank(buyer?.EthAddress);
        if (email is not null && !IsEmail(email))
            return Refuse("buyer.email is not a valid email address");
        if (eth is not null && !IsEthAddress(eth))
            return Refuse($"buyer.eth_address {EthAddressRule}");

        switch (provider)
        {
            case PaymentProvider.Stripe when email is null && eth is null:
                return Refuse("STRIPE needs buyer.email or buyer.eth_address");
            case PaymentProvider.Stripe:
                return Accept(email, eth, email is not null ? FulfillmentMethod.Email : FulfillmentMethod.Transfer);
            case PaymentProvider.EmailClaim when email is null || eth is not null:
                return Refuse("EMAIL_CLAIM takes buyer.email only");
            case PaymentProvider.EmailClaim:
                return Accept(email, null, FulfillmentMethod.Email);
            case PaymentProvider.MintVoucher or PaymentProvider.Organization when eth is null || email is not null:
                return Refuse($"{provider.ToWire()} takes buyer.eth_address only");
            case PaymentProvider.MintVoucher:
                return Accept(null, eth, FulfillmentMethod.Voucher);
            default:
                return Accept(null, eth, FulfillmentMethod.Transfer);
        }
    }

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    public static string NormalizeEthAddress(string address) => address.Trim().ToLowerInvariant();

    public const string EthAddressRule = "must be 0x followed by 40 hex digits";

    public static bool IsEthAddress(string value) => EthAddressPattern().IsMatch(value.Trim());

    private static (BuyerIdentity?, PurchaseRefusal?) Accept(string? email, string? eth, FulfillmentMethod method)
    {
        var key = email is not null && method != FulfillmentMethod.Transfer
            ? $"email:{NormalizeEmail(email)}"
            : $"eth:{NormalizeEthAddress(eth!)}";
        return (new BuyerIdentity(email, eth, method, key), null);
    }

    private static (BuyerIdentity?, PurchaseRefusal?) Refuse(string message) => (null, PurchaseRefusal.Invalid(message));

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static bool IsEmail(string value)
    {
        var at = value.IndexOf('@');
        return value.Length <= 254 && at > 0 && at == value.LastIndexOf('@') && at < value.Length - 1 && !value.Any(char.IsWhiteSpace);
    }

    [GeneratedRegex("^0x[0-9a-fA-F]{40}$")]
    private static partial Regex EthAddressPattern();
}
