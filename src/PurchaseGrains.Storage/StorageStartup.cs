using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PurchaseGrains.Storage;

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

public static class StorageStartupServiceCollectionExtensions
{
    /// <summary>Creates the storage schema (state rows and the registered index tables) before anything else starts.</summary>
    public static IServiceCollection AddStorageStartup(this IServiceCollection services)
    {
        services.AddHostedService<StorageStartup>();
        return services;
    }

    /// <summary>Declares a query table; providers create it at start-up.</summary>
    public static IServiceCollection AddIndexTable(this IServiceCollection services, IndexTable table)
    {
        services.AddSingleton(table);
        return services;
    }
}
