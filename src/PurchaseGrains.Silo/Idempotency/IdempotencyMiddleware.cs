using System.Security.Cryptography;
using System.Text;
using Orleans;
using Orleans.Runtime;
using PurchaseGrains.Silo.Http;

namespace PurchaseGrains.Silo.Idempotency;

/// <summary>
/// Stripe-style <c>Idempotency-Key</c> on POST: the first response for (key, partner, route) is kept 24 h and
/// replayed for a retry with the same body; a different body is 422; a retry while the first still runs is 409.
/// Server errors (5xx) are not kept, so a retry runs again. How the request ended is recorded by
/// <see cref="IdempotencySettlement"/>, which never fails the request for it.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, IGrainFactory grains, ILocalSiloDetails silo,
    IdempotencySettlement settlement)
{
    public const int MaxKeyLength = 255;

    public async Task InvokeAsync(HttpContext context)
    {
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        if (!HttpMethods.IsPost(context.Request.Method) || key.Length == 0 || context.Features.Get<Caller>() is not { } caller)
        {
            await next(context);
            return;
        }
        if (key.Length > MaxKeyLength)
        {
            await ApiErrors.WriteAsync(context, StatusCodes.Status400BadRequest, $"Idempotency-Key must be at most {MaxKeyLength} characters");
            return;
        }

        var requestHash = await HashBodyAsync(context.Request);
        var grainKey = GrainKey(caller.Partner, context.Request.Path, key);
        var grain = grains.GetGrain<IIdempotencyGrain>(grainKey);
        var run = Guid.NewGuid().ToString("N");
        IdempotencyDecision decision;
        try
        {
            // Begin again with the same run is answered as the first was: this run may carry on.
            decision = await GrainHandover.RetryAsync(() => grain.Begin(requestHash, silo.SiloAddress, run), handover =>
            {
                GrainHandover.LogRetry(context, handover);
                return true;
            }, context.RequestAborted);
        }
        catch
        {
            // Begin may have run with only its answer lost (the grain's silo died): free the key it may have taken.
            await settlement.AbandonAsync(grainKey, requestHash, run);
            throw;
        }
        switch (decision.Outcome)
        {
            case IdempotencyOutcome.Replay:
                await ReplayAsync(context, decision.Response!);
                return;
            case IdempotencyOutcome.InProgress:
                await ApiErrors.WriteAsync(context, StatusCodes.Status409Conflict, "A request with this Idempotency-Key is still being processed");
                return;
            case IdempotencyOutcome.Mismatch:
                await ApiErrors.WriteAsync(context, StatusCodes.Status422UnprocessableEntity, "This Idempotency-Key was already used with a different request body");
                return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        context.Features.Set(new IdempotentRun(run));
        try
        {
            await next(context);
        }
        catch
        {
            context.Response.Body = original;
            await settlement.AbandonAsync(grainKey, requestHash, run);
            throw;
        }
        context.Response.Body = original;
        var body = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        if (context.Response.StatusCode < 500)
            await settlement.CompleteAsync(grainKey, requestHash, run, new StoredResponse(context.Response.StatusCode, context.Response.ContentType, body));
        else
            await settlement.AbandonAsync(grainKey, requestHash, run);
        buffer.Position = 0;
        await buffer.CopyToAsync(original, context.RequestAborted);
    }

    private static async Task<string> HashBodyAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            sha.AppendData(chunk, 0, read);
        request.Body.Position = 0;
        return Convert.ToHexString(sha.GetHashAndReset());
    }

    internal static string GrainKey(string partner, string path, string key) =>
        $"{partner}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{path}\n{key}")))[..40]}";

    private static Task ReplayAsync(HttpContext context, StoredResponse response)
    {
        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = response.ContentType;
        context.Response.Headers["Idempotent-Replayed"] = "true";
        return context.Response.WriteAsync(response.Body, context.RequestAborted);
    }
}
