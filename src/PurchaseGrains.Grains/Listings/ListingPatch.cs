using System.Text.Json;
using PurchaseGrains.Grains.PurchaseIntents;
using Orleans;

namespace PurchaseGrains.Grains.Listings;

/// <summary>
/// <c>PATCH /v1/listings/{id}</c>: only the policy (not its type), start_time and end_time may change. Fields left
/// out keep their value; a policy object changes only the policy fields it names.
/// </summary>
[GenerateSerializer, Immutable, Alias("listing.ListingPatch")]
public sealed record ListingPatch(JsonElement Body)
{
    private static readonly HashSet<string> Patchable = ["policy", "start_time", "end_time"];

    public (ListingDefinition? Definition, string? Error) ApplyTo(ListingDefinition current)
    {
        if (Body.ValueKind != JsonValueKind.Object)
            return Fail("The body must be a JSON object");
        foreach (var property in Body.EnumerateObject())
            if (!Patchable.Contains(property.Name))
                return Fail("Only policy, start_time and end_time can be changed");

        var start = current.StartTime;
        var end = current.EndTime;
        if (Body.TryGetProperty("start_time", out var startValue))
        {
            if (!TryTime(startValue, out var parsed) || parsed is null)
                return Fail("start_time must be an ISO-8601 timestamp");
            start = parsed.Value;
        }
        if (Body.TryGetProperty("end_time", out var endValue))
        {
            if (!TryTime(endValue, out var parsed))
                return Fail("end_time must be an ISO-8601 timestamp or null");
            end = parsed;
        }
        if (end is { } e && e <= start)
            return Fail("end_time must be after start_time");
        if (start >= ListingValidator.ScheduleLimit)
            return Fail(ListingValidator.BeyondScheduleLimit("start_time"));
        if (end >= ListingValidator.ScheduleLimit)
            return Fail(ListingValidator.BeyondScheduleLimit("end_time"));

        var policy = current.Policy;
        if (Body.TryGetProperty("policy", out var policyValue))
        {
            var (patched, error) = PatchPolicy(current.Policy, policyValue);
            if (patched is null)
                return Fail(error!);
            policy = patched;
        }
        return (current with { StartTime = start, EndTime = end, Policy = policy }, null);
    }

    private static (ListingPolicy?, string?) PatchPolicy(ListingPolicy policy, JsonElement patch)
    {
        if (patch.ValueKind != JsonValueKind.Object)
            return (null, "policy must be an object");
        foreach (var property in patch.EnumerateObject())
        {
            switch (property.Name)
            {
                case "type":
                    if (!WireEnum<PolicyType>.TryParse(property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null, out var type)
                        || type != policy.Type)
                        return (null, "The policy type cannot be changed");
                    break;
                case "email_addresses":
                    if (property.Value.ValueKind != JsonValueKind.Array || property.Value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
                        return (null, "policy.email_addresses must be a list of strings");
                    policy = policy with { EmailAddresses = ListingValidator.Normalize(property.Value.EnumerateArray().Select(v => v.GetString())) };
                    break;
                case "max_per_user":
                    if (!TryOptionalInt(property.Value, out var maxPerUser))
                        return (null, "policy.max_per_user must be an integer or null");
                    policy = policy with { MaxPerUser = maxPerUser };
                    break;
                case "email_claim_duration":
                    if (!TryOptionalInt(property.Value, out var claimDuration))
                        return (null, "policy.email_claim_duration must be an integer or null");
                    policy = policy with { EmailClaimDuration = claimDuration };
                    break;
                case "payment_session_duration":
                    if (property.Value.ValueKind != JsonValueKind.Object
                        || !property.Value.TryGetProperty("timeout_seconds", out var timeout)
                        || !TryOptionalInt(timeout, out var seconds) || seconds is null)
                        return (null, "policy.payment_session_duration.timeout_seconds must be an integer");
                    policy = policy with { TimeoutSeconds = seconds.Value };
                    break;
                default:
                    return (null, $"Unknown policy field '{property.Name}'");
            }
        }
        return ListingValidator.Complete(policy);
    }

    private static bool TryTime(JsonElement value, out DateTimeOffset? time)
    {
        time = null;
        if (value.ValueKind == JsonValueKind.Null)
            return true;
        if (value.ValueKind != JsonValueKind.String || !value.TryGetDateTimeOffset(out var parsed))
            return false;
        time = parsed.ToUniversalTime();
        return true;
    }

    private static bool TryOptionalInt(JsonElement value, out int? number)
    {
        number = null;
        if (value.ValueKind == JsonValueKind.Null)
            return true;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var parsed))
            return false;
        number = parsed;
        return true;
    }

    private static (ListingDefinition?, string?) Fail(string error) => (null, error);
}
