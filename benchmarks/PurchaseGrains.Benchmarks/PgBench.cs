using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace PurchaseGrains.Benchmarks;

/// <summary>
/// <c>pgbench -N</c> (simple-update, the write-heavy built-in) on its own database of the same server, initialised
/// once and run as often as a benchmark needs a baseline next to what it measures.
/// </summary>
public sealed partial class PgBench
{
    private readonly string _common;

    private PgBench(string common) => _common = common;

    public static async Task<PgBench> InitAsync(BenchDatabases databases)
    {
        var connection = new NpgsqlConnectionStringBuilder(await databases.CreateAsync("pgbench"));
        var pgbench = new PgBench($"-h {connection.Host} -p {connection.Port} -U {connection.Username} {connection.Database}");
        await RunAsync($"-i -q -s 10 {pgbench._common}");
        return pgbench;
    }

    public static async Task<double> SimpleUpdateTpsAsync(BenchDatabases databases, int clients, int seconds) =>
        await (await InitAsync(databases)).SimpleUpdateTpsAsync(clients, seconds);

    public async Task<double> SimpleUpdateTpsAsync(int clients, int seconds)
    {
        var output = await RunAsync($"-N -M prepared -c {clients} -j 2 -T {seconds} {_common}");
        var match = TpsLine().Match(output);
        if (!match.Success)
            throw new InvalidOperationException($"Could not read tps from pgbench:\n{output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static async Task<string> RunAsync(string arguments)
    {
        var executable = Directory.GetDirectories("/usr/lib/postgresql").OrderDescending()
            .Select(d => Path.Combine(d, "bin", "pgbench")).FirstOrDefault(File.Exists) ?? "pgbench";
        var start = new ProcessStartInfo(executable, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PGPASSWORD"] = "postgres";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"pgbench {arguments} failed: {await stderr}");
        return await stdout + await stderr;
    }

    [GeneratedRegex(@"tps = ([0-9.]+)")]
    private static partial Regex TpsLine();
}
