using Orleans.Dashboard;
using PurchaseGrains.Silo.Http;

namespace PurchaseGrains.Silo.Hosting;

/// <summary>
/// Orleans' dashboard at <c>/dashboard</c>, for operators: off unless <c>Dashboard:Enabled</c> is true, and behind an
/// admin API key, which a browser sends as the password of HTTP Basic.
/// </summary>
public static class DashboardRegistration
{
    public const string Path = "/dashboard";

    public static WebApplicationBuilder AddOperatorDashboard(this WebApplicationBuilder builder)
    {
        if (IsEnabled(builder.Configuration))
            builder.UseOrleans(silo => silo.AddDashboard());
        return builder;
    }

    public static IEndpointRouteBuilder MapOperatorDashboard(this IEndpointRouteBuilder app)
    {
        if (IsEnabled(app.ServiceProvider.GetRequiredService<IConfiguration>()))
            app.MapOrleansDashboard(Path).RequireAdminKeyOrBrowserLogin().ExcludeFromDescription();
        return app;
    }

    private static bool IsEnabled(IConfiguration configuration) => configuration.GetValue("Dashboard:Enabled", false);
}
