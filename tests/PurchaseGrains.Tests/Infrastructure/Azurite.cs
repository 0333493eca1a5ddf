using System.Globalization;

namespace PurchaseGrains.Tests.Infrastructure;

/// <summary>
/// The Azurite named by <c>AZURITE_TEST_CONNECTION</c> (infra/test.sh starts one). Without it, AzureStorage tests are
/// skipped locally and fail under <c>CI=true</c>, like the PostgreSQL ones.
/// </summary>
public static class Azurite
{
    public const string ConnectionVariable = "AZURITE_TEST_CONNECTION";

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } value ? value : null;

    /// <summary>Why AzureStorage tests are skipped on this machine, or null when they must run.</summary>
    public static string? SkipReason =>
        ConnectionString is null && !PostgresDatabase.RunningInCi
            ? $"{ConnectionVariable} is not set (bash infra/azurite/start.sh prints one)."
            : null;

    public static string RequiredConnectionString => ConnectionString ?? throw new InvalidOperationException(
        $"CI=true but {ConnectionVariable} is not set: AzureStorage tests must run in CI, not be skipped. " +
        "infra/test.sh starts Azurite with infra/azurite/start.sh; did it fail?");
}

/// <summary>
/// One cluster's own corner of the shared Azurite and PostgreSQL: its cluster and service ids (membership, reminders
/// and table state are keyed by them), its own state table and blob container, its own PostgreSQL schema.
/// </summary>
public sealed record AzureStorageCluster(string PostgresConnection, IReadOnlyDictionary<string, string?> Settings)
{
    public static async Task<AzureStorageCluster> CreateAsync(PostgresDatabase database, string? azureConnection = null)
    {
        var id = Guid.NewGuid().ToString("N")[..16];
        var postgres = await database.CreateSchemaAsync();
        return new AzureStorageCluster(postgres, new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "AzureStorage",
            ["ConnectionStrings:AzureStorage"] = azureConnection ?? Azurite.RequiredConnectionString,
            ["ConnectionStrings:Postgres"] = postgres,
            ["Orleans:ClusterId"] = $"test-{id}",
            ["Orleans:ServiceId"] = $"test-{id}",
            ["Storage:AzureStorage:GrainStateTable"] = string.Create(CultureInfo.InvariantCulture, $"state{id}"),
            ["Storage:AzureStorage:GrainStateContainer"] = $"state-{id}",
        });
    }

    /// <summary>A silo of this cluster; <paramref name="settings"/> win over the cluster's.</summary>
    public Task<TestSilo> StartSiloAsync(IDictionary<string, string?>? settings = null,
        Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null,
        Action<Microsoft.AspNetCore.Builder.WebApplication>? mapRoutes = null)
    {
        var merged = new Dictionary<string, string?>(Settings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            merged[key] = value;
        return TestSilo.StartAsync(merged, configure, mapRoutes);
    }
}

/// <summary>A test that needs Azurite and PostgreSQL: skipped when either is missing here, unless <c>CI=true</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AzuriteFactAttribute : FactAttribute
{
    public AzuriteFactAttribute()
    {
        if ((Azurite.SkipReason ?? PostgresDatabase.SkipReason) is { } reason)
            Skip = reason;
    }
}

/// <summary>
/// Marks a subclass of a storage suite, or of the fault drills, that runs on the AzureStorage profile (Azurite and
/// PostgreSQL): its <see cref="StorageFactAttribute"/> and <see cref="Faults.FaultFactAttribute"/> tests skip like
/// <see cref="AzuriteFactAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresAzuriteAttribute : Attribute;
