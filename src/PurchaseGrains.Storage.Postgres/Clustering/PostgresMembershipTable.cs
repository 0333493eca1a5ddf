using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace PurchaseGrains.Storage.Postgres.Clustering;

/// <summary>
/// Orleans' membership table on PostgreSQL. Each cluster has one version row and a row per silo. Every insert and
/// update is a compare-and-swap in one transaction: the version row must still carry the ETag the caller read (and is
/// moved to the caller's new version), and an update's silo row its ETag, or nothing is written and the call answers
/// false, as the membership protocol expects of a lost race.
/// </summary>
public sealed class PostgresMembershipTable(NpgsqlDataSource dataSource, IOptions<ClusterOptions> cluster) : IMembershipTable
{
    private const long SchemaLock = 0x5047_4D45_4D42;

    private string ClusterId => cluster.Value.ClusterId;

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@key)", ("key", SchemaLock));
        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS orleans_membership_versions (
                cluster_id text PRIMARY KEY,
                version integer NOT NULL,
                etag bigint NOT NULL);
            CREATE TABLE IF NOT EXISTS orleans_membership (
                cluster_id text NOT NULL,
                address text NOT NULL,
                status integer NOT NULL,
                entry jsonb NOT NULL,
                i_am_alive timestamptz NOT NULL,
                etag bigint NOT NULL,
                PRIMARY KEY (cluster_id, address));
            """);
        if (tryInitTableVersion)
        {
            await ExecuteAsync(connection, transaction,
                "INSERT INTO orleans_membership_versions (cluster_id, version, etag) VALUES (@cluster, 0, 0) ON CONFLICT DO NOTHING",
                ("cluster", ClusterId));
        }
        await transaction.CommitAsync();
    }

    public Task<MembershipTableData> ReadAll() => ReadAsync(null);

    public Task<MembershipTableData> ReadRow(SiloAddress key) => ReadAsync(key);

    public async Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (!await MoveVersionAsync(connection, transaction, tableVersion))
            return false;
        var inserted = await ExecuteAsync(connection, transaction, """
            INSERT INTO orleans_membership (cluster_id, address, status, entry, i_am_alive, etag)
            VALUES (@cluster, @address, @status, @entry::jsonb, @alive, 0) ON CONFLICT DO NOTHING
            """, Row(entry));
        if (inserted != 1)
            return false;
        await transaction.CommitAsync();
        return true;
    }

    public async Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        if (!long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var rowEtag))
            return false;
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (!await MoveVersionAsync(connection, transaction, tableVersion))
            return false;
        var updated = await ExecuteAsync(connection, transaction, """
            UPDATE orleans_membership SET status = @status, entry = @entry::jsonb, i_am_alive = @alive, etag = etag + 1
            WHERE cluster_id = @cluster AND address = @address AND etag = @etag
            """, [.. Row(entry), ("etag", rowEtag)]);
        if (updated != 1)
            return false;
        await transaction.CommitAsync();
        return true;
    }

    public async Task UpdateIAmAlive(MembershipEntry entry)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await ExecuteAsync(connection, null,
            "UPDATE orleans_membership SET i_am_alive = @alive WHERE cluster_id = @cluster AND address = @address",
            ("alive", Utc(entry.IAmAliveTime)), ("cluster", ClusterId), ("address", entry.SiloAddress.ToParsableString()));
    }

    /// <summary>
    /// Deletes the dead silos last updated before <paramref name="beforeDate"/>: the latest of their start, heartbeat and
    /// the suspicion votes against them (Orleans' <c>MembershipEntry.EffectiveUpdateTime</c>, by which its cleanup agent
    /// picks the date). A silo declared dead just now keeps its old heartbeat, but not its old last update.
    /// </summary>
    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await ExecuteAsync(connection, null, """
            DELETE FROM orleans_membership
            WHERE cluster_id = @cluster AND status = @dead AND i_am_alive < @before
                AND (entry->>'StartTime')::timestamptz < @before
                AND NOT EXISTS (
                    SELECT FROM jsonb_array_elements(CASE jsonb_typeof(entry->'Suspects') WHEN 'array' THEN entry->'Suspects' ELSE '[]' END) vote
                    WHERE (vote->>'At')::timestamptz >= @before)
            """,
            ("cluster", ClusterId), ("dead", (int)SiloStatus.Dead), ("before", beforeDate.UtcDateTime));
    }

    public async Task DeleteMembershipTableEntries(string clusterId)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await ExecuteAsync(connection, null, """
            DELETE FROM orleans_membership WHERE cluster_id = @cluster;
            DELETE FROM orleans_membership_versions WHERE cluster_id = @cluster;
            """, ("cluster", clusterId));
    }

    /// <summary>The compare-and-swap of the table version: only from the version (ETag) the caller read.</summary>
    private async Task<bool> MoveVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, TableVersion tableVersion)
    {
        if (!long.TryParse(tableVersion.VersionEtag, NumberStyles.None, CultureInfo.InvariantCulture, out var etag))
            return false;
        return await ExecuteAsync(connection, transaction,
            "UPDATE orleans_membership_versions SET version = @version, etag = etag + 1 WHERE cluster_id = @cluster AND etag = @etag",
            ("version", tableVersion.Version), ("cluster", ClusterId), ("etag", etag)) == 1;
    }

    private async Task<MembershipTableData> ReadAsync(SiloAddress? only)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        TableVersion version;
        await using (var command = new NpgsqlCommand(
            "SELECT version, etag FROM orleans_membership_versions WHERE cluster_id = @cluster", connection, transaction))
        {
            command.Parameters.AddWithValue("cluster", ClusterId);
            await using var reader = await command.ExecuteReaderAsync();
            version = await reader.ReadAsync()
                ? new TableVersion(reader.GetInt32(0), reader.GetInt64(1).ToString(CultureInfo.InvariantCulture))
                : new TableVersion(0, "0");
        }
        var members = new List<Tuple<MembershipEntry, string>>();
        await using (var command = new NpgsqlCommand(
            "SELECT entry::text, i_am_alive, etag FROM orleans_membership WHERE cluster_id = @cluster" + (only is null ? "" : " AND address = @address"),
            connection, transaction))
        {
            command.Parameters.AddWithValue("cluster", ClusterId);
            if (only is not null)
                command.Parameters.AddWithValue("address", only.ToParsableString());
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var entry = StoredEntry.ToEntry(JsonSerializer.Deserialize<StoredEntry>(reader.GetString(0))!);
                entry.IAmAliveTime = reader.GetDateTime(1);
                members.Add(Tuple.Create(entry, reader.GetInt64(2).ToString(CultureInfo.InvariantCulture)));
            }
        }
        await transaction.CommitAsync();
        return new MembershipTableData(members, version);
    }

    private (string, object)[] Row(MembershipEntry entry) =>
    [
        ("cluster", ClusterId),
        ("address", entry.SiloAddress.ToParsableString()),
        ("status", (int)entry.Status),
        ("entry", JsonSerializer.Serialize(StoredEntry.From(entry))),
        ("alive", Utc(entry.IAmAliveTime)),
    ];

    private static DateTime Utc(DateTime time) => time.Kind == DateTimeKind.Utc ? time : DateTime.SpecifyKind(time, DateTimeKind.Utc);

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>A silo's row as stored: every field of <see cref="MembershipEntry"/>, addresses in their parsable form.</summary>
    private sealed record StoredEntry(string Address, int Status, List<StoredSuspicion>? Suspects, int ProxyPort, string HostName,
        string SiloName, string? RoleName, int UpdateZone, int FaultZone, DateTime StartTime)
    {
        public static StoredEntry From(MembershipEntry e) => new(e.SiloAddress.ToParsableString(), (int)e.Status,
            e.SuspectTimes?.Select(s => new StoredSuspicion(s.Item1.ToParsableString(), Utc(s.Item2))).ToList(),
            e.ProxyPort, e.HostName, e.SiloName, e.RoleName, e.UpdateZone, e.FaultZone, Utc(e.StartTime));

        public static MembershipEntry ToEntry(StoredEntry s) => new()
        {
            SiloAddress = SiloAddress.FromParsableString(s.Address),
            Status = (SiloStatus)s.Status,
            SuspectTimes = s.Suspects?.Select(x => Tuple.Create(SiloAddress.FromParsableString(x.By), x.At)).ToList(),
            ProxyPort = s.ProxyPort,
            HostName = s.HostName,
            SiloName = s.SiloName,
            RoleName = s.RoleName,
            UpdateZone = s.UpdateZone,
            FaultZone = s.FaultZone,
            StartTime = s.StartTime,
        };
    }

    private sealed record StoredSuspicion(string By, DateTime At);
}
