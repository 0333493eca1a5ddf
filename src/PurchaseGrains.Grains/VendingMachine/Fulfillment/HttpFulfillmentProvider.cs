using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using PurchaseGrains.Grains.Hosting;

namespace PurchaseGrains.Grains.VendingMachine.Fulfillment;

/// <summary>
/// An external mint service at <c>Fulfillment:BaseUrl</c>: <c>POST /mints</c> with <c>Idempotency-Key: operation_id</c>
/// answers <c>202 {mint_id}</c> (the same for a repeated operation); <c>GET /mints/{id}</c> answers its status.
/// Anything but a clear answer (down, timeout, non-2xx) is <see cref="FulfillmentUnavailableException"/>: retried, never a failure.
/// </summary>
public sealed class HttpFulfillmentProvider(IHttpClientFactory clients, IOptions<FulfillmentOptions> options) : IFulfillmentProvider
{
    public const string ClientName = "fulfillment";

    public async Task<MintSubmission> SubmitAsync(MintOperation operation, CancellationToken cancellationToken)
    {
        var body = new MintRequest(operation.OperationId, operation.Partner, operation.UserId,
            operation.Items.Select(i => new MintRequestItem(i.Id, i.Type)).ToList());
        using var request = new HttpRequestMessage(HttpMethod.Post, Url("mints")) { Content = JsonContent.Create(body, options: OutboundJson.Options) };
        request.Headers.Add("Idempotency-Key", operation.OperationId);
        var answer = await SendAsync<MintAccepted>(request, cancellationToken);
        if (string.IsNullOrEmpty(answer.MintId))
            throw new FulfillmentUnavailableException("The mint service answered without a mint_id.");
        return new MintSubmission(answer.MintId, null);
    }

    public async Task<MintStatus> GetStatusAsync(string mintId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url($"mints/{Uri.EscapeDataString(mintId)}"));
        var answer = await SendAsync<MintStatusAnswer>(request, cancellationToken);
        var state = answer.Status switch
        {
            "completed" => MintState.Completed,
            "failed" => MintState.Failed,
            "pending" => MintState.Pending,
            _ => throw new FulfillmentUnavailableException($"The mint service answered an unknown status '{answer.Status}'."),
        };
        if (state == MintState.Completed && string.IsNullOrEmpty(answer.TxHash))
            throw new FulfillmentUnavailableException("The mint service completed a mint without a tx_hash.");
        return new MintStatus(state, answer.TxHash, answer.MintAddresses);
    }

    private Uri Url(string relative) => OutboundJson.Url(options.Value.BaseUrl, "Fulfillment:BaseUrl", relative);

    private async Task<T> SendAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var client = clients.CreateClient(ClientName);
        return await OutboundJson.SendAsync<T>(client, request, options.Value.RequestTimeout, "mint service",
            (message, inner) => new FulfillmentUnavailableException(message, inner), cancellationToken);
    }

    private sealed record MintRequestItem(string Id, string Type);

    private sealed record MintRequest(string OperationId, string Partner, string UserId, IReadOnlyList<MintRequestItem> Items);

    private sealed record MintAccepted(string? MintId);

    private sealed record MintStatusAnswer(
        string? Status,
        string? TxHash,
        [property: JsonPropertyName("mint_addresses")] Dictionary<string, string>? MintAddresses);
}
