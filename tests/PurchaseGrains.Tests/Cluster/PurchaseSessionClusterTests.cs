using Npgsql;
using Orleans;
using PurchaseGrains.Grains.VendingMachine;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Cluster;

/// <summary>Purchase sessions on a multi-silo Orleans test cluster: timer polling on the fake clock, deadlines, a killed silo.</summary>
public class PurchaseSessionClusterTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan RealTimeLimit = TimeSpan.FromSeconds(30);

    [PostgresFact]
    public async Task APendingMintIsPolledOnTheGrainTimerAndItsWaiterWokenWhenItCompletes()
    {
        await using var cluster = await GrainCluster.StartAsync(await database.CreateSchemaAsync(), silos: 2, recoveryDelay: TimeSpan.FromHours(1));
        var pack = await cluster.AddPackAsync("timer-pack", cards: 10);
        var sessions = await StartSessionsAsync(cluster, pack, count: 4);
        Assert.All(sessions, s => Assert.Equal(SessionStatus.Minting, s.Status));

        var pollsBefore = cluster.Mints.Polls;
        cluster.Clock.Advance(GrainCluster.PollInterval);
        await Eventually.TrueAsync(() => cluster.Mints.Polls >= pollsBefore + sessions.Count, RealTimeLimit, "a timer poll of every session");

        // As buy/status does: wait for each change until the session is done. The clock moves one poll interval only,
        // so each answer comes from the turn that changed the session, never from the one-minute wait running out.
        var waiting = WaitUntilDoneAsync(cluster.Grains.GetGrain<IPurchaseSessionGrain>(sessions[0].SessionId));
        cluster.Mints.Complete(OperationOf(cluster, sessions[0].UserId));
        cluster.Clock.Advance(GrainCluster.PollInterval);
        var woken = await waiting.WaitAsync(RealTimeLimit);
        Assert.Equal(SessionStatus.Fulfilled, woken.Status);
        Assert.Equal(2, woken.Items.Count);

        cluster.Mints.CompleteAll();
        cluster.Clock.Advance(GrainCluster.PollInterval);
        await Eventually.TrueAsync(async () => (await ViewsAsync(cluster, sessions)).All(s => s.Status == SessionStatus.Fulfilled),
            RealTimeLimit, "every session to be fulfilled on its next timer tick");
        await AssertOneMintEachAndNoCardTwiceAsync(cluster, sessions);
    }

    [PostgresFact]
    public async Task AMintStillPendingAtItsDeadlineFailsTheSessionAndReleasesItsCards()
    {
        await using var cluster = await GrainCluster.StartAsync(await database.CreateSchemaAsync(), silos: 2, recoveryDelay: TimeSpan.FromHours(1));
        var pack = await cluster.AddPackAsync("deadline-pack", cards: 2);
        var sessions = await StartSessionsAsync(cluster, pack, count: 1);

        cluster.Clock.Advance(GrainCluster.MintDeadline + GrainCluster.PollInterval);
        await Eventually.TrueAsync(async () => (await ViewsAsync(cluster, sessions)).Single().Status == SessionStatus.Failed,
            RealTimeLimit, "the timer tick past the deadline to fail the session");
        for (var i = 1; i <= 2; i++)
        {
            var card = await cluster.Grains.GetGrain<ICardGrain>($"{pack.Id}-card-{i}").Get();
            Assert.Equal(CardStatus.Available, card!.Status);
        }
        // The pool has its cards back: a new purchase gets both.
        var again = await StartSessionsAsync(cluster, pack, count: 1, userPrefix: "again");
        Assert.Equal(SessionStatus.Minting, again.Single().Status);
    }

    [PostgresFact]
    public async Task SessionsMintingOnAKilledSiloAreFinishedOnAnotherSiloWithOneMintEach()
    {
        var connection = await database.CreateSchemaAsync();
        await using var cluster = await GrainCluster.StartAsync(connection, silos: 3, recoveryDelay: TimeSpan.FromSeconds(1));
        var pack = await cluster.AddPackAsync("kill-pack", cards: 30);
        var sessions = await StartSessionsAsync(cluster, pack, count: 12);

        var victim = cluster.Cluster.Silos
            .Select(silo => (silo, hosted: sessions.Count(s => HostOf(cluster, s.SessionId) == silo.SiloAddress)))
            .MaxBy(x => x.hosted);
        Assert.True(victim.hosted > 0);
        cluster.Mints.CompleteAll();
        await cluster.Cluster.KillSiloAsync(victim.silo);

        // Watched through the query rows the fulfilling write adds, so that no call activates a session: only the
        // backstop reminders, taken over by the surviving silos, can finish them.
        await Eventually.TrueAsync(async () => await CountPulledItemsAsync(connection, sessions) == sessions.Count * 2,
            RealTimeLimit, "every session to be fulfilled by its reminder");
        Assert.All(await ViewsAsync(cluster, sessions), s => Assert.Equal(SessionStatus.Fulfilled, s.Status));
        await AssertOneMintEachAndNoCardTwiceAsync(cluster, sessions);
    }

    private static async Task<List<SessionView>> StartSessionsAsync(GrainCluster cluster, PackDefinition pack, int count,
        string userPrefix = "u")
    {
        var views = new List<SessionView>();
        for (var i = 0; i < count; i++)
        {
            var result = await cluster.Grains.GetGrain<IPurchaseSessionGrain>(Guid.NewGuid().ToString("N"))
                .Init(new BuyCommand("p1", $"{userPrefix}{i}", pack, 2));
            Assert.Equal(BuyOutcome.Started, result.Outcome);
            views.Add(result.Session!);
        }
        return views;
    }

    private static async Task<SessionView> WaitUntilDoneAsync(IPurchaseSessionGrain session)
    {
        var known = SessionStatus.Minting;
        while (true)
        {
            var view = (await session.WaitForChange("p1", known, TimeSpan.FromMinutes(1)))!;
            if (view.Status is SessionStatus.Fulfilled or SessionStatus.Failed)
                return view;
            known = view.Status;
        }
    }

    private static async Task<List<SessionView>> ViewsAsync(GrainCluster cluster, IEnumerable<SessionView> sessions) =>
        [.. await Task.WhenAll(sessions.Select(async s => (await cluster.Grains.GetGrain<IPurchaseSessionGrain>(s.SessionId).Get("p1"))!))];

    private static string OperationOf(GrainCluster cluster, string userId) =>
        cluster.Mints.Submissions.First(m => m.UserId == userId).OperationId;

    private static Orleans.Runtime.SiloAddress? HostOf(GrainCluster cluster, string sessionId) =>
        cluster.Cluster.TryGetGrainContext(cluster.Grains.GetGrain<IPurchaseSessionGrain>(sessionId).GetGrainId(), out var context)
            ? context.Address.SiloAddress
            : null;

    /// <summary>One mint operation per session, submitted once; every delivered card delivered to one session only.</summary>
    private static async Task AssertOneMintEachAndNoCardTwiceAsync(GrainCluster cluster, List<SessionView> sessions)
    {
        foreach (var session in sessions)
        {
            var submitted = cluster.Mints.Submissions.Where(m => m.UserId == session.UserId).ToList();
            Assert.Single(submitted.Select(m => m.OperationId).Distinct());
            Assert.Single(submitted);
        }
        var cards = (await ViewsAsync(cluster, sessions)).SelectMany(s => s.Items).Select(i => i.Card.Id).ToList();
        Assert.Equal(sessions.Count * 2, cards.Distinct().Count());
        Assert.Equal(cards.Count, cards.Distinct().Count());
        foreach (var view in await ViewsAsync(cluster, sessions))
        {
            foreach (var item in view.Items)
            {
                var card = await cluster.Grains.GetGrain<ICardGrain>(item.Card.Id).Get();
                Assert.Equal((CardStatus.Sold, view.SessionId), (card!.Status, card.SessionId));
            }
        }
    }

    private static async Task<long> CountPulledItemsAsync(string connectionString, List<SessionView> sessions)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT COUNT(*) FROM {VmIndexTables.Pulls} WHERE session_id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", sessions.Select(s => s.SessionId).ToArray());
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
