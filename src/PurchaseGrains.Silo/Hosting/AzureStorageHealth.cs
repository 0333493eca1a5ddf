using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Silo.Hosting;

/// <summary>Ready when both stores of the AzureStorage profile answer: the table service and PostgreSQL (query rows).</summary>
internal sealed class AzureStorageHealth(TableServiceClient tables, IStorageHealth queryRows) : IStorageHealth
{
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in tables.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
                break;
        }
        catch (Exception)
        {
            return false;
        }
        return await queryRows.IsReadyAsync(cancellationToken);
    }
}

internal static class AzureStorageHealthRegistration
{
    /// <summary>Replaces the PostgreSQL-only health check with one that asks Azure storage too.</summary>
    public static IServiceCollection AddAzureStorageHealth(this IServiceCollection services, IConfiguration configuration)
    {
        var tables = AzureStorageSettings.From(configuration).CreateTableServiceClient();
        var descriptor = services.Single(d => d.ServiceType == typeof(IStorageHealth));
        services.Remove(descriptor);
        services.AddSingleton<IStorageHealth>(provider =>
            new AzureStorageHealth(tables, (IStorageHealth)ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!)));
        return services;
    }
}
