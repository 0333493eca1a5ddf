using PurchaseGrains.Tests.Infrastructure;
using Xunit.Sdk;

namespace PurchaseGrains.Tests.Faults;

/// <summary>
/// A test against a real local cluster (<see cref="LocalCluster"/>). Skipped only outside CI, and only when nginx or
/// the PostgreSQL server binaries are missing, or, in a class marked <see cref="RequiresAzuriteAttribute"/>, when the
/// Azurite tests are skipped (the discoverer sees the class); under <c>CI=true</c> it always runs (the cluster scripts
/// install nginx, PostgreSQL and Azurite when absent) and a cluster that cannot start fails it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("PurchaseGrains.Tests.Infrastructure.StorageFactDiscoverer", "PurchaseGrains.Tests")]
public sealed class FaultFactAttribute : FactAttribute
{
    public FaultFactAttribute()
    {
        if (LocalCluster.SkipReason is { } reason)
            Skip = reason;
    }
}

/// <summary>Fault tests run alone: each starts a cluster of several processes, and timings matter on 2 cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection
{
    public const string Name = "Faults (real cluster)";
}
