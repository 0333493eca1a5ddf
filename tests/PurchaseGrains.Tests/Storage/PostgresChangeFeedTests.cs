using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Npgsql;
using PurchaseGrains.Runtime;
using PurchaseGrains.Runtime.Storage;
using PurchaseGrains.Storage.Postgres;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Storage;

/// <summary>Two nodes (two containers, two feeds, different node ids) on one database, as in a cluster.</summary>
public sealed class PostgresChangeFeedTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromSeconds(60));
    private StorageNode _nodeA = null!;
    private StorageNode _nodeB = null!;

    private PostgresGrainChangeFeed FeedA => (PostgresGrainChangeFeed)_nodeA.ChangeFeed;
    private PostgresGrainChangeFeed FeedB => (PostgresGrainChangeFeed)_nodeB.ChangeFeed;

    public async Task InitializeAsync()
    {
        if (PostgresDatabase.SkipReason is not null)
        {
            return;
        }

        var store = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = database.ConnectionString })
            .Build();
        _nodeA = new StorageNode("node-a", services => services.AddPostgresGrainStorage(store));
        _nodeB = new StorageNode("node-b", services => services.AddPostgresGrainStorage(store));
        await Task.WhenAll(FeedA.WaitUntilConnectedAsync(_deadline.Token), FeedB.WaitUntilConnectedAsync(_deadline.Token));
    }

    public async Task DisposeAsync()
    {
        if (_nodeA is not null)
        {
            await _nodeA.DisposeAsync();
            await _nodeB.DisposeAsync();
        }

        _deadline.Dispose();
    }

    [PostgresFact]
    public async Task AChangePublishedOnOneNodeReachesEveryNodeWithinAHundredMilliseconds()
    {
        var latencies = new List<TimeSpan>();
        for (var sample = 0; sample < 5; sample++)
        {
            var grain = new GrainId("session", Guid.NewGuid().ToString());
            var onA = FirstChangeOf(FeedA, grain, out var subscriptionA);
            var onB = FirstChangeOf(FeedB, grain, out var subscriptionB);
            using (subscriptionA)
            using (subscriptionB)
            {
                var clock = Stopwatch.StartNew();
                FeedA.Publish(grain);
                var changes = await Within(Task.WhenAll(onA, onB), TimeSpan.FromSeconds(5), $"the change of {grain} on both nodes");
                latencies.Add(clock.Elapsed);

                Assert.All(changes, change => Assert.Equal(new GrainChange(grain, "node-a"), change));
            }
        }

        LatencyAssert.MedianUnder(TimeSpan.FromMilliseconds(100), latencies, "delivery to both nodes");
    }

    [PostgresFact]
    public async Task ABurstLargerThanOneNotifyPayloadArrivesWhole()
    {
        var grains = Enumerable.Range(0, 3000)
            .Select(i => new GrainId("intent", $"{i:D5}-{new string('k', 60)}-{Guid.NewGuid()}"))
            .ToList();
        var missing = new HashSet<GrainId>(grains);
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = FeedB.Subscribe(change =>
        {
            lock (missing)
            {
                if (missing.Remove(change.GrainId) && missing.Count == 0)
                {
                    allArrived.TrySetResult();
                }
            }
        });

        foreach (var grain in grains)
        {
            FeedA.Publish(grain);
        }

        await Within(allArrived.Task, TimeSpan.FromSeconds(10), "every change of the burst on node-b");
    }

    [PostgresFact]
    public async Task TheFeedReconnectsAfterItsConnectionsAreKilled()
    {
        await TerminateFeedConnectionsAsync();
        var grain = new GrainId("session", Guid.NewGuid().ToString());
        var onB = FirstChangeOf(FeedB, grain, out var subscription);
        using (subscription)
        {
            // Nothing tells the test when the listener is back, and a change sent before that is lost by design.
            using var republish = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (!onB.IsCompleted && await republish.WaitForNextTickAsync(_deadline.Token))
            {
                FeedA.Publish(grain);
            }

            Assert.Equal(new GrainChange(grain, "node-a"), await onB);
        }
    }

    private static Task<GrainChange> FirstChangeOf(IGrainChangeFeed feed, GrainId grain, out IDisposable subscription)
    {
        var received = new TaskCompletionSource<GrainChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscription = feed.Subscribe(change =>
        {
            if (change.GrainId == grain)
            {
                received.TrySetResult(change);
            }
        });
        return received.Task;
    }

    private async Task TerminateFeedConnectionsAsync()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(_deadline.Token);
        await using var command = new NpgsqlCommand("""
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE '%' || @suffix
            """, connection);
        command.Parameters.AddWithValue("suffix", PostgresStorageServiceCollectionExtensions.ChangeFeedApplicationSuffix);
        Assert.Equal(4L, await command.ExecuteScalarAsync(_deadline.Token));
    }

    private static async Task<T> Within<T>(Task<T> task, TimeSpan timeout, string what)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalMilliseconds} ms waiting for {what}.");
        }
    }

    private static async Task Within(Task task, TimeSpan timeout, string what) =>
        await Within(task.ContinueWith(static _ => true, TaskScheduler.Default), timeout, what);
}
