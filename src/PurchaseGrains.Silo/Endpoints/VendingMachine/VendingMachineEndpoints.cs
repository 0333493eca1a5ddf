using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PurchaseGrains.Grains.VendingMachine;
using Orleans;
using PurchaseGrains.Storage;
using PurchaseGrains.Silo.Http;
using PurchaseGrains.Silo.Idempotency;
using PurchaseGrains.Silo.Http.OpenApi;

namespace PurchaseGrains.Silo.Endpoints.VendingMachine;

/// <summary>The vending machine (Phygitals partner API v1): packs, buying, inventory, buyback, card lookup.</summary>
public static partial class VendingMachineEndpoints
{
    public const int DefaultPullLimit = 20;
    public const int MaxUserIdLength = 200;

    public static RouteGroupBuilder MapVendingMachineApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1").RequireApiKey().WithTags(Tags.VendingMachine);
        group.MapGet("/vm/available", Available).WithName("ListPacks").WithSummary("List the packs (claw machines) and their stock")
            .WithQueryParameters(VmOpenApi.AvailableQuery);
        group.MapGet("/vm/recent-pulls", RecentPulls).WithName("ListRecentPulls").WithSummary("The partner's recent pulls, newest first")
            .WithQueryParameters(VmOpenApi.RecentPullsQuery);
        group.MapPost("/vm/buy/init", BuyInit).WithName("BuyInit").WithSummary("Start a purchase of random cards from a pack")
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status500InternalServerError);
        group.MapPost("/vm/buy/status", BuyStatus).WithName("BuyStatus").WithSummary("Wait for a purchase to be fulfilled")
            .ProducesErrors(StatusCodes.Status400BadRequest).AddOpenApiOperationTransformer(VmOpenApi.DescribeBuyStatusAnswers);
        group.MapGet("/inventory/{userId}", Inventory).WithName("GetInventory").WithSummary("A user's items")
            .ProducesErrors(StatusCodes.Status404NotFound);
        group.MapPost("/vm/buyback", Buyback).WithName("Buyback").WithSummary("Sell an item back for its buyback price")
            .ProducesErrors(StatusCodes.Status400BadRequest, StatusCodes.Status429TooManyRequests);
        group.MapGet("/card/{itemId}", Card).WithName("GetCard").WithSummary("One card")
            .ProducesErrors(StatusCodes.Status404NotFound);
        return group;
    }

    /// <summary><c>limit</c>: clamped to 1..100; missing or not a number means <see cref="DefaultPullLimit"/>.</summary>
    public static int ParsePullLimit(string? limit) =>
        int.TryParse(limit, out var value) ? Math.Clamp(value, 1, 100) : DefaultPullLimit;

    private static async Task<Ok<List<PackResponse>>> Available(string? platform, IIndexQueries queries, IGrainFactory grains,
        CardPool pool, CancellationToken cancellationToken)
    {
        var ids = string.IsNullOrEmpty(platform)
            ? await queries.QueryAsync<string>("SELECT grain_key FROM vm_packs ORDER BY grain_key", null, cancellationToken)
            : await queries.QueryAsync<string>("SELECT grain_key FROM vm_packs WHERE platform = @platform ORDER BY grain_key",
                new { platform }, cancellationToken);
        var packs = new List<PackResponse>(ids.Count);
        foreach (var id in ids)
        {
            if (await grains.GetGrain<IPackGrain>(id).Get() is not { } pack)
                continue;
            packs.Add(PackResponse.From(pack, await pool.StatsAsync(pack, cancellationToken),
                await pool.LastChangedAsync(pack.Id, cancellationToken)));
        }
        return TypedResults.Ok(packs);
    }

    private static async Task<Ok<List<RecentPull>>> RecentPulls(
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "claw_ids")] string[]? clawIds, string? limit, Caller caller,
        IIndexQueries queries, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters(new { partner = caller.Partner, limit = ParsePullLimit(limit) });
        var filter = "";
        var packIds = (clawIds ?? []).SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        if (packIds.Length > 0)
        {
            // Dapper expands a list for SQLite; for PostgreSQL it sends an array parameter.
            filter = queries.Dialect == SqlDialect.Postgres ? "AND pack_id = ANY(@packIds)" : "AND pack_id IN @packIds";
            parameters.Add("packIds", packIds);
        }
        var rows = await queries.QueryAsync<PullRow>($"""
            SELECT grain_key AS id, pack_id AS packid, pack_slug AS packslug, fmv, buyback_price AS buybackprice,
                created_at AS createdat, name, image, back_image AS backimage
            FROM vm_pulls WHERE partner = @partner {filter}
            ORDER BY created_at DESC, grain_key LIMIT @limit
            """, parameters, cancellationToken);
        return TypedResults.Ok(rows.Select(r => new RecentPull(r.Id, r.PackId, r.PackSlug, Money(r.Fmv), Money(r.BuybackPrice),
            VmIndexTables.FromMicros(r.CreatedAt).UtcDateTime, new PullMetadata(r.Name, r.Image, r.BackImage))).ToList());
    }

    private static async Task<Results<Ok<BuyInitResponse>, JsonHttpResult<ApiError>>> BuyInit(BuyInitRequest request, Caller caller,
        HttpContext context, IGrainFactory grains, CardPool pool, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.UserId))
            return ApiErrors.Status(400, "user_id is required");
        if (request.UserId.Length > MaxUserIdLength)
            return ApiErrors.Status(400, $"user_id must be at most {MaxUserIdLength} characters");
        if (request.Amount <= 0)
            return ApiErrors.Status(400, "Amount must be greater than 0");
        if (string.IsNullOrWhiteSpace(request.Id) || await grains.GetGrain<IPackGrain>(request.Id).Get() is not { } pack)
            return ApiErrors.Status(400, "VM not found");
        if (request.Amount > pack.MaxPerMint)
            return ApiErrors.Status(400, $"Amount must be less than or equal to {pack.MaxPerMint}");
        if (!pack.Enable || !await pool.HasInStockAsync(pack, request.Amount, cancellationToken))
            return OutOfStock();

        var sessionId = IdempotentIds.For(context, caller.Partner) ?? Guid.NewGuid().ToString();
        BuyResult result;
        try
        {
            result = await grains.GetGrain<IPurchaseSessionGrain>(sessionId)
                .Init(new BuyCommand(caller.Partner, request.UserId, pack, request.Amount));
        }
        // A storage outage (or a grain too contended to write) is the service-wide 503 "retry shortly", not a failed
        // transaction: the error middleware answers it, like on every other route.
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested && !ErrorEnvelopeMiddleware.IsRetryable(exception))
        {
            LogBuyFailed(loggers.CreateLogger(typeof(VendingMachineEndpoints)), exception, sessionId);
            return ApiErrors.Status(500, "Error during transaction");
        }
        if (result.Outcome == BuyOutcome.OutOfStock)
            return OutOfStock();
        return TypedResults.Ok(new BuyInitResponse(sessionId, result.Session!.Items.Select(VmItem.From).ToList()));
    }

    private static async Task<Results<Ok<BuyStatusFulfilled>, Ok<BuyStatusPending>, JsonHttpResult<ApiError>>> BuyStatus(
        BuyStatusRequest request, Caller caller, IGrainFactory grains, IOptions<VmOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.SessionId) || request.SessionId.Length > 200)
            return TransactionFailed();
        var session = grains.GetGrain<IPurchaseSessionGrain>(request.SessionId);
        var deadline = time.GetUtcNow() + options.Value.StatusPollWindow;
        var view = await session.Get(caller.Partner);
        while (true)
        {
            if (view is null || view.Status == SessionStatus.Failed)
                return TransactionFailed();
            if (view.Status == SessionStatus.Fulfilled)
                return TypedResults.Ok(new BuyStatusFulfilled(new BuyStatusResult(view.SessionId, view.UserId, view.PublicId,
                    view.Items.Select(VmItem.From).ToList(), view.TxHash)));
            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
                return TypedResults.Ok(BuyStatusPending.Instance);
            view = await session.WaitForChange(caller.Partner, view.Status, remaining, cancellationToken);
        }
    }

    private static async Task<Results<Ok<InventoryResponse>, JsonHttpResult<ApiError>>> Inventory(string userId, Caller caller,
        IGrainFactory grains)
    {
        var inventory = await grains.GetGrain<IInventoryGrain>(InventoryKeys.For(caller.Partner, userId)).Get();
        return inventory is null
            ? ApiErrors.Status(404, "User not found")
            : TypedResults.Ok(new InventoryResponse(inventory.UserId, inventory.Items.Select(InventoryItem.From).ToList()));
    }

    private static async Task<Results<Ok<BuybackResponse>, JsonHttpResult<ApiError>>> Buyback(BuybackRequest request, Caller caller,
        IGrainFactory grains, IBuybackPayout payout)
    {
        if (string.IsNullOrWhiteSpace(request.ItemId))
            return ApiErrors.Status(400, "Item not found");
        var card = await grains.GetGrain<ICardGrain>(request.ItemId).Get();
        if (card is not { Status: CardStatus.Sold } || card.Partner != caller.Partner || card.UserId is null)
            return ApiErrors.Status(400, "Item not found");

        var inventory = grains.GetGrain<IInventoryGrain>(InventoryKeys.For(caller.Partner, card.UserId));
        var start = await inventory.BeginBuyback(request.ItemId);
        switch (start.Decision)
        {
            case BuybackDecision.NotFound:
                return ApiErrors.Status(400, "Item not found");
            case BuybackDecision.Expired:
                return ApiErrors.Status(400, "Item has expired");
            case BuybackDecision.InProgress:
                return ApiErrors.Status(429, "A buyback request for this item is already being processed");
        }
        // Turn 1 recorded the operation; the credit is idempotent per operation; turn 2 marks the item sold back.
        // If this request dies in between, the inventory's reminder finishes both.
        await payout.CreditAsync(new BuybackCredit(start.OperationId!, caller.Partner, card.UserId, request.ItemId, start.Amount),
            CancellationToken.None);
        await inventory.CompleteBuyback(request.ItemId, start.OperationId!);
        return TypedResults.Ok(new BuybackResponse(true, start.Amount));
    }

    private static async Task<Results<Ok<CardResponse>, JsonHttpResult<ApiError>>> Card(string itemId, Caller caller, IGrainFactory grains)
    {
        var view = string.IsNullOrWhiteSpace(itemId) ? null : await grains.GetGrain<ICardGrain>(itemId).Get();
        // A card sold to another partner's user is that partner's item: answer as if it did not exist.
        if (view is null || (view.Status == CardStatus.Sold && view.Partner != caller.Partner))
            return ApiErrors.Status(404, "Card not found");
        var card = view.Card;
        return TypedResults.Ok(new CardResponse(card.Id, card.Name, card.Image, card.BackImage, card.Fmv,
            new CardMetadata(card.Type, view.PackId, card.MintAddress, card.CollectionAddress, card.TokenStandard, card.Attributes)));
    }

    private static JsonHttpResult<ApiError> OutOfStock() => ApiErrors.Status(400, "Claw machine is out of stock");

    private static JsonHttpResult<ApiError> TransactionFailed() => ApiErrors.Status(400, "Transaction failed");

    private static decimal Money(double value) => Math.Round((decimal)value, 2, MidpointRounding.AwayFromZero);

    [LoggerMessage(Level = LogLevel.Error, Message = "buy/init failed for session {SessionId}")]
    private static partial void LogBuyFailed(ILogger logger, Exception exception, string sessionId);

    private sealed class PullRow
    {
        public string Id { get; set; } = "";
        public string PackId { get; set; } = "";
        public string PackSlug { get; set; } = "";
        public double Fmv { get; set; }
        public double BuybackPrice { get; set; }
        public long CreatedAt { get; set; }
        public string Name { get; set; } = "";
        public string? Image { get; set; }
        public string? BackImage { get; set; }
    }
}
