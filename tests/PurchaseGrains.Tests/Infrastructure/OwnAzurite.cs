using System.Diagnostics;
using PurchaseGrains.Tests.Faults;

namespace PurchaseGrains.Tests.Infrastructure;

/// <summary>
/// An Azurite of the test's own, run by infra/azurite/start.sh and stop.sh on a data folder of its own (so it keeps its
/// data across a restart, on the same ports), for tests that stop and start it.
/// </summary>
public sealed class OwnAzurite : IAsyncDisposable
{
    private readonly string _dataFolder = Path.Combine(Path.GetTempPath(), $"purchasegrains-azurite-{Guid.NewGuid():N}");

    private OwnAzurite()
    {
    }

    public string ConnectionString { get; private set; } = "";

    public static async Task<OwnAzurite> StartAsync()
    {
        var azurite = new OwnAzurite();
        await azurite.RestartAsync();
        return azurite;
    }

    public Task StopAsync() => RunAsync("stop.sh");

    /// <summary>Starts it (again) on its data folder; the ports are those of the last start when still free.</summary>
    public async Task RestartAsync()
    {
        var connectionString = (await RunAsync("start.sh")).Trim();
        if (ConnectionString.Length > 0 && connectionString != ConnectionString)
            throw new InvalidOperationException($"Azurite came back elsewhere: {connectionString}, not {ConnectionString}.");
        ConnectionString = connectionString;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_dataFolder, recursive: true);
    }

    private async Task<string> RunAsync(string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(LocalCluster.RepositoryRoot(), "infra", "azurite", script));
        start.ArgumentList.Add(_dataFolder);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"infra/azurite/{script} {_dataFolder} exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
