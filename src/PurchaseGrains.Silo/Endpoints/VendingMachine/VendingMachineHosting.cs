using PurchaseGrains.Grains.VendingMachine;

namespace PurchaseGrains.Silo.Endpoints.VendingMachine;

public static class VendingMachineHosting
{
    /// <summary>Grains, options and providers of the vending machine; in Development, the demo pack on an empty store.</summary>
    public static WebApplicationBuilder AddVendingMachine(this WebApplicationBuilder builder)
    {
        builder.Services.AddVendingMachineGrains();
        if (builder.Environment.IsDevelopment())
            builder.Services.AddHostedService<DemoPackSeeder>();
        return builder;
    }

    public static IEndpointRouteBuilder MapVendingMachine(this IEndpointRouteBuilder app)
    {
        app.MapVendingMachineApi();
        app.MapAdminPacks();
        return app;
    }
}
