using Orleans.Hosting;
using Orleans.Hosting.Kubernetes;

namespace PurchaseGrains.Silo.Hosting;

/// <summary>
/// With <c>Orleans:KubernetesHosting</c> true, the silo takes its identity from its pod (Orleans' Kubernetes hosting):
/// silo name = pod name, advertised address = pod IP, cluster and service ids from the pod's <c>orleans/*</c> labels
/// (through <c>ORLEANS_CLUSTER_ID</c> / <c>ORLEANS_SERVICE_ID</c>), and it watches the pods of its cluster, so a
/// deleted pod's silo is declared dead without waiting for failure detection. The pod's details come from the
/// downward API as <c>POD_NAME</c>, <c>POD_NAMESPACE</c> and <c>POD_IP</c> (infra/k8s/deployment.yaml).
/// </summary>
public static class KubernetesRegistration
{
    public static WebApplicationBuilder AddKubernetesHosting(this WebApplicationBuilder builder)
    {
        if (!builder.Configuration.GetValue("Orleans:KubernetesHosting", false))
            return builder;
        builder.UseOrleans(silo => silo.UseKubernetesHosting());
        return builder;
    }
}
