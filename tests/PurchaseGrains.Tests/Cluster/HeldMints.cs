using System.Collections.Concurrent;
using PurchaseGrains.Grains.VendingMachine.Fulfillment;

namespace PurchaseGrains.Tests.Cluster;

/// <summary>
/// A mint service shared by every silo of a test cluster: it accepts each operation (idempotent by operation id, as
/// the real one is), keeps it pending until the test completes it, and records every submission it received.
/// </summary>
public sealed class HeldMints : IFulfillmentProvider
{
    private readonly ConcurrentDictionary<string, MintState> _operations = new();
    private readonly ConcurrentQueue<MintOperation> _submissions = new();
    private volatile bool _completeAll;

    /// <summary>Every submission, retries included.</summary>
    public IReadOnlyCollection<MintOperation> Submissions => _submissions;

    public int Polls;

    public Task<MintSubmission> SubmitAsync(MintOperation operation, CancellationToken cancellationToken)
    {
        _submissions.Enqueue(operation);
        _operations.TryAdd(operation.OperationId, MintState.Pending);
        return Task.FromResult(new MintSubmission(operation.OperationId, null));
    }

    public Task<MintStatus> GetStatusAsync(string mintId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Polls);
        var state = _completeAll ? MintState.Completed : _operations.GetValueOrDefault(mintId, MintState.Pending);
        return Task.FromResult(new MintStatus(state, state == MintState.Completed ? $"tx-{mintId}" : null,
            state == MintState.Completed ? new Dictionary<string, string> { ["minted"] = $"addr-{mintId}" } : null));
    }

    public void Complete(string operationId) => _operations[operationId] = MintState.Completed;

    public void CompleteAll() => _completeAll = true;
}
