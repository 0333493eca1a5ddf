using System.Diagnostics;
using System.Net;
using System.Text;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Faults;

/// <summary>
/// A real local cluster for fault tests, run by the infra/cluster scripts: a throwaway PostgreSQL (and Azurite on the
/// AzureStorage profile), N silo processes (the silo build next to this test build) and nginx, on free loopback ports
/// and in a folder of its own under /tmp, so it never meets a developer's cluster (<c>.cluster</c>, port 5100) or
/// another test.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(4);

    private readonly Dictionary<string, string> _environment;
    private readonly Dictionary<string, long> _logsReadFrom = [];
    private bool _stopped;

    private LocalCluster(string directory, int siloCount, int basePort, int postgresPort, Dictionary<string, string> environment,
        Action<string> log)
    {
        Directory = directory;
        SiloCount = siloCount;
        BasePort = basePort;
        PostgresPort = postgresPort;
        _environment = environment;
        Log = log;
    }

    /// <summary>Where the scripts' progress goes: the output of the test using the cluster.</summary>
    public Action<string> Log { get; set; }

    public string Directory { get; }

    /// <summary>Keep the folder (logs, PostgreSQL data) after stopping, e.g. when a test failed. Also FAULTS_KEEP_CLUSTER_DIR=1.</summary>
    public bool KeepDirectory { get; set; } = Environment.GetEnvironmentVariable("FAULTS_KEEP_CLUSTER_DIR") == "1";

    public int SiloCount { get; }

    /// <summary>nginx listens here; silo i on <c>BasePort + i</c>.</summary>
    public int BasePort { get; }

    public int PostgresPort { get; }

    public Uri EntryUrl => new($"http://127.0.0.1:{BasePort}");

    public Uri SiloUrl(int index) => new($"http://127.0.0.1:{BasePort + index}");

    /// <summary>What nginx reports in <c>$upstream_addr</c> for silo <paramref name="index"/>.</summary>
    public string SiloAddress(int index) => $"127.0.0.1:{BasePort + index}";

    /// <summary>The silos' own connection string (pool size capped by start.sh).</summary>
    public string ConnectionString => File.ReadAllText(Path.Combine(Directory, "postgres.conn")).Trim();

    /// <summary>The connection string of the AzureStorage profile's Azurite.</summary>
    public string AzureConnectionString => File.ReadAllText(Path.Combine(Directory, "azurite.conn")).Trim();

    /// <summary>
    /// Why fault tests cannot run here, or null. Only outside CI, and only for lack of nginx or PostgreSQL server
    /// binaries: under <c>CI=true</c> the scripts install what is missing, and a failure to start is a test failure.
    /// </summary>
    public static string? SkipReason
    {
        get
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                return null;
            var missing = new List<string>();
            if (!OnPath("nginx") && !File.Exists("/usr/sbin/nginx"))
                missing.Add("nginx");
            if (!System.IO.Directory.Exists("/usr/lib/postgresql")
                || !System.IO.Directory.EnumerateDirectories("/usr/lib/postgresql").Any(d => File.Exists(Path.Combine(d, "bin", "initdb"))))
                missing.Add("PostgreSQL server binaries (/usr/lib/postgresql/*/bin)");
            return missing.Count == 0 ? null : $"Fault tests need a local cluster; missing {string.Join(" and ", missing)} (CI installs them).";
        }
    }

    /// <summary>Starts PostgreSQL, <paramref name="silos"/> silos with <paramref name="settings"/> (as Section__Key variables) and nginx.</summary>
    public static async Task<LocalCluster> StartAsync(int silos, IReadOnlyDictionary<string, string> settings, Action<string> log)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"purchasegrains-faults-{Guid.NewGuid():N}"[..36]);
        var basePort = LoopbackPorts.NextRange(silos + 1);
        var postgresPort = LoopbackPorts.Next();
        // Azurite (AzureStorage profile) on ports of ours too: after a restart it must find them free again, and the ports
        // other Azurites pick from (10000 up) may be taken by another test run in the meantime.
        var azuritePort = LoopbackPorts.NextRange(3);
        var environment = new Dictionary<string, string>(settings)
        {
            ["CLUSTER_DIR"] = directory,
            ["CLUSTER_PORT"] = basePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CLUSTER_PG_PORT"] = postgresPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CLUSTER_AZURITE_PORT"] = azuritePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CLUSTER_SILO_FROM"] = SiloBuildDirectory(),
            ["CLUSTER_UPSTREAM_HEADER"] = "1",
        };
        var cluster = new LocalCluster(directory, silos, basePort, postgresPort, environment, log);
        try
        {
            await cluster.RunScriptAsync("start.sh", silos.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    public Task KillSiloAsync(int index) => RunScriptAsync("kill-silo.sh", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Task RestartSiloAsync(int index) => RunScriptAsync("restart-silo.sh", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>SIGSTOP: the silo keeps its sockets and answers nothing until <see cref="ThawSiloAsync"/>.</summary>
    public Task FreezeSiloAsync(int index) => RunScriptAsync("freeze-silo.sh", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public Task ThawSiloAsync(int index) => RunScriptAsync("thaw-silo.sh", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Drain from nginx, SIGTERM, wait for the exit, start again, wait until ready, put back in nginx.</summary>
    public Task RollSiloAsync(int index) => RunScriptAsync("roll-silo.sh", index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Whether the process recorded as silo <paramref name="index"/> still runs (a zombie has an empty command line).</summary>
    public bool SiloProcessRuns(int index)
    {
        if (ProcessId($"silo{index}") is not { } pid)
            return false;
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Contains(Directory, StringComparison.Ordinal); }
        catch (IOException) { return false; }
    }

    public Task StopPostgresAsync() => RunScriptAsync("stop-postgres.sh");

    public Task StartPostgresAsync() => RunScriptAsync("start-postgres.sh");

    /// <summary>The AzureStorage profile's Azurite (<c>CLUSTER_STORAGE=AzureStorage</c>), stopped with its data kept on disk.</summary>
    public Task StopAzuriteAsync() => RunScriptAsync("stop-azurite.sh");

    /// <summary>Azurite again on its data and its ports, so the silos' connection string still holds.</summary>
    public Task StartAzuriteAsync() => RunScriptAsync("start-azurite.sh");

    /// <summary>The recorded process id of <paramref name="name"/> (silo1.., nginx, postgres, azurite), or null.</summary>
    public int? ProcessId(string name)
    {
        var line = File.ReadAllLines(Path.Combine(Directory, "pids")).FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return line is null ? null : int.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>From now on <see cref="LogLines"/> reads only what the logs gain: a drill on a cluster another drill used sees its own lines.</summary>
    public void MarkLogs()
    {
        _logsReadFrom.Clear();
        foreach (var log in System.IO.Directory.EnumerateFiles(Path.Combine(Directory, "logs"), "*.log"))
            _logsReadFrom[Path.GetFileNameWithoutExtension(log)] = new FileInfo(log).Length;
    }

    /// <summary>The lines of <paramref name="name"/>'s log, since <see cref="MarkLogs"/> if called, that contain <paramref name="text"/>.</summary>
    public IReadOnlyList<string> LogLines(string name, string text)
    {
        var path = Path.Combine(Directory, "logs", name + ".log");
        if (!File.Exists(path))
            return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(Math.Min(_logsReadFrom.GetValueOrDefault(name), stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Contains(text, StringComparison.OrdinalIgnoreCase))
                lines.Add(line);
        }
        return lines;
    }

    public string LogTail(string name, int lines = 30)
    {
        var path = Path.Combine(Directory, "logs", name + ".log");
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines)) : $"(no {path})";
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        try
        {
            await RunScriptAsync("stop.sh");
        }
        catch (Exception exception)
        {
            Log($"stop.sh failed: {exception.Message}");
        }
        if (!KeepDirectory)
        {
            try { System.IO.Directory.Delete(Directory, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private async Task RunScriptAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "infra", "cluster", script));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in _environment)
            start.Environment[key] = value;
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        var watch = Stopwatch.StartNew();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"infra/cluster/{script} did not finish within {ScriptTimeout.TotalSeconds} s:\n{output}");
        }
        process.WaitForExit(); // drains the output events
        Log($"{script} {string.Join(' ', arguments)} ({watch.Elapsed.TotalSeconds:0.0} s, exit {process.ExitCode})");
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"infra/cluster/{script} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}");
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PurchaseGrains.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No PurchaseGrains.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>The silo's own build output for this test build's configuration (…/bin/Release/net10.0).</summary>
    private static string SiloBuildDirectory()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfm.Parent!.Name;
        var silo = Path.Combine(RepositoryRoot(), "src", "PurchaseGrains.Silo", "bin", configuration, tfm.Name);
        if (!File.Exists(Path.Combine(silo, "PurchaseGrains.Silo.dll")))
            throw new InvalidOperationException($"No silo build at {silo}; build the solution first.");
        return silo;
    }
}
