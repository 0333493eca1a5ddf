using Microsoft.AspNetCore.Http.HttpResults;
using PurchaseGrains.Grains.VendingMachine;
using Orleans;
using PurchaseGrains.Silo.Http;
using PurchaseGrains.Silo.Http.OpenApi;

namespace PurchaseGrains.Silo.Endpoints.VendingMachine;

/// <summary>Pack administration (ours, API.md section C): packs are global, only admin keys change them.</summary>
public static class AdminPackEndpoints
{
    public static RouteGroupBuilder MapAdminPacks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/v1/packs").RequireAdminKey().WithTags(Tags.PackAdministration);
        group.MapPut("/{id}", PutPack).WithName("PutPack").WithSummary("Create or replace a pack")
            .ProducesErrors(StatusCodes.Status400BadRequest);
        group.MapPost("/{id}/cards", AddCards).WithName("AddCards").WithSummary("Add unique cards to a pack's pool")
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        return group;
    }

    private static async Task<Results<Ok<PackResponse>, JsonHttpResult<ApiError>>> PutPack(string id, PackPutRequest request,
        IGrainFactory grains, CardPool pool, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(id))
            return ApiErrors.Status(400, "pack id is required");
        if (request.RarityDistribution?.Any(t => t is null) == true)
            return ApiErrors.Status(400, "every rarity tier must be an object");
        if (request.Categories?.Any(c => c is null) == true)
            return ApiErrors.Status(400, "categories must be a list of strings");
        var tiers = (request.RarityDistribution ?? [])
            .Select(t => new RarityTier(t.Id ?? "", string.IsNullOrWhiteSpace(t.Name) ? t.Id ?? "" : t.Name, t.Color, t.Lower, t.Upper, t.Weight))
            .ToList();
        var problem = PackDefinition.Validate(request.Slug ?? "", request.Name ?? "", request.MaxPerMint, request.MintPrice,
            request.BuybackPercent, tiers);
        if (problem is not null)
            return ApiErrors.Status(400, problem);

        var pack = new PackDefinition(id, request.Slug!, string.IsNullOrWhiteSpace(request.Platform) ? "mainnet" : request.Platform,
            request.Name!, request.Enable ?? true, request.Description, request.MintPrice, request.MaxPerMint, request.Categories ?? [],
            request.BuybackPercent, request.ClawImageUrl, tiers, time.GetUtcNow());
        var grain = grains.GetGrain<IPackGrain>(id);
        await grain.Put(pack);
        var stored = (await grain.Get())!;
        return TypedResults.Ok(PackResponse.From(stored, await pool.StatsAsync(stored, cancellationToken),
            await pool.LastChangedAsync(id, cancellationToken)));
    }

    private static async Task<Results<Ok<AddCardsResponse>, JsonHttpResult<ApiError>>> AddCards(string id, AddCardsRequest request,
        IGrainFactory grains)
    {
        // A blank key names no grain (Orleans refuses it), so no pack either.
        if (string.IsNullOrWhiteSpace(id) || await grains.GetGrain<IPackGrain>(id).Get() is null)
            return ApiErrors.Status(404, "VM not found");
        if (request.Cards is not { Count: > 0 } cards)
            return ApiErrors.Status(400, "cards is required");
        for (var i = 0; i < cards.Count; i++)
        {
            if (Validate(cards[i]) is { } problem)
                return ApiErrors.Status(400, $"cards[{i}]: {problem}");
        }

        var added = 0;
        foreach (var card in cards)
        {
            var data = new CardData(card.Id!, card.Name!, card.Image, card.BackImage, card.Fmv, card.Type!, card.MintAddress,
                card.CollectionAddress, card.TokenStandard, card.Attributes ?? []);
            if (await grains.GetGrain<ICardGrain>(data.Id).Add(id, data))
                added++;
        }
        return TypedResults.Ok(new AddCardsResponse(added));
    }

    private static string? Validate(CardRequest? card) => card switch
    {
        null => "must be an object",
        { Id: var id } when string.IsNullOrWhiteSpace(id) => "id is required",
        { Id.Length: > 200 } => "id must be at most 200 characters",
        { Name: null or "" } => "name is required",
        { Fmv: < 0 } => "fmv must not be negative",
        { Type: null or "" } => "type is required",
        _ when !CardTypes.All.Contains(card.Type!) => "type must be one of enft, ebay, fanatics, alt, external",
        _ => null,
    };
}
