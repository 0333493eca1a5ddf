namespace PurchaseGrains.Grains.VendingMachine.Fulfillment;

public sealed record MintItem(string Id, string Type);

/// <summary>One mint request; <see cref="OperationId"/> is its idempotency key, the same on every retry.</summary>
public sealed record MintOperation(string OperationId, string Partner, string UserId, IReadOnlyList<MintItem> Items);

public enum MintState { Pending, Completed, Failed }

public sealed record MintStatus(MintState State, string? TxHash, IReadOnlyDictionary<string, string>? MintAddresses);

/// <summary>The provider's answer to a submission: its mint id, and the result when it completed at once.</summary>
public sealed record MintSubmission(string MintId, MintStatus? Status);

/// <summary>The mint service could not be asked (down, timed out, 5xx): try again on the next tick.</summary>
public sealed class FulfillmentUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Mints/transfers a session's cards to the buyer (configured by <c>Fulfillment:Provider</c>).</summary>
public interface IFulfillmentProvider
{
    Task<MintSubmission> SubmitAsync(MintOperation operation, CancellationToken cancellationToken);

    Task<MintStatus> GetStatusAsync(string mintId, CancellationToken cancellationToken);
}

/// <summary>The default: completes synchronously with a synthetic <c>sandbox_&lt;base64url&gt;</c> tx hash.</summary>
public sealed class SandboxFulfillmentProvider : IFulfillmentProvider
{
    public Task<MintSubmission> SubmitAsync(MintOperation operation, CancellationToken cancellationToken) =>
        Task.FromResult(new MintSubmission(operation.OperationId, new MintStatus(MintState.Completed, SandboxTxHash.Next(), null)));

    public Task<MintStatus> GetStatusAsync(string mintId, CancellationToken cancellationToken) =>
        Task.FromResult(new MintStatus(MintState.Completed, SandboxTxHash.Next(), null));
}
