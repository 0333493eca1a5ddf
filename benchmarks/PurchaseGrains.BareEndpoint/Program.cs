// The cost of nginx + Kestrel + a minimal API alone, measured beside the silo routes by benchmarks/load/run.sh.
// Logging is off so that the baseline is not a console-logging benchmark.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapGet("/bare", () => TypedResults.Ok(new Bare("bare", 1)));
app.Run();

internal sealed record Bare(string Status, int Value);
