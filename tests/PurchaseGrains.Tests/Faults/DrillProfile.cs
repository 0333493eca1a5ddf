using Npgsql;

namespace PurchaseGrains.Tests.Faults;

/// <summary>
/// A storage profile the drills run on: the name of its database in messages, and how the invariants are read from it.
/// The cluster scripts start that database with the silos; another profile (Azure Storage) adds a subclass and a
/// <see cref="ClusterDrills"/> class that passes it.
/// </summary>
public abstract class DrillProfile
{
    public abstract string Database { get; }

    /// <summary>Variables for the cluster scripts and silos that select this profile.</summary>
    public abstract IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Checks every invariant at <paramref name="now"/>; throws <see cref="InvariantViolationException"/> with a report.</summary>
    public abstract Task CheckInvariantsAsync(LocalCluster cluster, ClientRecord record, DateTimeOffset now, TimeSpan grace, Action<string> log);
}

/// <summary>Membership, reminders, grain state and query rows all on one PostgreSQL.</summary>
public sealed class PostgresDrillProfile : DrillProfile
{
    public override string Database => "PostgreSQL";

    public override IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>();

    public override async Task CheckInvariantsAsync(LocalCluster cluster, ClientRecord record, DateTimeOffset now, TimeSpan grace, Action<string> log)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        try
        {
            await new InvariantChecker(connection).CheckAllAsync(record, now, grace);
        }
        catch (InvariantViolationException violation)
        {
            log(await InvariantChecker.DescribeAsync(connection, InvariantChecker.IdsIn(violation.Message)));
            throw;
        }
    }
}
