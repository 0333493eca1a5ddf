using Microsoft.Extensions.Hosting;
using PurchaseGrains.Runtime.Core;

namespace PurchaseGrains.Runtime.Hosting;

/// <summary>Graceful shutdown: lets running turns finish (within the host's shutdown timeout).</summary>
internal sealed class TurnDrain(GrainRuntime runtime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        while (runtime.TurnsInFlight > 0 && !cancellationToken.IsCancellationRequested)
            await Task.Delay(20, CancellationToken.None);
    }
}
