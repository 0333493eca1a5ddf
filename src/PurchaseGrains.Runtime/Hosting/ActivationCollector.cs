using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PurchaseGrains.Runtime.Core;

namespace PurchaseGrains.Runtime.Hosting;

/// <summary>Collects idle activations so a node's memory follows its working set, not its history.</summary>
internal sealed class ActivationCollector(GrainRuntime runtime, IOptions<SiloOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = options.Value.ActivationIdleTimeout;
        var every = TimeSpan.FromTicks(Math.Clamp(idle.Ticks / 2, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromMinutes(1).Ticks));
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await runtime.CollectIdleAsync(idle, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
