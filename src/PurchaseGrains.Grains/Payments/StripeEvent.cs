using System.Text.Json;
using Orleans;

namespace PurchaseGrains.Grains.Payments;

[GenerateSerializer, Alias("pay.PaymentEventKind")]
public enum PaymentEventKind { Succeeded, Failed }

/// <summary>A verified <c>payment_intent.succeeded</c> / <c>payment_intent.payment_failed</c> event.</summary>
[GenerateSerializer, Immutable, Alias("pay.PaymentEvent")]
public sealed record PaymentEvent(string EventId, PaymentEventKind Kind, string PaymentIntentId, string? PurchaseIntentId);

public static class StripeEvent
{
    public const string PurchaseIntentMetadataKey = "purchase_intent_id";

    /// <summary>Reads the fields we act on; anything else about the event is ignored.</summary>
    public static (PaymentEvent? Event, string? Error) Parse(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return (null, "Invalid JSON body");
        }
        using (document)
        {
            var root = document.RootElement;
            // Text with a NUL or a lone surrogate can be neither looked up nor stored.
            if (root.ValueKind != JsonValueKind.Object || !WireText.IsValid(root))
                return (null, "Invalid JSON body");
            var id = Text(root, "id");
            var type = Text(root, "type");
            if (id is null || type is null)
                return (null, "An event needs an id and a type");
            PaymentEventKind kind;
            switch (type)
            {
                case "payment_intent.succeeded": kind = PaymentEventKind.Succeeded; break;
                case "payment_intent.payment_failed": kind = PaymentEventKind.Failed; break;
                default: return (null, $"Unsupported event type '{type}'");
            }
            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
                || !data.TryGetProperty("object", out var paymentIntent) || paymentIntent.ValueKind != JsonValueKind.Object
                || Text(paymentIntent, "id") is not { } paymentIntentId)
                return (null, "The event has no data.object.id");
            var purchaseIntentId = paymentIntent.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                ? Text(metadata, PurchaseIntentMetadataKey)
                : null;
            return (new PaymentEvent(id, kind, paymentIntentId, purchaseIntentId), null);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;
}
