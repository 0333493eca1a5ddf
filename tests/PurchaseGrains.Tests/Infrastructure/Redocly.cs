using System.Diagnostics;
using PurchaseGrains.Tests.Faults;

namespace PurchaseGrains.Tests.Infrastructure;

/// <summary>
/// The OpenAPI validator <c>@redocly/cli</c>, pinned by tests/openapi-lint/package-lock.json and installed there by
/// infra/test.sh (<c>npm ci</c>). Missing, its tests skip locally but fail under <c>CI=true</c>.
/// </summary>
public static class Redocly
{
    public static string Directory => Path.Combine(LocalCluster.RepositoryRoot(), "tests", "openapi-lint");

    private static string Executable => Path.Combine(Directory, "node_modules", ".bin", "redocly");

    private static string InstallHint => $"Install it with: npm ci --prefix {Directory} (infra/test.sh does).";

    /// <summary>Why redocly tests are skipped on this machine, or null when they must run.</summary>
    public static string? SkipReason => File.Exists(Executable) || RunningInCi ? null : $"@redocly/cli is not installed. {InstallHint}";

    private static bool RunningInCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs <c>redocly lint</c> with the repository's rules on the document; the exit code and all output.</summary>
    public static async Task<(int ExitCode, string Output)> LintAsync(string documentPath)
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"CI=true but {Executable} is missing: the OpenAPI lint must run in CI. {InstallHint}");

        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["lint", documentPath, "--config", Path.Combine(Directory, "redocly.yaml"), "--format", "stylish"])
            start.ArgumentList.Add(argument);
        // No telemetry or update check: the lint must not depend on the network.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"redocly lint of {documentPath} did not finish within 2 minutes.");
        }
        return (process.ExitCode, await output + await errors);
    }
}

/// <summary>A test that runs <see cref="Redocly"/>: skipped when it is not installed, unless <c>CI=true</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RedoclyFactAttribute : FactAttribute
{
    public RedoclyFactAttribute()
    {
        if (Redocly.SkipReason is { } reason)
            Skip = reason;
    }
}
