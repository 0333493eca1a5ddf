using PurchaseGrains.Runtime;

namespace PurchaseGrains.Silo.Idempotency;

public enum IdempotencyOutcome { Execute, Replay, InProgress, Mismatch }

public sealed record IdempotencyDecision(IdempotencyOutcome Outcome, StoredResponse? Response = null);

public sealed record StoredResponse(int StatusCode, string? ContentType, string Body);

/// <summary>One <c>Idempotency-Key</c> of one partner on one route: who ran first, and what they got.</summary>
public interface IIdempotencyGrain : IGrainWithStringKey, IRemindable
{
    Task<IdempotencyDecision> Begin(string requestHash);
    Task Complete(string requestHash, StoredResponse response);
    Task Abandon(string requestHash);
}

public sealed class IdempotencyRecord
{
    public string RequestHash { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public StoredResponse? Response { get; set; }
}

public sealed class IdempotencyGrain(
    [PersistentState("idempotency")] IPersistentState<IdempotencyRecord> record) : Grain, IIdempotencyGrain
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>A first request that crashed mid-way stops blocking retries after this long.</summary>
    public static readonly TimeSpan RunningLease = TimeSpan.FromMinutes(2);

    private const string ExpiryReminder = "expire";

    public async Task<IdempotencyDecision> Begin(string requestHash)
    {
        var now = TimeProvider.GetUtcNow();
        if (record.RecordExists && !IsLapsed(record.State, now))
        {
            if (record.State.RequestHash != requestHash)
                return new(IdempotencyOutcome.Mismatch);
            return record.State.Response is { } response
                ? new(IdempotencyOutcome.Replay, response)
                : new(IdempotencyOutcome.InProgress);
        }

        record.State = new IdempotencyRecord { RequestHash = requestHash, StartedAt = now };
        await record.WriteStateAsync();
        await RegisterOrUpdateReminder(ExpiryReminder, Retention, TimeSpan.Zero);
        return new(IdempotencyOutcome.Execute);
    }

    public async Task Complete(string requestHash, StoredResponse response)
    {
        if (!record.RecordExists || record.State.RequestHash != requestHash || record.State.Response is not null)
            return;
        record.State.Response = response;
        await record.WriteStateAsync();
    }

    public async Task Abandon(string requestHash)
    {
        if (record.RecordExists && record.State.RequestHash == requestHash && record.State.Response is null)
            await record.ClearStateAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Another node may have re-begun this key; decide on the row, not on this node's cache.
        await record.ReadStateAsync();
        if (!record.RecordExists)
            return;
        var expiresAt = record.State.StartedAt + Retention;
        var now = TimeProvider.GetUtcNow();
        if (expiresAt <= now)
            await record.ClearStateAsync();
        else
            await RegisterOrUpdateReminder(ExpiryReminder, expiresAt - now, TimeSpan.Zero);
    }

    private static bool IsLapsed(IdempotencyRecord state, DateTimeOffset now) =>
        state.Response is null ? now - state.StartedAt > RunningLease : now - state.StartedAt > Retention;
}
