using System.Security.Cryptography;
using System.Text;

namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>What to deliver for a confirmed intent; <see cref="IntentId"/> is the operation id (idempotency key).</summary>
public sealed record FulfillmentOrder(string IntentId, string Partner, FulfillmentMethod Method, int Quantity,
    string? Email, string? EthAddress, string? ItemId, string? CollectionId);

/// <summary>EMAIL: the email claims made; TRANSFER: the transactions sent; VOUCHER: nothing more (issued at creation).</summary>
public sealed record FulfillmentAssignment(IReadOnlyList<string>? ItemClaimIds, IReadOnlyList<string>? TransactionIds);

/// <summary>Delivers confirmed intents. Both calls must be idempotent per <see cref="FulfillmentOrder.IntentId"/>.</summary>
public interface IPurchaseFulfillment
{
    Task<FulfillmentAssignment> AssignAsync(FulfillmentOrder order, CancellationToken cancellationToken);

    Task DeliverAsync(FulfillmentOrder order, CancellationToken cancellationToken);
}

/// <summary>The built-in fulfilment: ids derived from the intent id, so a repeated step assigns the same ones.</summary>
public sealed class SandboxPurchaseFulfillment : IPurchaseFulfillment
{
    public Task<FulfillmentAssignment> AssignAsync(FulfillmentOrder order, CancellationToken cancellationToken) =>
        Task.FromResult(order.Method switch
        {
            FulfillmentMethod.Email => new FulfillmentAssignment(
                Enumerable.Range(0, order.Quantity).Select(i => new Guid(Hash($"claim\n{order.IntentId}\n{i}")[..16]).ToString()).ToList(), null),
            FulfillmentMethod.Transfer => new FulfillmentAssignment(null, ["0x" + Convert.ToHexStringLower(Hash($"transfer\n{order.IntentId}"))]),
            _ => new FulfillmentAssignment(null, null),
        });

    public Task DeliverAsync(FulfillmentOrder order, CancellationToken cancellationToken) => Task.CompletedTask;

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
