using Xunit.Abstractions;
using Xunit.Sdk;

namespace PurchaseGrains.Tests.Infrastructure;

/// <summary>
/// A storage contract test, inherited by one subclass per provider. An attribute cannot see which subclass runs
/// it, so its discoverer does: in a class marked <see cref="RequiresPostgresAttribute"/> it skips like
/// <see cref="PostgresFactAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("PurchaseGrains.Tests.Infrastructure.StorageFactDiscoverer", "PurchaseGrains.Tests")]
public sealed class StorageFactAttribute : FactAttribute;

[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute;

public sealed class StorageFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod,
        IAttributeInfo factAttribute) =>
        PostgresSkip.For(DiagnosticMessageSink, discoveryOptions, testMethod) is { } skipped
            ? [skipped]
            : base.Discover(discoveryOptions, testMethod, factAttribute);
}

/// <summary>The <see cref="StorageFactAttribute"/> of a theory: skipped like it in a class marked <see cref="RequiresPostgresAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("PurchaseGrains.Tests.Infrastructure.StorageTheoryDiscoverer", "PurchaseGrains.Tests")]
public sealed class StorageTheoryAttribute : TheoryAttribute;

public sealed class StorageTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod,
        IAttributeInfo theoryAttribute) =>
        PostgresSkip.For(DiagnosticMessageSink, discoveryOptions, testMethod) is { } skipped
            ? [skipped]
            : base.Discover(discoveryOptions, testMethod, theoryAttribute);
}

/// <summary>
/// The skipped case that stands for a test of a <see cref="RequiresPostgresAttribute"/> class when PostgreSQL tests are
/// skipped here, or of a <see cref="RequiresAzuriteAttribute"/> class when Azurite or PostgreSQL tests are.
/// </summary>
internal static class PostgresSkip
{
    public static IXunitTestCase? For(IMessageSink sink, ITestFrameworkDiscoveryOptions options, ITestMethod testMethod) =>
        SkipReason(testMethod.TestClass.Class) is { } reason
            ? new XunitSkippedDataRowTestCase(sink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod, reason)
            : null;

    private static string? SkipReason(ITypeInfo testClass)
    {
        bool Marked(Type attribute) => testClass.GetCustomAttributes(attribute.AssemblyQualifiedName).Any();
        if (Marked(typeof(RequiresAzuriteAttribute)))
            return Azurite.SkipReason ?? PostgresDatabase.SkipReason;
        return Marked(typeof(RequiresPostgresAttribute)) ? PostgresDatabase.SkipReason : null;
    }
}
