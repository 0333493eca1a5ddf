using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace PurchaseGrains.Storage.Postgres;

public static class PostgresStorageServiceCollectionExtensions
{
    private const string KeyedWritesDataSource = "PurchaseGrains.Storage.Postgres.KeyedWrites";

    /// <summary>
    /// For every storage connection: no sequential scans. Statements are prepared once per connection and their plan
    /// kept, and a plan made while a table was small (before autovacuum had analysed it) scanned the whole table on
    /// every use after: thousands of pages per statement. Where no index applies PostgreSQL still scans; the setting
    /// only prices it out. (Hash joins stay: they join a batch's own rows, and a nested loop there is quadratic.)
    /// </summary>
    private const string NoSequentialScans = "-c enable_seqscan=off";

    /// <summary>
    /// For the state statements, which address rows by key: always the generic plan. Left to choose,
    /// the server re-planned the listing's multi-table write on every use (0.3 ms each). Not for index queries:
    /// a filter on a rare value (PENDING among a million) needs the plan made for that value.
    /// </summary>
    private const string GenericPlans = "-c plan_cache_mode=force_generic_plan";

    /// <summary>
    /// Connections writing grain state at once (and, as many, reading it); more than this wait and join the next batch.
    /// </summary>
    private const int DefaultWriters = 8;

    private const int DefaultMaxAutoPrepare = 256;

    /// <summary>
    /// Connections for queries (lists, a listing's ledger lines, membership and reminder reads) per silo, unless the
    /// connection string sets its own <c>Maximum Pool Size</c>. Npgsql's 100 let three silos under an expiry storm
    /// open more connections than PostgreSQL's default 100 allows ("too many clients"); with the combiners' 2 x 8,
    /// a silo now holds at most 32.
    /// </summary>
    private const int DefaultQueryConnections = 16;

    private static readonly int NpgsqlDefaultMaxPoolSize = new NpgsqlConnectionStringBuilder().MaxPoolSize;

    /// <summary>
    /// Registers the cluster store on <c>ConnectionStrings:Postgres</c>: an <see cref="NpgsqlDataSource"/> (unless one is
    /// registered already) and every storage service as a singleton.
    /// </summary>
    public static IServiceCollection AddPostgresGrainStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLogging();
        var writers = configuration.GetValue("Storage:Postgres:Writers", DefaultWriters);
        services.TryAddSingleton(provider => BuildDataSource(provider, ConnectionString(configuration),
            builder => UseGrainStorageDefaults(builder, NoSequentialScans, DefaultQueryConnections)));
        // The write and read combiners each hold at most `writers` connections.
        services.AddKeyedSingleton(KeyedWritesDataSource, (provider, _) => BuildDataSource(provider, ConnectionString(configuration),
            builder => UseGrainStorageDefaults(builder, $"{NoSequentialScans} {GenericPlans}", 2 * writers)));

        services.AddSingleton(provider => new PostgresWriteCombiner(
            provider.GetRequiredKeyedService<NpgsqlDataSource>(KeyedWritesDataSource), writers));
        services.AddSingleton(provider => new PostgresReadCombiner(
            provider.GetRequiredKeyedService<NpgsqlDataSource>(KeyedWritesDataSource), writers));
        services.AddSingleton<IStateRowStore, PostgresGrainStorage>();
        services.AddSingleton<IIndexQueries, PostgresIndexQueries>();
        services.AddSingleton<IStorageInitializer, PostgresStorageInitializer>();
        services.AddSingleton<IStorageHealth, PostgresStorageHealth>();
        return services;
    }

    /// <summary>
    /// Query rows alone on <c>ConnectionStrings:Postgres</c>, for grain state kept elsewhere (the AzureStorage profile):
    /// <see cref="IQueryRowStore"/>, the list queries, and the schema (its query tables).
    /// </summary>
    public static IServiceCollection AddPostgresQueryRows(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPostgresGrainStorage(configuration);
        services.RemoveAll<IStateRowStore>();
        // TryAdd: a store registered before (a test's, injecting faults around this one) wins.
        services.TryAddSingleton<IQueryRowStore>(provider => new PostgresQueryRowStore(
            provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<PostgresWriteCombiner>()));
        return services;
    }

    /// <summary>Orleans' membership and reminder tables on the same PostgreSQL (the default data source).</summary>
    public static IServiceCollection AddPostgresClusterTables(this IServiceCollection services) =>
        services.AddPostgresMembershipTable().AddPostgresClusterReminders();

    public static IServiceCollection AddPostgresMembershipTable(this IServiceCollection services)
    {
        services.AddSingleton<Orleans.IMembershipTable, Clustering.PostgresMembershipTable>();
        return services;
    }

    /// <summary>
    /// Orleans' reminder table alone, for a cluster whose membership lives elsewhere (a test cluster's). Its writes join
    /// the grain writes' batches, so it needs <see cref="AddPostgresGrainStorage"/> too.
    /// </summary>
    public static IServiceCollection AddPostgresClusterReminders(this IServiceCollection services)
    {
        services.AddSingleton<Orleans.IReminderTable>(provider => new Clustering.PostgresClusterReminderTable(
            provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<PostgresWriteCombiner>(),
            provider.GetRequiredService<IOptions<Orleans.Configuration.ClusterOptions>>()));
        return services;
    }

    private static string ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("Postgres")
        ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set; PostgreSQL grain storage needs it.");

    /// <summary>
    /// Defaults suited to the storage connections: no reset when a connection goes back to the pool (storage
    /// statements leave no session state behind, and the reset costs a statement per use); automatic preparation,
    /// since the same few statement texts run all the time (an explicit <c>Max Auto Prepare</c> wins); and planner
    /// settings, after any <c>Options</c> given.
    /// </summary>
    private static void UseGrainStorageDefaults(NpgsqlConnectionStringBuilder settings, string plannerOptions, int maxPoolSize)
    {
        if (settings.MaxPoolSize == NpgsqlDefaultMaxPoolSize)
            settings.MaxPoolSize = maxPoolSize;
        settings.NoResetOnClose = true;
        if (settings.MaxAutoPrepare == 0)
            settings.MaxAutoPrepare = DefaultMaxAutoPrepare;
        settings.Options = string.IsNullOrEmpty(settings.Options) ? plannerOptions : $"{settings.Options} {plannerOptions}";
    }

    private static NpgsqlDataSource BuildDataSource(IServiceProvider provider, string connectionString,
        Action<NpgsqlConnectionStringBuilder> adjust)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        adjust(builder.ConnectionStringBuilder);
        return builder.UseLoggerFactory(provider.GetRequiredService<ILoggerFactory>()).Build();
    }
}
