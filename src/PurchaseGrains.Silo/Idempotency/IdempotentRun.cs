namespace PurchaseGrains.Silo.Idempotency;

/// <summary>
/// Set by <see cref="IdempotencyMiddleware"/> while a request runs under its Idempotency-Key: the key's record is this
/// run's until it completes or abandons it, so no other request with the key runs meanwhile.
/// </summary>
public sealed class IdempotentRun(string run)
{
    public string Run { get; } = run;
}
