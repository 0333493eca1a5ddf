using Orleans;
using Orleans.Runtime;

namespace PurchaseGrains.Tests.Infrastructure;

/// <summary>
/// A grain call filter that lets the first call of <paramref name="method"/> run, then loses its answer the way a silo
/// leaving the cluster does (<see cref="SiloUnavailableException"/>). <paramref name="beforeLosing"/> runs in between,
/// given the call, to leave behind what such a silo would have (a row it had no time to write, say). Later calls pass.
/// </summary>
public sealed class FirstAnswerLost(string method, Func<IOutgoingGrainCallContext, Task>? beforeLosing = null) : IOutgoingGrainCallFilter
{
    private int _lost;

    public bool Lost => Volatile.Read(ref _lost) == 1;

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        await context.Invoke();
        if (context.InterfaceMethod?.Name != method || Interlocked.CompareExchange(ref _lost, 1, 0) != 0)
            return;
        if (beforeLosing is not null)
            await beforeLosing(context);
        throw new SiloUnavailableException($"the answer to {method} was lost with a silo leaving the cluster");
    }
}
