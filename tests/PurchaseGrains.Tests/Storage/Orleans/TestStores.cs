using Microsoft.Extensions.Configuration;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage.Orleans;

/// <summary>Configuration that points a provider at a new, empty store, as the host reads it (<c>ConnectionStrings:…</c>).</summary>
internal static class TestStores
{
    /// <summary>A database file not yet created, in a folder of its own under <paramref name="folder"/>.</summary>
    public static IConfiguration Sqlite(string folder) => Configuration("Sqlite",
        $"Data Source={Path.Combine(folder, Guid.NewGuid().ToString("N"), "store.db")}");

    /// <summary>A new schema in <paramref name="database"/>, alone on the search path.</summary>
    public static async Task<IConfiguration> PostgresAsync(PostgresDatabase database) =>
        Configuration("Postgres", await database.CreateSchemaAsync());

    /// <summary>A folder for SQLite files that <see cref="DeleteFolder"/> removes.</summary>
    public static string NewSqliteFolder() => Path.Combine(Path.GetTempPath(), "purchasegrains-tests", Guid.NewGuid().ToString("N"));

    public static void DeleteFolder(string folder)
    {
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
    }

    private static IConfiguration Configuration(string name, string connectionString) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { [$"ConnectionStrings:{name}"] = connectionString })
        .Build();
}
