using PurchaseGrains.Benchmarks;
using PurchaseGrains.Benchmarks.Intents;

// Run on demand, not in CI: `bash infra/bench.sh [grains|deadlines|long-poll|intents-create|intents-list|intents-expiry|azure|all]`
// (starts a throwaway PostgreSQL, and Azurite for azure).
var connection = Environment.GetEnvironmentVariable("PG_BENCH_CONNECTION")
    ?? throw new InvalidOperationException("Set PG_BENCH_CONNECTION (infra/bench.sh does).");
var which = args.FirstOrDefault() ?? "all";
var seconds = int.TryParse(Environment.GetEnvironmentVariable("BENCH_SECONDS"), out var s) ? s : 10;

await using var databases = new BenchDatabases(connection);
var suites = new Dictionary<string, Func<Task>>
{
    ["grains"] = () => GrainBenchmarks.RunAsync(databases, seconds),
    ["deadlines"] = () => ReminderLatenessBenchmark.RunAsync(databases),
    ["long-poll"] = () => LongPollWakeBenchmark.RunAsync(databases),
    ["intents-create"] = () => IntentCreateBenchmark.RunAsync(databases, seconds),
    ["intents-list"] = () => IntentListBenchmark.RunAsync(databases, seconds),
    ["intents-expiry"] = () => IntentExpiryBenchmark.RunAsync(databases),
    ["azure"] = () => AzureStorageBenchmark.RunAsync(databases,
        Environment.GetEnvironmentVariable("AZURITE_BENCH_CONNECTION") ?? throw new InvalidOperationException("Set AZURITE_BENCH_CONNECTION (infra/bench.sh does)."),
        seconds),
};
if (which != "all" && !suites.ContainsKey(which))
    throw new ArgumentException($"Unknown suite '{which}'; known: {string.Join(", ", suites.Keys)}, all");
Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()}");
foreach (var (name, run) in suites)
{
    if (which == "all" || which == name)
        await run();
}
