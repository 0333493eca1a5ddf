using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Npgsql;
using NpgsqlTypes;
using PurchaseGrains.Silo.Hosting;

namespace PurchaseGrains.Tests.Faults;

/// <summary>
/// The AzureStorage profile's states of <see cref="InvariantChecker.GrainTypes"/>, copied from Table and Blob storage
/// into a temporary table of a PostgreSQL connection shaped like <c>grain_state</c>, so that
/// <see cref="InvariantChecker"/>'s rules read them beside the query rows, which this profile keeps on PostgreSQL. Each
/// stored value is <see cref="Silo.Storage.QueryRowGrainStorage"/>'s <c>{version, state, query_rows}</c> envelope; the
/// copy holds its state as the payload, and its version. A key Azure could not hold is stored, and so copied, as
/// <see cref="Silo.Storage.AzureSafeGrainIds"/> made it: <c>~</c> and a hash.
/// </summary>
public static partial class AzureGrainStateCopy
{
    public const string Table = "azure_grain_state";

    /// <summary>The reminders, copied for failure reports (<see cref="InvariantChecker.DescribeAsync"/>).</summary>
    public const string RemindersTable = "azure_reminders";

    /// <summary>The table Orleans' Azure reminder service keeps its rows in (its default; the silo does not change it).</summary>
    private const string OrleansReminderTable = "OrleansReminders";

    /// <summary>Orleans' table provider: a state's partition key is the service id and the grain id, its '/' made '_'.</summary>
    private static string PartitionKeyPrefix(string serviceId, string grainType) => $"{serviceId}_{grainType}_";

    /// <summary>Orleans' blob provider: a state's blob is named <c>{state name}-{grain type}/{key}.json</c>.</summary>
    [GeneratedRegex(@"^[^/-]+-(?<type>[^/]+)/(?<key>.+)\.json$")]
    private static partial Regex BlobName();

    private sealed record StateRow(string GrainType, string GrainKey, string Envelope, DateTimeOffset UpdatedAt);

    /// <summary>
    /// Creates <see cref="Table"/> on <paramref name="connection"/> and fills it with the states a silo of
    /// <paramref name="serviceId"/> configured with <paramref name="settings"/> stores; returns how many it copied.
    /// </summary>
    public static async Task<int> CopyAsync(IConfiguration settings, string serviceId, NpgsqlConnection connection)
    {
        var azure = AzureStorageSettings.From(settings);
        var rows = new List<StateRow>();
        rows.AddRange(await TableStatesAsync(azure.CreateTableServiceClient().GetTableClient(azure.GrainStateTable), serviceId));
        rows.AddRange(await BlobStatesAsync(azure.CreateBlobServiceClient().GetBlobContainerClient(azure.GrainStateContainer)));

        await using (var create = new NpgsqlCommand($"""
            CREATE TEMP TABLE {Table} (grain_type text, grain_key text, payload jsonb NOT NULL, version bigint NOT NULL,
                                       updated_at timestamptz NOT NULL, PRIMARY KEY (grain_type, grain_key))
            """, connection))
            await create.ExecuteNonQueryAsync();
        await using (var import = await connection.BeginBinaryImportAsync(
            $"COPY {Table} (grain_type, grain_key, payload, version, updated_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var row in rows)
            {
                using var envelope = JsonDocument.Parse(row.Envelope);
                await import.StartRowAsync();
                await import.WriteAsync(row.GrainType, NpgsqlDbType.Text);
                await import.WriteAsync(row.GrainKey, NpgsqlDbType.Text);
                await import.WriteAsync(envelope.RootElement.GetProperty("state").GetRawText(), NpgsqlDbType.Jsonb);
                await import.WriteAsync(envelope.RootElement.GetProperty("version").GetInt64(), NpgsqlDbType.Bigint);
                await import.WriteAsync(row.UpdatedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz);
            }
            await import.CompleteAsync();
        }
        await using (var analyze = new NpgsqlCommand($"ANALYZE {Table}", connection))
            await analyze.ExecuteNonQueryAsync();
        await CopyRemindersAsync(azure.CreateTableServiceClient().GetTableClient(OrleansReminderTable), connection);
        return rows.Count;
    }

    /// <summary>Every reminder row, as <c>orleans_reminders</c> shows them on PostgreSQL: grain, name, start, period, ETag.</summary>
    private static async Task CopyRemindersAsync(TableClient reminders, NpgsqlConnection connection)
    {
        await using (var create = new NpgsqlCommand(
            $"CREATE TEMP TABLE {RemindersTable} (grain_id text, name text, start_at text, period text, etag text)", connection))
            await create.ExecuteNonQueryAsync();
        await using var import = await connection.BeginBinaryImportAsync(
            $"COPY {RemindersTable} (grain_id, name, start_at, period, etag) FROM STDIN (FORMAT BINARY)");
        await foreach (var entity in reminders.QueryAsync<TableEntity>())
        {
            await import.StartRowAsync();
            foreach (var column in new[] { entity.GetString("GrainReference"), entity.GetString("ReminderName"), entity.GetString("StartAt"),
                         entity.GetString("Period"), entity.ETag.ToString() })
                await import.WriteAsync(column, NpgsqlDbType.Text);
        }
        await import.CompleteAsync();
    }

    private static async Task<List<StateRow>> TableStatesAsync(TableClient table, string serviceId)
    {
        var rows = new List<StateRow>();
        foreach (var grainType in InvariantChecker.GrainTypes)
        {
            var prefix = PartitionKeyPrefix(serviceId, grainType);
            // Every key that starts with the prefix: at least it, and less than it with its last character, '_', made the next one, '`'.
            var filter = $"PartitionKey ge '{prefix}' and PartitionKey lt '{prefix[..^1]}`'";
            await foreach (var entity in table.QueryAsync<TableEntity>(filter))
                rows.Add(new StateRow(grainType, entity.PartitionKey[prefix.Length..], StringData(entity), entity.Timestamp ?? DateTimeOffset.MinValue));
        }
        return rows;
    }

    /// <summary>The JSON the table provider split over <c>StringData</c>, <c>StringData1</c>, … (32 K characters each).</summary>
    private static string StringData(TableEntity entity) =>
        string.Concat(Enumerable.Range(0, 15).Select(i => entity.GetString(i == 0 ? "StringData" : $"StringData{i}")).TakeWhile(chunk => chunk is not null));

    private static async Task<List<StateRow>> BlobStatesAsync(Azure.Storage.Blobs.BlobContainerClient container)
    {
        var rows = new List<StateRow>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            var name = BlobName().Match(blob.Name);
            if (!name.Success || !InvariantChecker.GrainTypes.Contains(name.Groups["type"].Value))
                continue;
            var content = await container.GetBlobClient(blob.Name).DownloadContentAsync();
            rows.Add(new StateRow(name.Groups["type"].Value, name.Groups["key"].Value, content.Value.Content.ToString(),
                blob.Properties.LastModified ?? DateTimeOffset.MinValue));
        }
        return rows;
    }
}
