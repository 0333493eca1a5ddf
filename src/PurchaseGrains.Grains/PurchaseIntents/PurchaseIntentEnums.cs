using Orleans;
namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>How the buyer pays. Only <see cref="Stripe"/> takes a card; the others are confirmed when issued.</summary>
[GenerateSerializer, Alias("pi.PaymentProvider")]
public enum PaymentProvider { Stripe, EmailClaim, MintVoucher, Organization }

[GenerateSerializer, Alias("pi.IntentStatus")]
public enum IntentStatus { Pending, Confirmed, Expired, Cancelled, Unresolved }

[GenerateSerializer, Alias("pi.FulfillmentStatus")]
public enum FulfillmentStatus { Pending, Assigned, Completed, Exception }

[GenerateSerializer, Alias("pi.FulfillmentMethod")]
public enum FulfillmentMethod { Email, Transfer, Voucher }

public static class PaymentProviderExtensions
{
    public static bool TakesPayment(this PaymentProvider provider) => provider == PaymentProvider.Stripe;
}
