using Microsoft.Extensions.Configuration;
using Npgsql;
using PurchaseGrains.Tests.Infrastructure;
using PurchaseGrains.Tests.PurchaseIntents;

namespace PurchaseGrains.Tests.Faults;

/// <summary><see cref="CheckerDatabase"/>'s purchases, buyback and intents made by a silo of the AzureStorage profile.</summary>
public sealed class AzureCheckerDatabase : CheckerDatabase
{
    public IConfiguration AzureSettings { get; private set; } = new ConfigurationBuilder().Build();

    public string ServiceId => AzureSettings["Orleans:ServiceId"]!;

    protected override string? SkipReason => Azurite.SkipReason ?? PostgresDatabase.SkipReason;

    protected override async Task<TestSilo> StartSiloAsync(PostgresDatabase database)
    {
        var cluster = await AzureStorageCluster.CreateAsync(database);
        ConnectionString = cluster.PostgresConnection;
        AzureSettings = new ConfigurationBuilder().AddInMemoryCollection(cluster.Settings).Build();
        return await cluster.StartSiloAsync(IntentApi.Settings());
    }
}

/// <summary>
/// The AzureStorage drills check their invariants on <see cref="AzureGrainStateCopy"/>: it must find every state where
/// Orleans' table and blob providers put it, under the key the SQL profiles use, or the checker would see acknowledged
/// writes as lost (or miss a broken one).
/// </summary>
public sealed class AzureGrainStateCopyTests(AzureCheckerDatabase db) : IClassFixture<AzureCheckerDatabase>
{
    [AzuriteFact]
    public async Task TheCopyOfASoundAzureStorageBreaksNoInvariant()
    {
        await using var connection = await CopyAsync();
        await new InvariantChecker(connection, AzureGrainStateCopy.Table).CheckAllAsync(db.Record, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10));
    }

    [AzuriteFact]
    public async Task TableAndBlobStatesAreCopiedWithTheirKeysVersionsAndPayloads()
    {
        await using var connection = await CopyAsync();
        await using var command = new NpgsqlCommand($"""
            SELECT grain_type, grain_key, version, COALESCE(payload->>'status', '-'),
                   jsonb_array_length(COALESCE(payload->'items', payload->'credits', '[]'))
            FROM {AzureGrainStateCopy.Table} WHERE grain_key IN (@session, 'a:u1', @intent)
            ORDER BY grain_type
            """, connection);
        command.Parameters.AddWithValue("session", db.DeliveredSession);
        command.Parameters.AddWithValue("intent", db.ConfirmedIntent);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add($"{reader.GetString(0)} {reader.GetString(1)} v{(reader.GetInt64(2) > 0 ? "+" : "0")} {reader.GetString(3)} {reader.GetInt32(4)}");
        Assert.Equal([
            $"purchase_intent {db.ConfirmedIntent} v+ confirmed 0",
            "vm_buyback_ledger a:u1 v+ - 1", // Blob storage: one credit
            "vm_inventory a:u1 v+ - 2", // Blob storage: both items, one sold back
            $"vm_session {db.DeliveredSession} v+ fulfilled 2", // Table storage
        ], rows);
    }

    [AzuriteFact]
    public async Task AFailureReportShowsTheRemindersOrleansKeepsInAzureTableStorage()
    {
        await using var connection = await CopyAsync();
        var report = await InvariantChecker.DescribeAsync(connection, [db.PendingIntent], AzureGrainStateCopy.Table);
        var lines = report.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, line => line.StartsWith($"purchase_intent | {db.PendingIntent} |", StringComparison.Ordinal));
        // The pending intent's backstop: its grain, the reminder's name, start and period.
        Assert.Contains(lines, line => line.StartsWith("purchase_intent/", StringComparison.Ordinal) && line.Contains(db.PendingIntent, StringComparison.Ordinal));
    }

    private async Task<NpgsqlConnection> CopyAsync()
    {
        var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        Assert.True(await AzureGrainStateCopy.CopyAsync(db.AzureSettings, db.ServiceId, connection) > 0, "nothing copied");
        return connection;
    }
}
