using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace PurchaseGrains.Benchmarks;

/// <summary>
/// CPU used by the service under test alone: this process (the silos run in it) plus the PostgreSQL server it talks
/// to (the postmaster, its live backends, and the exited ones the postmaster has reaped). Unlike
/// <see cref="MachineCpu"/> it leaves out whatever else runs on the machine, so a cost per unit of work stays
/// comparable on a shared machine; lateness and throughput do not.
/// </summary>
public sealed class ServiceCpu
{
    private readonly int _postmaster;

    private ServiceCpu(int postmaster) => _postmaster = postmaster;

    /// <summary>The server's postmaster from its data directory's <c>postmaster.pid</c>; null off Linux or elsewhere.</summary>
    public static async Task<ServiceCpu?> ForAsync(string connectionString)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('data_directory')", connection);
        var pidFile = Path.Combine((string)(await command.ExecuteScalarAsync())!, "postmaster.pid");
        return File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), out var pid) ? new ServiceCpu(pid) : null;
    }

    /// <summary>CPU so far of this process (the silos) and of the database server.</summary>
    public (TimeSpan Silos, TimeSpan Database) Used() => (Process.GetCurrentProcess().TotalProcessorTime, Database());

    private TimeSpan Database()
    {
        long ticks = Ticks(_postmaster, withReapedChildren: true);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != _postmaster && ParentOf(pid) == _postmaster)
                ticks += Ticks(pid, withReapedChildren: false);
        }
        return TimeSpan.FromSeconds(ticks / MachineCpu.TicksPerSecond);
    }

    /// <summary>Fields of <c>/proc/PID/stat</c> after the command name (which may hold spaces): [0] is the state.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null; // exited meanwhile
        }
    }

    private static int ParentOf(int pid) => Stat(pid) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : -1;

    private static long Ticks(int pid, bool withReapedChildren)
    {
        if (Stat(pid) is not { } f)
            return 0;
        long Field(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
        // utime, stime are fields 14 and 15 of stat; cutime, cstime 16 and 17 (here shifted by the 3 before them).
        return Field(11) + Field(12) + (withReapedChildren ? Field(13) + Field(14) : 0);
    }
}
