using Microsoft.Extensions.Configuration;
using Npgsql;
using PurchaseGrains.Silo.Hosting;

namespace PurchaseGrains.Tests.Faults;

/// <summary>
/// A storage profile the drills run on: the name of its database in messages, the variables that select it, how its
/// database is stopped and started again, and where the invariants read its grain states. The cluster scripts start
/// that database with the silos. Each profile has a <see cref="ClusterDrills"/> class that passes it.
/// </summary>
public abstract class DrillProfile
{
    public abstract string Database { get; }

    /// <summary>Variables for the cluster scripts and silos that select this profile.</summary>
    public abstract IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The cards in stock when a drill's load starts (the pack is topped up to it): what its purchases draw from, with room to spare.</summary>
    public virtual int Cards => 2000;

    /// <summary>Stops the database that holds grain state and membership, for the database-restart drill.</summary>
    public abstract Task StopDatabaseAsync(LocalCluster cluster);

    public abstract Task StartDatabaseAsync(LocalCluster cluster);

    /// <summary>Checks every invariant at <paramref name="now"/>; throws <see cref="InvariantViolationException"/> with a report.</summary>
    public async Task CheckInvariantsAsync(LocalCluster cluster, ClientRecord record, DateTimeOffset now, TimeSpan grace, Action<string> log)
    {
        // Unpooled: a pooled connection from an earlier drill on the same cluster may predate the database restart drill.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var states = await GrainStatesAsync(cluster, connection, log);
        try
        {
            await new InvariantChecker(connection, states).CheckAllAsync(record, now, grace);
        }
        catch (InvariantViolationException violation)
        {
            log(await InvariantChecker.DescribeAsync(connection, InvariantChecker.IdsIn(violation.Message), states));
            throw;
        }
    }

    /// <summary>The relation on <paramref name="connection"/> that holds the grain states (see <see cref="InvariantChecker"/>).</summary>
    protected abstract Task<string> GrainStatesAsync(LocalCluster cluster, NpgsqlConnection connection, Action<string> log);
}

/// <summary>Membership, reminders, grain state and query rows all on one PostgreSQL.</summary>
public sealed class PostgresDrillProfile : DrillProfile
{
    public override string Database => "PostgreSQL";

    public override IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>();

    public override Task StopDatabaseAsync(LocalCluster cluster) => cluster.StopPostgresAsync();

    public override Task StartDatabaseAsync(LocalCluster cluster) => cluster.StartPostgresAsync();

    protected override Task<string> GrainStatesAsync(LocalCluster cluster, NpgsqlConnection connection, Action<string> log) =>
        Task.FromResult(InvariantChecker.GrainStateTable);
}

/// <summary>
/// The AzureStorage profile: membership, reminders and grain state on Azurite (Table and Blob storage, data on disk),
/// query rows on PostgreSQL. The database the restart drill stops is Azurite; PostgreSQL stays up.
/// </summary>
public sealed class AzureStorageDrillProfile : DrillProfile
{
    public override string Database => "Azurite";

    public override IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["CLUSTER_STORAGE"] = "AzureStorage",
    };

    /// <summary>
    /// Half the PostgreSQL profile's, since each card is a state write to Azurite at set-up (2,000 took about 20 s); the
    /// purchases of a drill on this profile drew at most about 380 of them.
    /// </summary>
    public override int Cards => 1000;

    public override Task StopDatabaseAsync(LocalCluster cluster) => cluster.StopAzuriteAsync();

    public override Task StartDatabaseAsync(LocalCluster cluster) => cluster.StartAzuriteAsync();

    protected override async Task<string> GrainStatesAsync(LocalCluster cluster, NpgsqlConnection connection, Action<string> log)
    {
        var settings = new ConfigurationBuilder()
            .AddInMemoryCollection([new($"ConnectionStrings:{AzureStorageSettings.ConnectionStringName}", cluster.AzureConnectionString)])
            .Build();
        var copied = await AzureGrainStateCopy.CopyAsync(settings, OrleansRegistration.DefaultClusterId, connection);
        log($"copied {copied} grain states from Azure Table and Blob storage for the invariant check");
        return AzureGrainStateCopy.Table;
    }
}
