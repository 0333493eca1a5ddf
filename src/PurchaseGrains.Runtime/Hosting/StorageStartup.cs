using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Runtime.Hosting;

/// <summary>Creates or migrates the schema before anything else starts, waiting a while for the database to come up.</summary>
internal sealed partial class StorageStartup(
    IStorageInitializer initializer,
    IEnumerable<IndexTable> indexTables,
    ILogger<StorageStartup> logger) : IHostedService
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var tables = indexTables.ToList();
        var deadline = DateTime.UtcNow + GiveUpAfter;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await initializer.InitializeAsync(tables, cancellationToken);
                return;
            }
            catch (Exception exception) when (DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
            {
                LogStorageNotReady(exception, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage is not ready (attempt {Attempt}); retrying")]
    private partial void LogStorageNotReady(Exception exception, int attempt);
}
