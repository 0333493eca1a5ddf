using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Npgsql;
using PurchaseGrains.Storage.Postgres;

namespace PurchaseGrains.Tests.Storage;

public sealed class PostgresStorageErrorsTests
{
    public static TheoryData<string> OutageStates => ["57P01", "57P02", "57P03", "08006", "08001", "53300"];

    [Theory]
    [MemberData(nameof(OutageStates))]
    public void ServerSideOutagesAreTransient(string sqlState) =>
        Assert.True(PostgresStorageErrors.IsTransient(new PostgresException("gone", "FATAL", "FATAL", sqlState)));

    [Fact]
    public void NetworkFailuresAreTransientEvenWhenWrapped()
    {
        Assert.True(PostgresStorageErrors.IsTransient(new NpgsqlException("Exception while reading from stream", new IOException("reset"))));
        Assert.True(PostgresStorageErrors.IsTransient(new InvalidOperationException("turn failed", new SocketException((int)SocketError.ConnectionRefused))));
    }

    [Fact]
    public void ErrorsInTheRequestAreNotTransient()
    {
        Assert.False(PostgresStorageErrors.IsTransient(new PostgresException("duplicate key", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation)));
        Assert.False(PostgresStorageErrors.IsTransient(new PostgresException("syntax", "ERROR", "ERROR", PostgresErrorCodes.SyntaxError)));
        Assert.False(PostgresStorageErrors.IsTransient(new InvalidOperationException("bug")));
    }

    [Fact]
    public async Task AnUnreachableServerIsNotReady()
    {
        var store = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Username=nobody;Timeout=2" })
            .Build();
        await using var node = new StorageNode("node-a", services => services.AddPostgresGrainStorage(store));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        Assert.False(await node.Health.IsReadyAsync(deadline.Token));
    }
}
