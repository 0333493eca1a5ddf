using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;

namespace PurchaseGrains.Silo.Idempotency;

[GenerateSerializer, Alias("idem.IdempotencyOutcome")]
public enum IdempotencyOutcome { Execute, Replay, InProgress, Mismatch }

[GenerateSerializer, Immutable, Alias("idem.IdempotencyDecision")]
public sealed record IdempotencyDecision(IdempotencyOutcome Outcome, StoredResponse? Response = null);

[GenerateSerializer, Immutable, Alias("idem.StoredResponse")]
public sealed record StoredResponse(int StatusCode, string? ContentType, string Body);

/// <summary>One <c>Idempotency-Key</c> of one partner on one route: who ran first, and what they got.</summary>
[Alias("idem.IIdempotencyGrain")]
public interface IIdempotencyGrain : IGrainWithStringKey
{
    /// <param name="runner">The silo whose gateway runs the request: if the cluster declares it dead, the key is free again.</param>
    /// <param name="run">This run of the request: only it may complete or abandon the record it begins. Begin again
    /// with the run of the running record (its first answer was lost) is answered Execute again.</param>
    Task<IdempotencyDecision> Begin(string requestHash, SiloAddress runner, string run);
    Task Complete(string requestHash, string run, StoredResponse response);
    Task Abandon(string requestHash, string run);
}

public sealed class IdempotencyRecord
{
    public string RequestHash { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public StoredResponse? Response { get; set; }

    /// <summary>The silo running the first request (<see cref="SiloAddress.ToParsableString"/>); null in older records.</summary>
    public string? Runner { get; set; }

    /// <summary>Which run began the record; null in older records.</summary>
    public string? Run { get; set; }
}

[GrainType("idempotency")]
public sealed class IdempotencyGrain(
    [PersistentState("idempotency", GrainStores.Main)] IPersistentState<IdempotencyRecord> record,
    TimeProvider time,
    IClusterMembershipService membership) : Grain, IIdempotencyGrain, IRemindable
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>
    /// A first request that crashed mid-way stops blocking retries after this long, or as soon as the cluster declares
    /// the silo that ran it dead (killed or frozen: it will never complete it).
    /// </summary>
    public static readonly TimeSpan RunningLease = TimeSpan.FromMinutes(2);

    private const string ExpiryReminder = "expire";

    /// <summary>
    /// The run whose record this activation was told to abandon but could not clear (storage down). The key is free
    /// for a retry: it begins its own record, so while storage is still down it meets that write's 503, not a 409
    /// "still being processed" for a run that is over. The settlement retries the clear meanwhile.
    /// </summary>
    private string? _abandonedRun;

    public async Task<IdempotencyDecision> Begin(string requestHash, SiloAddress runner, string run)
    {
        var now = time.GetUtcNow();
        if (IsRunning(requestHash, run) && record.State.Run == run)
            return new(IdempotencyOutcome.Execute);
        if (record.RecordExists && !IsLapsed(record.State, now) && !RanOnADeadSilo(record.State) && !WasAbandoned(record.State))
        {
            if (record.State.RequestHash != requestHash)
                return new(IdempotencyOutcome.Mismatch);
            return record.State.Response is { } response
                ? new(IdempotencyOutcome.Replay, response)
                : new(IdempotencyOutcome.InProgress);
        }

        record.State = new IdempotencyRecord { RequestHash = requestHash, StartedAt = now, Runner = runner.ToParsableString(), Run = run };
        await record.WriteOrDeactivateAsync(this);
        await this.RegisterOrUpdateReminder(ExpiryReminder, Retention, Retention);
        return new(IdempotencyOutcome.Execute);
    }

    public async Task Complete(string requestHash, string run, StoredResponse response)
    {
        if (!IsRunning(requestHash, run))
            return;
        record.State.Response = response;
        await record.WriteOrDeactivateAsync(this);
    }

    public async Task Abandon(string requestHash, string run)
    {
        if (!IsRunning(requestHash, run))
            return;
        try
        {
            await record.ClearStateAsync();
        }
        catch
        {
            _abandonedRun = run;
            throw;
        }
    }

    private bool WasAbandoned(IdempotencyRecord state) => state.Response is null && state.Run is { } run && run == _abandonedRun;

    /// <summary>The record is this run's and still waits for its answer (a late call of an earlier run changes nothing).</summary>
    private bool IsRunning(string requestHash, string run) =>
        record.RecordExists && record.State.RequestHash == requestHash && record.State.Response is null
        && (record.State.Run is null || record.State.Run == run);

    /// <summary>Forgets the key once its retention has passed; a key begun again meanwhile is kept to its next tick.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (record.RecordExists && record.State.StartedAt + Retention > time.GetUtcNow())
            return;
        if (record.RecordExists)
            await record.ClearStateAsync();
        if (await this.GetReminder(reminderName) is { } reminder)
            await this.UnregisterReminder(reminder);
    }

    private bool RanOnADeadSilo(IdempotencyRecord state) =>
        state is { Response: null, Runner: { } runner }
        && membership.CurrentSnapshot.GetSiloStatus(SiloAddress.FromParsableString(runner)) == SiloStatus.Dead;

    private static bool IsLapsed(IdempotencyRecord state, DateTimeOffset now) =>
        state.Response is null ? now - state.StartedAt > RunningLease : now - state.StartedAt > Retention;
}
