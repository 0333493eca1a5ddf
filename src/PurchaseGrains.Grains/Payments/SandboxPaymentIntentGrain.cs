using System.Security.Cryptography;
using System.Text;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime;
using PurchaseGrains.Grains.Hosting;
using Orleans;

namespace PurchaseGrains.Grains.Payments;

[GenerateSerializer, Alias("pay.SandboxChange")]
public enum SandboxChange { Applied, NotFound, Refused }

[GenerateSerializer, Immutable, Alias("pay.SandboxChangeResult")]
public sealed record SandboxChangeResult(SandboxChange Change, PaymentIntentSnapshot? PaymentIntent, string? Error = null);

/// <summary>A sandbox PaymentIntent (key: <c>pi_…</c>), changed only by admin routes, never announced by webhook.</summary>
[Alias("pay.ISandboxPaymentIntentGrain")]
public interface ISandboxPaymentIntentGrain : IGrainWithStringKey
{
    Task<PaymentIntentSnapshot> Create(CreatePaymentIntent request);

    [ReadOnly]
    Task<PaymentIntentSnapshot?> Get();

    Task<SandboxChangeResult> Succeed(string partner);
    Task<SandboxChangeResult> Fail(string partner);
    Task<PaymentIntentSnapshot?> Cancel();
}

public sealed class SandboxPaymentIntentState
{
    public string Partner { get; set; } = "";
    public string ClientSecret { get; set; } = "";
    public long Amount { get; set; }
    public string Currency { get; set; } = "";
    public PaymentIntentStatus Status { get; set; }
    public int FailedAttempts { get; set; }
    public Dictionary<string, string> Metadata { get; set; } = [];
}

/// <summary>A sandbox PaymentIntent, activated beside the purchase intent that creates it.</summary>
[GrainType(TypeName), PreferLocalPlacement]
public sealed class SandboxPaymentIntentGrain(
    [PersistentState("payment_intent", GrainStores.Main)] IPersistentState<SandboxPaymentIntentState> state) : Grain, ISandboxPaymentIntentGrain
{
    public const string TypeName = "sandbox_payment_intent";

    private string PrimaryKey => this.GetPrimaryKeyString();

    public const string Mode = "TEST";

    /// <summary>The PaymentIntent id for a purchase intent: derived, so a re-run creation finds the same one.</summary>
    public static string IdFor(string partner, string idempotencyKey) =>
        "pi_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{partner}\n{idempotencyKey}")))[..24];

    public async Task<PaymentIntentSnapshot> Create(CreatePaymentIntent request)
    {
        if (!state.RecordExists)
        {
            state.State = new SandboxPaymentIntentState
            {
                Partner = request.Partner,
                ClientSecret = $"{PrimaryKey}_secret_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))}",
                Amount = request.Amount,
                Currency = request.Currency.ToLowerInvariant(),
                Status = PaymentIntentStatus.RequiresPaymentMethod,
                Metadata = new Dictionary<string, string>(request.Metadata),
            };
            await state.WriteOrDeactivateAsync(this);
        }
        return Snapshot();
    }

    public Task<PaymentIntentSnapshot?> Get() => Task.FromResult(state.RecordExists ? Snapshot() : null);

    public async Task<SandboxChangeResult> Succeed(string partner)
    {
        if (!state.RecordExists || state.State.Partner != partner)
            return new(SandboxChange.NotFound, null);
        switch (state.State.Status)
        {
            case PaymentIntentStatus.Canceled:
                return new(SandboxChange.Refused, Snapshot(), "This PaymentIntent was canceled");
            case PaymentIntentStatus.RequiresPaymentMethod:
                state.State.Status = PaymentIntentStatus.Succeeded;
                await state.WriteOrDeactivateAsync(this);
                break;
        }
        return new(SandboxChange.Applied, Snapshot());
    }

    public async Task<SandboxChangeResult> Fail(string partner)
    {
        if (!state.RecordExists || state.State.Partner != partner)
            return new(SandboxChange.NotFound, null);
        if (state.State.Status != PaymentIntentStatus.RequiresPaymentMethod)
            return new(SandboxChange.Refused, Snapshot(), $"This PaymentIntent is already {StatusName(state.State.Status)}");
        state.State.FailedAttempts++;
        await state.WriteOrDeactivateAsync(this);
        return new(SandboxChange.Applied, Snapshot());
    }

    public async Task<PaymentIntentSnapshot?> Cancel()
    {
        if (!state.RecordExists)
            return null;
        if (state.State.Status == PaymentIntentStatus.RequiresPaymentMethod)
        {
            state.State.Status = PaymentIntentStatus.Canceled;
            await state.WriteOrDeactivateAsync(this);
        }
        return Snapshot();
    }

    public static string StatusName(PaymentIntentStatus status) => status switch
    {
        PaymentIntentStatus.Succeeded => "succeeded",
        PaymentIntentStatus.Canceled => "canceled",
        _ => "requires_payment_method",
    };

    private PaymentIntentSnapshot Snapshot()
    {
        var s = state.State;
        return new PaymentIntentSnapshot(PrimaryKey, s.ClientSecret, s.Amount, s.Currency, s.Status, s.FailedAttempts, Mode, s.Metadata);
    }
}
