using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using PurchaseGrains.Silo;

namespace PurchaseGrains.Tests.Kubernetes;

/// <summary>With Kubernetes hosting on (the downward API's variables set, as in infra/k8s/deployment.yaml), the silo's identity is its pod's: name, address, and the cluster of its labels.</summary>
public class PodIdentityTests
{
    [Fact]
    public async Task ASiloHostedInKubernetesIsNamedAfterItsPodListensOnThePodAndJoinsTheClusterOfItsLabels()
    {
        using var pod = new PodEnvironment(name: "purchasegrains-silo-7d9f4-x2k8p", @namespace: "shop", ip: "10.244.1.17");
        await using var app = Build(new() { ["Orleans:KubernetesHosting"] = "true" });

        Assert.Equal("purchasegrains-silo-7d9f4-x2k8p", app.Services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
        // The advertised address is the pod IP too: the Deployment passes status.podIP as Orleans__AdvertisedIPAddress.
        var endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
        Assert.Equal(new IPEndPoint(IPAddress.Any, endpoints.SiloPort), endpoints.SiloListeningEndpoint);
        var cluster = app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        Assert.Equal(("shop-cluster", "shop-service"), (cluster.ClusterId, cluster.ServiceId));
    }

    [Fact]
    public async Task ASiloOutsideKubernetesKeepsItsConfiguredIdentity()
    {
        await using var app = Build(new() { ["Orleans:AdvertisedIPAddress"] = "127.0.0.1" });

        Assert.NotEqual("purchasegrains-silo-7d9f4-x2k8p", app.Services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
        Assert.Equal(IPAddress.Loopback, app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value.AdvertisedIPAddress);
        Assert.Equal("purchasegrains", app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId);
    }

    /// <summary>A PostgreSQL silo, built but not started: nothing connects anywhere.</summary>
    private static Microsoft.AspNetCore.Builder.WebApplication Build(Dictionary<string, string?> settings) =>
        SiloApp.Create(["--environment", "Testing"], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            ["Storage:Provider"] = "Postgres",
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Database=none;Username=none",
        }));

    /// <summary>The downward API's variables of a pod, for the duration of one test (no other test reads them).</summary>
    private sealed class PodEnvironment : IDisposable
    {
        private static readonly string[] Names = ["POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_CLUSTER_ID", "ORLEANS_SERVICE_ID"];

        public PodEnvironment(string name, string @namespace, string ip)
        {
            Environment.SetEnvironmentVariable("POD_NAME", name);
            Environment.SetEnvironmentVariable("POD_NAMESPACE", @namespace);
            Environment.SetEnvironmentVariable("POD_IP", ip);
            // From the pod's orleans/clusterId and orleans/serviceId labels.
            Environment.SetEnvironmentVariable("ORLEANS_CLUSTER_ID", "shop-cluster");
            Environment.SetEnvironmentVariable("ORLEANS_SERVICE_ID", "shop-service");
        }

        public void Dispose()
        {
            foreach (var variable in Names)
                Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
