using PurchaseGrains.Grains.Shipping;

namespace PurchaseGrains.Silo.Endpoints.Shipping;

public static class ShippingHosting
{
    /// <summary>Options and the carrier provider of shipping.</summary>
    public static WebApplicationBuilder AddShipping(this WebApplicationBuilder builder)
    {
        builder.Services.AddShippingGrains();
        return builder;
    }

    public static IEndpointRouteBuilder MapShipping(this IEndpointRouteBuilder app)
    {
        app.MapShippingApi();
        return app;
    }
}
