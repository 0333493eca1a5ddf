using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace PurchaseGrains.Tests.Storage.Orleans;

/// <summary>
/// Orleans' reminder table contract (<see cref="IReminderTable"/>): rows keyed by (grain, reminder name) within one
/// service, a new ETag on every upsert, removal only by the current ETag, and range reads over the grains' uniform
/// hashes on the uint ring, <c>(begin, end]</c>, wrapping past zero when begin &gt;= end. Each test gets a fresh, empty
/// store; a subclass per provider says how to make one and registers the table as the silo does.
/// </summary>
public abstract partial class ReminderTableConformanceTests : IAsyncLifetime
{
    /// <summary>Milliseconds included: both stores keep them, and the reminder service computes ticks from them.</summary>
    protected static readonly DateTime StartAt = new(2030, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);

    protected static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(60));
    private readonly List<ServiceProvider> _services = [];
    private IConfiguration? _store;

    protected IReminderTable Table { get; private set; } = null!;

    /// <summary>Makes a new empty store and returns the configuration that points a provider at it.</summary>
    protected abstract Task<IConfiguration> CreateStoreAsync();

    /// <summary>Orleans' reminder table on the store, registered as the silo registers it (<c>OrleansRegistration</c>).</summary>
    protected abstract void AddReminderTable(IServiceCollection services, IConfiguration store);

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        Table = await StartTableAsync($"service-{Guid.NewGuid():N}");
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var services in _services)
            await services.DisposeAsync();
        _deadline.Dispose();
    }

    /// <summary>A silo's reminder table for <paramref name="serviceId"/> on this test's store, started.</summary>
    protected async Task<IReminderTable> StartTableAsync(string serviceId)
    {
        var store = _store ?? throw new InvalidOperationException("The store is not created yet.");
        var services = new ServiceCollection();
        services.Configure<ClusterOptions>(options => (options.ClusterId, options.ServiceId) = ("conformance", serviceId));
        AddReminderTable(services, store);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _services.Add(provider);
        var table = provider.GetRequiredService<IReminderTable>();
        await table.StartAsync(_deadline.Token);
        return table;
    }

    protected static GrainId NewGrain() => GrainId.Create("conformance_reminder", Guid.NewGuid().ToString("N"));

    protected static ReminderEntry Reminder(GrainId grain, string name, DateTime? startAt = null, TimeSpan? period = null) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = startAt ?? StartAt,
        Period = period ?? Period,
    };

    protected static void AssertSameReminder(ReminderEntry expected, string? expectedETag, ReminderEntry? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(
            (expected.GrainId, expected.ReminderName, expected.StartAt, expected.Period, expectedETag),
            (actual.GrainId, actual.ReminderName, actual.StartAt, actual.Period, actual.ETag));
    }

    protected static IEnumerable<(GrainId, string)> Keys(ReminderTableData data) =>
        data.Reminders.Select(reminder => (reminder.GrainId, reminder.ReminderName)).OrderBy(key => key.ToString());
}
