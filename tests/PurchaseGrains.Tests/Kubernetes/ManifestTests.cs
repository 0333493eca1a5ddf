using System.Diagnostics;
using PurchaseGrains.Tests.Faults;

namespace PurchaseGrains.Tests.Kubernetes;

/// <summary>
/// infra/k8s checked by infra/k8s/validate.sh: yamllint, the kustomize build, and the Kubernetes schemas of every
/// object (kubernetes-models, pinned by infra/k8s/schema-check/package-lock.json). Without Node.js the tests skip
/// locally and fail under CI=true.
/// </summary>
public class ManifestTests
{
    private static readonly string Folder = Path.Combine(LocalCluster.RepositoryRoot(), "infra", "k8s");

    [ManifestFact]
    public async Task EveryManifestPassesYamllintAndTheKubernetesSchemas()
    {
        var (exitCode, output) = await ValidateAsync();

        Assert.True(exitCode == 0, output);
        foreach (var line in new[]
        {
            "ok    yamllint", "Deployment/purchasegrains-silo", "Service/purchasegrains", "PodDisruptionBudget/purchasegrains-silo",
            "ServiceAccount/purchasegrains-silo", "Role/purchasegrains-silo", "RoleBinding/purchasegrains-silo",
            "ConfigMap/purchasegrains-config", "Secret/purchasegrains-postgres",
        })
        {
            Assert.Contains(line, output);
        }
        Assert.DoesNotContain("FAIL", output);
    }

    [ManifestFact]
    public async Task TheSchemaCheckRejectsAnObjectThatBreaksTheKubernetesSchema()
    {
        var (exitCode, output) = await ValidateYamlAsync((await File.ReadAllTextAsync(Path.Combine(Folder, "pdb.yaml")))
            .Replace("maxUnavailable: 1", "maxUnavailable: [1]", StringComparison.Ordinal) + """
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: no-ports
            spec:
              ports:
                - name: http
                  protocol: TCP
            """);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("FAIL", output);
        Assert.Contains("PodDisruptionBudget/purchasegrains-silo", output);
        Assert.Contains("maxUnavailable", output);
        Assert.Contains("Service/no-ports", output);
        Assert.Contains("port", output);
    }

    [ManifestFact]
    public async Task TheSchemaCheckRejectsFieldNamesTheKubernetesTypesDoNotDeclare()
    {
        var deployment = await File.ReadAllTextAsync(Path.Combine(Folder, "deployment.yaml"));
        Assert.Contains("  replicas: 3\n", deployment);
        Assert.Contains("          imagePullPolicy: IfNotPresent\n", deployment);

        var (exitCode, output) = await ValidateYamlAsync("revision: 2\n" + deployment
            .Replace("  replicas: 3\n", "  replica: 3\n", StringComparison.Ordinal)
            .Replace("          imagePullPolicy: IfNotPresent\n", "          imagePullPolicyy: IfNotPresent\n", StringComparison.Ordinal));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("FAIL", output);
        Assert.Contains("Deployment/purchasegrains-silo", output);
        Assert.Contains("unknown fields: revision, spec.replica, spec.template.spec.containers[0].imagePullPolicyy", output);
    }

    [Fact]
    public async Task TheSiloTakesItsIdentityFromThePodAndItsDatabaseFromASecret()
    {
        var deployment = await File.ReadAllTextAsync(Path.Combine(Folder, "deployment.yaml"));

        foreach (var expected in new[]
        {
            "serviceAccountName: purchasegrains-silo", "name: Orleans__KubernetesHosting", "orleans/clusterId: purchasegrains",
            "fieldPath: metadata.name", "fieldPath: metadata.namespace", "fieldPath: status.podIP",
            "fieldPath: metadata.labels['orleans/clusterId']", "name: ConnectionStrings__Postgres", "secretKeyRef:",
            "readinessProbe:", "livenessProbe:",
        })
        {
            Assert.Contains(expected, deployment);
        }
        var rbac = await File.ReadAllTextAsync(Path.Combine(Folder, "rbac.yaml"));
        Assert.Contains("""verbs: ["get", "list", "watch", "patch"]""", rbac);
        Assert.Contains("rbac.yaml", await File.ReadAllTextAsync(Path.Combine(Folder, "kustomization.yaml")));
    }

    /// <summary>The schema check of <paramref name="yaml"/>, written to a file of its own.</summary>
    private static async Task<(int ExitCode, string Output)> ValidateYamlAsync(string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"manifest-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            return await ValidateAsync(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int ExitCode, string Output)> ValidateAsync(params string[] files)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Path.Combine(Folder, "validate.sh"));
        foreach (var file in files)
            start.ArgumentList.Add(file);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}

/// <summary>Needs Node.js (and npm, to install the schema check); skipped when missing, unless <c>CI=true</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ManifestFactAttribute : FactAttribute
{
    public ManifestFactAttribute()
    {
        var inCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "node")));
        if (!inCi && !onPath)
            Skip = "Node.js is not installed (infra/test.sh installs it for the OpenAPI lint).";
    }
}
