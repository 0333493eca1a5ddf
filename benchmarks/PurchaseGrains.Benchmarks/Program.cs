using PurchaseGrains.Benchmarks;

// Run on demand, not in CI: `bash infra/bench.sh [grains|reminders|all]` (starts a throwaway PostgreSQL).
var connection = Environment.GetEnvironmentVariable("PG_BENCH_CONNECTION")
    ?? throw new InvalidOperationException("Set PG_BENCH_CONNECTION (infra/bench.sh does).");
var which = args.FirstOrDefault() ?? "all";
var seconds = int.TryParse(Environment.GetEnvironmentVariable("BENCH_SECONDS"), out var s) ? s : 10;

await using var databases = new BenchDatabases(connection);
var suites = new Dictionary<string, Func<Task>>
{
    ["grains"] = () => GrainBenchmarks.RunAsync(databases, seconds),
    ["reminders"] = () => ReminderLatenessBenchmark.RunAsync(databases),
};
foreach (var (name, run) in suites)
{
    if (which == "all" || which == name)
        await run();
}
