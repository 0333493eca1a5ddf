using PurchaseGrains.Storage;

namespace PurchaseGrains.Grains.VendingMachine;

/// <summary>The vending machine's query tables, written in the same transaction as the grain that owns each row.</summary>
public static class VmIndexTables
{
    /// <summary>One row per card (key: card id), owned by the card grain: the pool to draw from.</summary>
    public const string Cards = "vm_cards";

    /// <summary>One row per pack (key: pack id), owned by the pack grain.</summary>
    public const string Packs = "vm_packs";

    /// <summary>One row per pulled item (key: card id), written when its session is fulfilled.</summary>
    public const string Pulls = "vm_pulls";

    /// <summary>One row per buyback credit (key: operation id), owned by the buyback ledger grain.</summary>
    public const string BuybackCredits = "vm_buyback_credits";

    public static long Micros(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    public static IEnumerable<IndexTable> All =>
    [
        new(Cards,
            [Col("pack_id", IndexColumnType.Text), Col("fmv", IndexColumnType.Real), Col("status", IndexColumnType.Text),
             Col("session_id", IndexColumnType.Text), Col("changed_at", IndexColumnType.Integer), Col("draw_key", IndexColumnType.Real)],
            [new IndexDefinition("ix_vm_cards_pool", "pack_id", "status", "fmv"), new IndexDefinition("ix_vm_cards_draw", "pack_id", "status", "draw_key"),
             new IndexDefinition("ix_vm_cards_session", "session_id")]),
        new(Packs,
            [Col("platform", IndexColumnType.Text), Col("slug", IndexColumnType.Text), Col("updated_at", IndexColumnType.Integer)],
            [new IndexDefinition("ix_vm_packs_platform", "platform")]),
        new(Pulls,
            [Col("partner", IndexColumnType.Text), Col("session_id", IndexColumnType.Text), Col("pack_id", IndexColumnType.Text),
             Col("pack_slug", IndexColumnType.Text), Col("fmv", IndexColumnType.Real), Col("buyback_price", IndexColumnType.Real),
             Col("created_at", IndexColumnType.Integer), Col("name", IndexColumnType.Text), Col("image", IndexColumnType.Text),
             Col("back_image", IndexColumnType.Text)],
            [new IndexDefinition("ix_vm_pulls_recent", "partner", "created_at"), new IndexDefinition("ix_vm_pulls_pack", "partner", "pack_id", "created_at")]),
        new(BuybackCredits,
            [Col("partner", IndexColumnType.Text), Col("user_id", IndexColumnType.Text), Col("item_id", IndexColumnType.Text),
             Col("amount", IndexColumnType.Real), Col("credited_at", IndexColumnType.Integer)],
            [new IndexDefinition("ix_vm_buyback_credits_item", "item_id")]),
    ];

    private static IndexColumn Col(string name, IndexColumnType type) => new(name, type);
}
