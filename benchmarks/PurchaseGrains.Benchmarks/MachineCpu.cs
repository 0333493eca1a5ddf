using System.Globalization;

namespace PurchaseGrains.Benchmarks;

/// <summary>
/// The whole machine's busy CPU time (every process, the kernel's network work included) from <c>/proc/stat</c>. Per
/// unit of work it is steadier than throughput on a shared machine whose speed drifts.
/// </summary>
public static class MachineCpu
{
    /// <summary>USER_HZ: the unit of <c>/proc/stat</c>, 100 on every Linux architecture .NET runs on.</summary>
    internal const double TicksPerSecond = 100;

    /// <summary>Busy time so far (user, nice, system, irq, softirq, steal), or null off Linux.</summary>
    public static TimeSpan? Busy()
    {
        if (!File.Exists("/proc/stat"))
            return null;
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => i < fields.Length ? long.Parse(fields[i], CultureInfo.InvariantCulture) : 0;
        var ticks = Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
