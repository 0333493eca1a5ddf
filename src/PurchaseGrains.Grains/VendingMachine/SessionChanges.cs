namespace PurchaseGrains.Grains.VendingMachine;

/// <summary>
/// What long polls on one activation wait for: <see cref="Next"/> completes at the next <see cref="Signal"/>, and a new
/// one begins. Used only from the grain's own scheduler, so it needs no locking.
/// </summary>
internal sealed class SessionChanges
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => _next.Task;

    public void Signal()
    {
        var current = _next;
        _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        current.SetResult();
    }
}
