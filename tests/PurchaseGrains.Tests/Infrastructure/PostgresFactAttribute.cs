namespace PurchaseGrains.Tests.Infrastructure;

/// <summary>A test that needs PostgreSQL: skipped when <c>PG_TEST_CONNECTION</c> is unset, unless <c>CI=true</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresDatabase.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
