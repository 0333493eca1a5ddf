using System.Globalization;
using PurchaseGrains.Grains.PurchaseIntents;

namespace PurchaseGrains.Grains.Listings;

/// <summary>The body of <c>POST /v1/listings</c> as sent (enums still strings, everything optional).</summary>
public sealed record ListingDraft(
    string? ItemId,
    string? CollectionId,
    long? QuantityListed,
    string? Price,
    string? Currency,
    List<string>? PaymentProviders,
    int? MaxQuantityPerTx,
    PolicyDraft? Policy,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime);

public sealed record PolicyDraft(
    string? Type,
    List<string>? EmailAddresses,
    int? MaxPerUser,
    SessionDurationDraft? PaymentSessionDuration,
    int? EmailClaimDuration);

public sealed record SessionDurationDraft(int? TimeoutSeconds);

/// <summary>Turns a draft into a <see cref="ListingDefinition"/>, or the first reason it is not one.</summary>
public static class ListingValidator
{
    public const int MaxTimeoutSeconds = 24 * 60 * 60;
    public const int MaxIdLength = 200;

    /// <summary>A listing's times come before this: far enough for any sale (2099 reads as "no end"), short of 9999.</summary>
    public static readonly DateTimeOffset ScheduleLimit = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string BeyondScheduleLimit(string field) => $"{field} must be before 2100-01-01T00:00:00Z";

    public static (ListingDefinition? Definition, string? Error) Validate(ListingDraft draft, DateTimeOffset now)
    {
        var itemId = Blank(draft.ItemId);
        var collectionId = Blank(draft.CollectionId);
        if ((itemId is null) == (collectionId is null))
            return Fail("Exactly one of item_id or collection_id is required");
        if ((itemId ?? collectionId)!.Length > MaxIdLength)
            return Fail($"{(itemId is not null ? "item_id" : "collection_id")} must be at most {MaxIdLength} characters");
        if (draft.QuantityListed is not { } quantity || quantity < 1)
            return Fail("quantity_listed must be at least 1");
        if (!TryParsePrice(draft.Price, out var price))
            return Fail("price must be a string of minor units, e.g. \"2500\"");
        if (!WireEnum<ListingCurrency>.TryParse(draft.Currency, out var currency))
            return Fail("currency must be one of USD, EUR, ETH");
        if (draft.PaymentProviders is not { Count: > 0 } providerNames)
            return Fail("payment_providers must name at least one provider");
        var providers = new List<PaymentProvider>();
        foreach (var name in providerNames)
        {
            if (!WireEnum<PaymentProvider>.TryParse(name, out var provider))
                return Fail($"Unknown payment provider '{name}'; accepted values: {string.Join(", ", WireEnum<PaymentProvider>.AllNames)}");
            if (!providers.Contains(provider))
                providers.Add(provider);
        }
        if (price == 0 && providers.Contains(PaymentProvider.Stripe))
            return Fail("price must be at least 1 for STRIPE: a card payment of 0 cannot be taken");
        var maxPerTx = draft.MaxQuantityPerTx ?? 1;
        if (maxPerTx < 1)
            return Fail("max_quantity_per_tx must be at least 1");
        var (policy, policyError) = ValidatePolicy(draft.Policy);
        if (policy is null)
            return Fail(policyError!);
        var start = draft.StartTime ?? UnixMicros.Truncate(now);
        if (start >= ScheduleLimit)
            return Fail(BeyondScheduleLimit("start_time"));
        if (draft.EndTime >= ScheduleLimit)
            return Fail(BeyondScheduleLimit("end_time"));
        if (draft.EndTime is { } end && end <= start)
            return Fail("end_time must be after start_time");
        return (new ListingDefinition(itemId, collectionId, quantity, price, currency, providers, maxPerTx, policy,
            start.ToUniversalTime(), draft.EndTime?.ToUniversalTime()), null);
    }

    public static (ListingPolicy? Policy, string? Error) ValidatePolicy(PolicyDraft? draft)
    {
        var type = PolicyType.Fcfs;
        if (draft?.Type is { } typeName && !WireEnum<PolicyType>.TryParse(typeName, out type))
            return (null, "policy.type must be FCFS or ALLOW_LIST");
        return Complete(new ListingPolicy(type, Normalize(draft?.EmailAddresses), draft?.MaxPerUser,
            draft?.PaymentSessionDuration?.TimeoutSeconds ?? ListingPolicy.DefaultTimeoutSeconds, draft?.EmailClaimDuration));
    }

    /// <summary>Checks a policy after creation or a patch.</summary>
    public static (ListingPolicy? Policy, string? Error) Complete(ListingPolicy policy)
    {
        if (policy.Type == PolicyType.AllowList && policy.EmailAddresses.Count == 0)
            return (null, "policy.email_addresses must list at least one address for ALLOW_LIST");
        if (policy.MaxPerUser is < 1)
            return (null, "policy.max_per_user must be at least 1");
        if (policy.TimeoutSeconds is < 1 or > MaxTimeoutSeconds)
            return (null, $"policy.payment_session_duration.timeout_seconds must be between 1 and {MaxTimeoutSeconds}");
        if (policy.EmailClaimDuration is < 1)
            return (null, "policy.email_claim_duration must be at least 1");
        return (policy, null);
    }

    public static IReadOnlyList<string> Normalize(IEnumerable<string?>? emails) =>
        emails is null ? [] : emails.Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => BuyerRules.NormalizeEmail(e!)).Distinct().ToList();

    private static bool TryParsePrice(string? text, out long price)
    {
        price = 0;
        return text is { Length: > 0 and <= 18 } && text.All(char.IsAsciiDigit)
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out price);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static (ListingDefinition?, string?) Fail(string error) => (null, error);
}
