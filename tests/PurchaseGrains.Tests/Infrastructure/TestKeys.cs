namespace PurchaseGrains.Tests.Infrastructure;

/// <summary>API keys every test silo accepts: two partners, each with a partner and an admin key.</summary>
public static class TestKeys
{
    public const string PartnerA = "partner-a-key";
    public const string AdminA = "admin-a-key";
    public const string PartnerB = "partner-b-key";
    public const string AdminB = "admin-b-key";

    public static IEnumerable<KeyValuePair<string, string?>> AsConfiguration() =>
    [
        .. Key(0, PartnerA, "a", "Partner"),
        .. Key(1, AdminA, "a", "Admin"),
        .. Key(2, PartnerB, "b", "Partner"),
        .. Key(3, AdminB, "b", "Admin"),
    ];

    private static KeyValuePair<string, string?>[] Key(int index, string key, string partner, string role) =>
    [
        new($"Auth:Keys:{index}:Key", key),
        new($"Auth:Keys:{index}:Partner", partner),
        new($"Auth:Keys:{index}:Role", role),
    ];
}
