using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using PurchaseGrains.Tests.Faults;

namespace PurchaseGrains.Tests.Scripts;

/// <summary>
/// infra/postgres/start-throwaway.sh, which the test command and the benchmarks use: on a machine whose default port is
/// taken by another server, it takes the next free port by itself rather than failing.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ThrowawayPostgresTests
{
    [FaultFact]
    public async Task WithThePortItWouldTakeBusyItStartsOnTheNextFreeOne()
    {
        var datadir = Path.Combine("/tmp", $"pgdata-porttest-{Guid.NewGuid():N}");
        using var squatter = ListenOnFirstFreePortFrom(55432);
        var squatted = ((IPEndPoint)squatter.LocalEndpoint).Port;
        try
        {
            var connectionString = (await RunAsync("infra/postgres/start-throwaway.sh", "auto", datadir)).Trim();

            var port = new NpgsqlConnectionStringBuilder(connectionString).Port;
            Assert.True(port > squatted, $"started on {port}, not after the busy {squatted}");
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
        }
        finally
        {
            await RunAsync("infra/postgres/stop-throwaway.sh", datadir);
            Directory.Delete(datadir, recursive: true);
        }
    }

    private static TcpListener ListenOnFirstFreePortFrom(int port)
    {
        while (true)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
                return listener;
            }
            catch (SocketException)
            {
                port++;
            }
        }
    }

    private static async Task<string> RunAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = LocalCluster.RepositoryRoot(), RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(process.ExitCode == 0, $"{script} failed: {await stderr}");
        return await stdout;
    }
}
