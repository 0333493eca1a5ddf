using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Grains.VendingMachine.Fulfillment;
using PurchaseGrains.Storage;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.VendingMachine;

/// <summary>A sandbox provider that holds every submission until released, so a node can die mid buy/init.</summary>
public sealed class GatedFulfillment : IFulfillmentProvider
{
    private readonly SandboxFulfillmentProvider _sandbox = new();

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<MintSubmission> SubmitAsync(MintOperation operation, CancellationToken cancellationToken)
    {
        Entered.TrySetResult();
        await Gate.Task;
        return await _sandbox.SubmitAsync(operation, cancellationToken);
    }

    public Task<MintStatus> GetStatusAsync(string mintId, CancellationToken cancellationToken) =>
        _sandbox.GetStatusAsync(mintId, cancellationToken);
}

public class SessionRecoveryTests
{
    [Fact]
    public async Task ASessionWhoseNodeDiedMidBuyIsFinishedByTheReminderOnTheNextNode()
    {
        var file = Path.Combine(Path.GetTempPath(), $"vm-crash-{Guid.NewGuid():N}.db");
        var settings = new Dictionary<string, string?> { ["Vm:RecoveryDelay"] = "00:00:01", ["Reminders:Lease"] = "00:00:01" };
        var gated = new GatedFulfillment();
        var first = await TestSilo.StartSqliteAsync(file, settings, b => b.Services.AddSingleton<IFulfillmentProvider>(gated));
        var api = new VmApi(first);
        await api.PutPackAsync("p1");
        await api.AddCardsAsync("p1", "c", 1m, 2m, 3m);
        var buying = api.BuyAsync("p1", 2, "u");
        await gated.Entered.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var sessionId = Assert.Single(await first.Services.GetRequiredService<IIndexQueries>().QueryAsync<string>(
            "SELECT DISTINCT session_id FROM vm_cards WHERE status = 'reserved'", null, CancellationToken.None));
        await first.KillAsync();
        gated.Gate.SetException(new OperationCanceledException("node killed"));
        try { await buying; } catch (HttpRequestException) { } // the buyer lost its answer with the node

        await using var second = await TestSilo.StartSqliteAsync(file, settings);
        var api2 = new VmApi(second);
        await Eventually.TrueAsync(async () => (await api2.StatusAsync(sessionId)).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(10), "the recovery reminder to fulfil the interrupted session");
        var (_, body) = await api2.StatusAsync(sessionId);
        Assert.Equal(2, body["result"]!["nfts"]!.AsArray().Count);
        Assert.Equal(2, (await api2.GetAsync("/api/v1/inventory/u")).Body["items"]!.AsArray().Count);
        Assert.Equal(1, (await api2.PackAsync("p1"))["in_stock"]!.GetValue<long>());
    }
}
