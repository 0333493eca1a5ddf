using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PurchaseGrains.Storage;
using PurchaseGrains.Storage.Postgres;

namespace PurchaseGrains.Tests.Storage.AzureStorage;

/// <summary>
/// The PostgreSQL query-row store of the AzureStorage profile with a fault a test can arm: the next row write of a
/// chosen grain fails as if PostgreSQL had gone away, after the grain state was already stored. Every write that got
/// through is recorded, so a test can replay an old one late.
/// </summary>
public sealed class FaultyQueryRows(IQueryRowStore inner) : IQueryRowStore
{
    private volatile Func<StateRowId, bool>? _failNext;

    public IQueryRowStore Inner { get; } = inner;

    public ConcurrentQueue<(StateRowId Id, long Version, IReadOnlyList<IndexRow> Rows)> Written { get; } = new();

    public int Failed { get; private set; }

    /// <summary>Installs the store in a silo being built (before the host's own registration, which then stands aside).</summary>
    public static void Install(WebApplicationBuilder builder) =>
        builder.Services.AddSingleton<IQueryRowStore>(provider => new FaultyQueryRows(new PostgresQueryRowStore(
            provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<PostgresWriteCombiner>())));

    /// <summary>The store of a silo started with <see cref="Install"/>.</summary>
    public static FaultyQueryRows Of(IServiceProvider services) => (FaultyQueryRows)services.GetRequiredService<IQueryRowStore>();

    public void FailNextWriteOf(Func<StateRowId, bool> grain) => _failNext = grain;

    public async Task WriteAsync(StateRowId id, long stateVersion, IReadOnlyList<IndexRow> rows, CancellationToken cancellationToken)
    {
        if (_failNext is { } fail && fail(id))
        {
            _failNext = null;
            Failed++;
            throw new SocketException((int)SocketError.ConnectionReset);
        }
        await Inner.WriteAsync(id, stateVersion, rows, cancellationToken);
        Written.Enqueue((id, stateVersion, rows));
    }

    public Task DeleteAsync(StateRowId id, IReadOnlyList<string> tables, CancellationToken cancellationToken) =>
        Inner.DeleteAsync(id, tables, cancellationToken);
}
