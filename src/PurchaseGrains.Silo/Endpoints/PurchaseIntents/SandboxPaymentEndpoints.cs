using Microsoft.AspNetCore.Http.HttpResults;
using PurchaseGrains.Grains.Payments;
using Orleans;
using PurchaseGrains.Silo.Http;
using PurchaseGrains.Silo.Http.OpenApi;

namespace PurchaseGrains.Silo.Endpoints.PurchaseIntents;

/// <summary>A sandbox PaymentIntent as Stripe shows one.</summary>
public sealed record SandboxPaymentIntentView(
    string Id,
    string Object,
    long Amount,
    string Currency,
    string Status,
    string ClientSecret,
    bool Livemode,
    int FailedAttempts,
    IReadOnlyDictionary<string, string> Metadata)
{
    public static SandboxPaymentIntentView From(PaymentIntentSnapshot p) =>
        new(p.Id, "payment_intent", p.Amount, p.Currency, SandboxPaymentIntentGrain.StatusName(p.Status), p.ClientSecret, false,
            p.FailedAttempts, p.Metadata);
}

/// <summary>
/// Admin hooks that change a sandbox PaymentIntent provider-side, WITHOUT sending a webhook: only the intent's
/// polling reminder discovers the change.
/// </summary>
public static class SandboxPaymentEndpoints
{
    public static RouteGroupBuilder MapSandboxPaymentEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sandbox/v1/payment-intents").WithTags(Tags.SandboxPayments).RequireAdminKey()
            .ProducesErrors(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        group.MapPost("/{id}/succeed", (string id, Caller caller, IGrainFactory grains) =>
                Change(string.IsNullOrWhiteSpace(id) ? NotFound : grains.GetGrain<ISandboxPaymentIntentGrain>(id).Succeed(caller.Partner)))
            .WithName("SucceedSandboxPaymentIntent").WithSummary("Make a sandbox PaymentIntent succeed, without a webhook");
        group.MapPost("/{id}/fail", (string id, Caller caller, IGrainFactory grains) =>
                Change(string.IsNullOrWhiteSpace(id) ? NotFound : grains.GetGrain<ISandboxPaymentIntentGrain>(id).Fail(caller.Partner)))
            .WithName("FailSandboxPaymentIntent").WithSummary("Make a sandbox PaymentIntent fail, without a webhook");
        return group;
    }

    private static Task<SandboxChangeResult> NotFound => Task.FromResult(new SandboxChangeResult(SandboxChange.NotFound, null));

    private static async Task<Results<Ok<SandboxPaymentIntentView>, JsonHttpResult<ApiError>>> Change(Task<SandboxChangeResult> change) =>
        await change switch
        {
            { Change: SandboxChange.Applied, PaymentIntent: { } paymentIntent } => TypedResults.Ok(SandboxPaymentIntentView.From(paymentIntent)),
            { Change: SandboxChange.Refused, Error: var error } => ApiErrors.Status(StatusCodes.Status409Conflict, error ?? "Refused"),
            _ => ApiErrors.Status(StatusCodes.Status404NotFound, "Payment intent not found"),
        };
}
