namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>How the buyer pays. Only <see cref="Stripe"/> takes a card; the others are confirmed when issued.</summary>
public enum PaymentProvider { Stripe, EmailClaim, MintVoucher, Organization }

public enum IntentStatus { Pending, Confirmed, Expired, Cancelled, Unresolved }

public enum FulfillmentStatus { Pending, Assigned, Completed, Exception }

public enum FulfillmentMethod { Email, Transfer, Voucher }

public static class PaymentProviderExtensions
{
    public static bool TakesPayment(this PaymentProvider provider) => provider == PaymentProvider.Stripe;
}
