using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orleans;

namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>What a MINT_VOUCHER buyer redeems on chain: the terms and the platform's signature over them.</summary>
[GenerateSerializer, Immutable, Alias("pi.VoucherData")]
public sealed record VoucherData(VoucherTerms Voucher, string Signature);

[GenerateSerializer, Immutable, Alias("pi.VoucherTerms")]
public sealed record VoucherTerms(
    string NetRecipient,
    int Quantity,
    string Nonce,
    long Expiry,
    string Price,
    string Currency,
    string? ItemId,
    string? CollectionId);

/// <summary>Issues sandbox vouchers: deterministic per intent, signed with HMAC-SHA256 (no chain key in the sandbox).</summary>
public static class Vouchers
{
    private static readonly byte[] SandboxSigningKey = Encoding.UTF8.GetBytes("purchase-grains-sandbox-voucher-key");

    public static VoucherData Issue(string intentId, PurchaseIntentState intent)
    {
        var terms = new VoucherTerms(
            intent.EthAddress!,
            intent.Quantity,
            "0x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"voucher\n{intentId}"))),
            intent.Expiration.ToUnixTimeSeconds(),
            intent.Price.ToString(CultureInfo.InvariantCulture),
            intent.Currency,
            intent.ItemId,
            intent.CollectionId);
        var signature = HMACSHA256.HashData(SandboxSigningKey, Encoding.UTF8.GetBytes(WireJson.Serialize(terms)));
        return new VoucherData(terms, "0x" + Convert.ToHexStringLower(signature));
    }
}
