using Microsoft.Extensions.Options;

namespace PurchaseGrains.Grains.PurchaseIntents;

/// <summary>
/// How many of this silo's intents expire at once (<see cref="PurchaseIntentOptions.ExpiriesAtOnce"/>). When more fall
/// due than the silo and its database can expire, the rest wait here, first due first in, each as one small waiter.
/// Without it every due intent starts at once: each holds calls, messages and writes in flight, all of which survive
/// garbage collection after collection, and every one of them finishes late instead of the last ones only.
/// </summary>
public sealed class ExpiryGate(IOptions<PurchaseIntentOptions> options)
{
    private readonly SemaphoreSlim _slots = new(options.Value.ExpiriesAtOnce);

    /// <summary>Runs <paramref name="expire"/> once a slot is free; async waiters get their slots in the order they came.</summary>
    public async Task RunAsync(Func<Task> expire)
    {
        await _slots.WaitAsync();
        try
        {
            await expire();
        }
        finally
        {
            _slots.Release();
        }
    }
}
