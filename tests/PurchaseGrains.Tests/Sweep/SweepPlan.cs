using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PurchaseGrains.Tests.Infrastructure;

namespace PurchaseGrains.Tests.Sweep;

/// <summary>A JSON object as raw (name, value) text, so any field can carry any fragment, well-formed or not.</summary>
public sealed record RawObject(IReadOnlyList<KeyValuePair<string, string>> Fields)
{
    public static RawObject Of(params (string Name, string Value)[] fields) => new(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).ToList());

    public RawObject With(string name, string value) => Fields.Any(f => f.Key == name)
        ? new(Fields.Select(f => f.Key == name ? KeyValuePair.Create(name, value) : f).ToList())
        : new([.. Fields, KeyValuePair.Create(name, value)]);

    public RawObject Without(string name) => new(Fields.Where(f => f.Key != name).ToList());

    public override string ToString() => "{" + string.Join(",", Fields.Select(f => $"{BadValues.Json(f.Key)}:{f.Value}")) + "}";
}

/// <summary>
/// The generated requests of the sweep, route by route. Every request that could change state carries a defect
/// that must get it refused (the base bodies below are refused whatever the one mutated field holds); reads may
/// answer 200. Categories name what kind of bad input a request carries.
/// </summary>
public sealed class SweepPlan(BadValues values, SweepWorld world)
{
    private const string Json = "application/json";
    private static readonly string[] Roles = [TestKeys.PartnerA, TestKeys.AdminA];

    private readonly List<SweepRequest> _requests = [];

    public IReadOnlyList<SweepRequest> Build()
    {
        Auth();
        VendingMachineBodies();
        ShippingBodies();
        AdminPackBodies();
        ListingBodies();
        ListingPatchBodies();
        IntentBodies();
        Webhooks();
        PathIds();
        Queries();
        ContentTypesAndMethods();
        Oversized();
        return _requests;
    }

    // Routes that need a key, each with a body that would otherwise be well-formed.
    private IEnumerable<(HttpMethod Method, string Path, string? Body, bool Admin)> KeyedRoutes() =>
    [
        (HttpMethod.Get, "/api/v1/vm/available?platform=mainnet", null, false),
        (HttpMethod.Get, "/api/v1/vm/recent-pulls?limit=5", null, false),
        (HttpMethod.Post, "/api/v1/vm/buy/init", $"{{\"id\":\"{SweepWorld.Pack}\",\"amount\":1,\"user_id\":\"u\"}}", false),
        (HttpMethod.Post, "/api/v1/vm/buy/status", $"{{\"session_id\":\"{world.A.SessionId}\"}}", false),
        (HttpMethod.Get, $"/api/v1/inventory/{world.A.UserId}", null, false),
        (HttpMethod.Post, "/api/v1/vm/buyback", $"{{\"item_id\":\"{world.A.SoldItemId}\"}}", false),
        (HttpMethod.Get, $"/api/v1/card/{world.A.SoldItemId}", null, false),
        (HttpMethod.Post, "/api/v1/ship/quote", $"{{\"item_ids\":[\"{world.A.SoldItemId}\"],\"destination\":{SweepWorld.Destination}}}", false),
        (HttpMethod.Post, "/api/v1/ship/request", $"{{\"quote_id\":\"{world.A.QuoteId}\"}}", false),
        (HttpMethod.Get, $"/api/v1/ship/order/{world.A.OrderId}", null, false),
        (HttpMethod.Put, $"/admin/v1/packs/{SweepWorld.Pack}", "{\"slug\":\"s\",\"name\":\"n\",\"max_per_mint\":1,\"rarity_distribution\":[{\"id\":\"t\",\"upper\":1,\"weight\":1}]}", true),
        (HttpMethod.Post, $"/admin/v1/packs/{SweepWorld.Pack}/cards", "{\"cards\":[{\"id\":\"sweep-new\",\"name\":\"n\",\"fmv\":1,\"type\":\"enft\"}]}", true),
        (HttpMethod.Post, "/v1/listings", "{\"item_id\":\"i\",\"quantity_listed\":1,\"price\":\"1\",\"currency\":\"USD\",\"payment_providers\":[\"STRIPE\"]}", true),
        (HttpMethod.Get, "/v1/listings", null, false),
        (HttpMethod.Get, $"/v1/listings/{world.A.ListingId}", null, false),
        (HttpMethod.Patch, $"/v1/listings/{world.A.ListingId}", "{\"end_time\":null}", true),
        (HttpMethod.Post, "/v1/purchase-intents", $"{{\"provider\":\"STRIPE\",\"listing_id\":\"{world.A.ListingId}\",\"quantity\":1,\"buyer\":{{\"email\":\"x@example.com\"}}}}", false),
        (HttpMethod.Get, "/v1/purchase-intents", null, false),
        (HttpMethod.Get, $"/v1/purchase-intents/{world.A.PendingIntentId}", null, false),
        (HttpMethod.Delete, $"/v1/purchase-intents/{world.A.PendingIntentId}", null, false),
        (HttpMethod.Post, $"/sandbox/v1/payment-intents/{world.A.PaymentIntentId}/succeed", null, true),
        (HttpMethod.Post, $"/sandbox/v1/payment-intents/{world.A.PaymentIntentId}/fail", null, true),
    ];

    /// <summary>Missing, empty, wrong, near-miss and oversized keys, the alias header, and partner keys on admin routes.</summary>
    private void Auth()
    {
        var badKeys = new List<(string Header, string Value)>
        {
            ("X-API-Key", ""), ("X-API-Key", " "), ("X-API-Key", "not-a-key"), ("X-API-Key", TestKeys.PartnerA.ToUpperInvariant()),
            ("X-API-Key", TestKeys.PartnerA + "x"), ("X-API-Key", TestKeys.PartnerA + "\t-"), ("X-API-Key", $"\"{TestKeys.PartnerA}\""),
            ("X-API-Key", TestKeys.PartnerA[..^1]), ("X-API-Key", $"{TestKeys.PartnerA},{TestKeys.AdminA}"), ("X-API-Key", "null"),
            ("X-API-Key", new string('k', 8000)), ("Phosphor-Api-Key", ""), ("Phosphor-Api-Key", "not-a-key"),
            ("Phosphor-Api-Key", TestKeys.AdminA.ToUpperInvariant()), ("Authorization", $"Bearer {TestKeys.AdminA}"),
            ("X-Api-Key-Typo", TestKeys.AdminA), ("Api-Key", TestKeys.AdminA),
        };
        foreach (var (method, path, body, admin) in KeyedRoutes())
        {
            Add("auth: no key", method, path, body, null, headers: []);
            foreach (var (header, value) in badKeys)
                Add("auth: bad key", method, path, body, null, headers: SweepRequest.Key(value, header));
            // A wrong X-API-Key is not rescued by a valid alias: the primary header wins.
            Add("auth: bad key", method, path, body, null,
                headers: [new("X-API-Key", "wrong"), new("Phosphor-Api-Key", admin ? TestKeys.AdminA : TestKeys.PartnerA)]);
            if (admin)
            {
                Add("auth: partner key on admin route", method, path, body, null, headers: SweepRequest.Key(TestKeys.PartnerA));
                Add("auth: partner key on admin route", method, path, body, null, headers: SweepRequest.Key(TestKeys.PartnerB, "Phosphor-Api-Key"));
            }
        }
    }

    private void VendingMachineBodies()
    {
        // A disabled pack: refused whatever the other fields hold.
        var buy = RawObject.Of(("id", BadValues.Json(SweepWorld.DisabledPack)), ("amount", "1"), ("user_id", "\"sweep-user\""));
        MutateFields("body: buy/init", "/api/v1/vm/buy/init", buy, ["id", "amount", "user_id"], TestKeys.PartnerA);
        // The enabled pack with a bad amount (numbers that are not 1..max_per_mint, or not numbers).
        var enabled = buy.With("id", BadValues.Json(SweepWorld.Pack));
        foreach (var amount in BadValues.Numbers.Concat(BadValues.WrongTypes).Append("6").Append("2147483647"))
            Add("body: buy/init amount", HttpMethod.Post, "/api/v1/vm/buy/init", enabled.With("amount", amount).ToString(), TestKeys.PartnerA);
        Malformed("body: malformed", "/api/v1/vm/buy/init", buy, TestKeys.PartnerA);

        var status = RawObject.Of(("session_id", BadValues.Json(Guid.NewGuid().ToString())));
        MutateFields("body: buy/status", "/api/v1/vm/buy/status", status, ["session_id"], TestKeys.PartnerA);
        Malformed("body: malformed", "/api/v1/vm/buy/status", status, TestKeys.PartnerA);

        // An item still in the pool is nobody's: buyback refuses it.
        var buyback = RawObject.Of(("item_id", BadValues.Json("sweep-off-card-0")), ("claw_id", BadValues.Json(SweepWorld.Pack)));
        MutateFields("body: buyback", "/api/v1/vm/buyback", buyback, ["item_id", "claw_id"], TestKeys.PartnerA);
        Malformed("body: malformed", "/api/v1/vm/buyback", buyback, TestKeys.PartnerA);
    }

    /// <summary>
    /// Quotes of a card still in the pool (nobody's: refused once the destination passed), and requests of quotes that
    /// do not exist. A refused quote keeps nothing and a refused request locks nothing.
    /// </summary>
    private void ShippingBodies()
    {
        var destination = RawObject.Of(("name", "\"Ada\""), ("line1", "\"1 Main St\""), ("line2", "\"Apt 2\""), ("city", "\"Springfield\""),
            ("state", "\"IL\""), ("postal_code", "\"62701\""), ("country", "\"US\""), ("phone", "\"+1 555 0100\""), ("email", "\"a@example.com\""));
        var quote = RawObject.Of(("item_ids", "[\"sweep-off-card-0\"]"), ("destination", destination.ToString()));
        MutateFields("body: ship/quote", "/api/v1/ship/quote", quote, ["item_ids", "destination"], TestKeys.PartnerA);
        foreach (var field in destination.Fields.Select(f => f.Key))
            foreach (var value in values.ForField(extra: 1))
                Add($"body: ship/quote.destination.{field}", HttpMethod.Post, "/api/v1/ship/quote",
                    quote.With("destination", destination.With(field, value).ToString()).ToString(), TestKeys.PartnerA);
        foreach (var value in values.ForField(extra: 0))
            Add("body: ship/quote.item_ids[]", HttpMethod.Post, "/api/v1/ship/quote", quote.With("item_ids", $"[{value}]").ToString(), TestKeys.PartnerA);
        Malformed("body: malformed", "/api/v1/ship/quote", quote, TestKeys.PartnerA);

        var request = RawObject.Of(("quote_id", BadValues.Json("quote_AAAAAAAAAAAAAAAA_rate_standard")));
        MutateFields("body: ship/request", "/api/v1/ship/request", request, ["quote_id"], TestKeys.PartnerA);
        Malformed("body: malformed", "/api/v1/ship/request", request, TestKeys.PartnerA);
    }

    private void AdminPackBodies()
    {
        var tier = RawObject.Of(("id", "\"t\""), ("name", "\"T\""), ("color", "\"#fff\""), ("lower", "0"), ("upper", "10"), ("weight", "1"));
        var pack = RawObject.Of(("slug", "\"s\""), ("platform", "\"mainnet\""), ("name", "\"n\""), ("enable", "true"), ("description", "\"d\""),
            ("mint_price", "1"), ("max_per_mint", "1"), ("categories", "[\"c\"]"), ("buyback_percent", "0.5"), ("claw_image_url", "\"u\""),
            ("rarity_distribution", $"[{tier}]"));
        // Two defects so that each field is mutated while another one keeps the body refused.
        var noSlug = pack.With("slug", "\"\"");
        var noMint = pack.With("max_per_mint", "0");
        var path = $"/admin/v1/packs/{SweepWorld.Pack}";
        foreach (var field in pack.Fields.Select(f => f.Key))
        {
            var basis = field == "slug" ? noMint : noSlug;
            foreach (var value in values.ForField())
                Add($"body: packs.{field}", HttpMethod.Put, path, basis.With(field, value).ToString(), TestKeys.AdminA);
        }
        foreach (var field in tier.Fields.Select(f => f.Key))
            foreach (var value in values.ForField(extra: 0))
                Add($"body: packs.rarity_distribution[].{field}", HttpMethod.Put, path,
                    noSlug.With("rarity_distribution", $"[{tier.With(field, value)}]").ToString(), TestKeys.AdminA);
        Malformed("body: malformed", path, noSlug, TestKeys.AdminA, HttpMethod.Put);

        var card = RawObject.Of(("id", "\"sweep-never\""), ("name", "\"n\""), ("image", "\"i\""), ("back_image", "\"b\""), ("fmv", "1"),
            ("type", "\"enft\""), ("mint_address", "\"m\""), ("collection_address", "\"c\""), ("token_standard", "\"t\""), ("attributes", "[]"));
        var badType = card.With("type", "\"nft\"");
        var negativeFmv = card.With("fmv", "-1");
        var cardsPath = $"/admin/v1/packs/{SweepWorld.Pack}/cards";
        foreach (var field in card.Fields.Select(f => f.Key))
        {
            var basis = field == "type" ? negativeFmv : badType;
            foreach (var value in values.ForField(extra: 1))
                Add($"body: cards[].{field}", HttpMethod.Post, cardsPath, $"{{\"cards\":[{basis.With(field, value)}]}}", TestKeys.AdminA);
        }
        foreach (var value in values.ForField(extra: 0))
            Add("body: cards", HttpMethod.Post, cardsPath, $"{{\"cards\":{value}}}", TestKeys.AdminA);
        Malformed("body: malformed", cardsPath, RawObject.Of(("cards", $"[{badType}]")), TestKeys.AdminA);
    }

    private void ListingBodies()
    {
        var policy = RawObject.Of(("type", "\"FCFS\""), ("email_addresses", "[\"a@example.com\"]"), ("max_per_user", "2"),
            ("payment_session_duration", "{\"timeout_seconds\":60}"), ("email_claim_duration", "60"));
        var listing = RawObject.Of(("item_id", "\"sweep-i\""), ("quantity_listed", "5"), ("price", "\"2500\""), ("currency", "\"USD\""),
            ("payment_providers", "[\"STRIPE\"]"), ("max_quantity_per_tx", "2"), ("policy", policy.ToString()),
            ("start_time", "\"2030-01-01T00:00:00Z\""), ("end_time", "\"2031-01-01T00:00:00Z\""));
        var noQuantity = listing.With("quantity_listed", "0");
        var badCurrency = listing.With("currency", "\"XXX\"");
        foreach (var field in listing.Fields.Select(f => f.Key).Append("collection_id"))
        {
            var basis = field == "quantity_listed" ? badCurrency : noQuantity;
            foreach (var value in values.ForField())
                Add($"body: listings.{field}", HttpMethod.Post, "/v1/listings", basis.With(field, value).ToString(), TestKeys.AdminA);
        }
        foreach (var field in policy.Fields.Select(f => f.Key))
            foreach (var value in values.ForField(extra: 0))
                Add($"body: listings.policy.{field}", HttpMethod.Post, "/v1/listings",
                    noQuantity.With("policy", policy.With(field, value).ToString()).ToString(), TestKeys.AdminA);
        foreach (var value in values.ForField(extra: 0))
            Add("body: listings.policy.payment_session_duration.timeout_seconds", HttpMethod.Post, "/v1/listings",
                noQuantity.With("policy", policy.With("payment_session_duration", $"{{\"timeout_seconds\":{value}}}").ToString()).ToString(),
                TestKeys.AdminA);
        foreach (var value in values.ForField(extra: 0))
            Add("body: listings.payment_providers[]", HttpMethod.Post, "/v1/listings",
                noQuantity.With("payment_providers", $"[{value}]").ToString(), TestKeys.AdminA);
        Malformed("body: malformed", "/v1/listings", noQuantity, TestKeys.AdminA);
    }

    /// <summary>
    /// PATCH of a real listing of partner a by its admin. Refused by construction: the policy's type changes (checked
    /// after the policy's other fields), or the time fields hold values that are no timestamps.
    /// </summary>
    private void ListingPatchBodies()
    {
        var path = $"/v1/listings/{world.A.ListingId}";
        foreach (var field in new[] { "start_time", "end_time" })
            foreach (var value in values.ForField().Where(v => v != "null" || field == "start_time"))
                Add($"body: listings PATCH {field}", HttpMethod.Patch, path, RawObject.Of((field, value)).ToString(), TestKeys.AdminA);
        var typeChange = ("type", "\"ALLOW_LIST\"");
        foreach (var field in new[] { "email_addresses", "max_per_user", "email_claim_duration", "payment_session_duration", "type", "unknown" })
            foreach (var value in values.ForField(extra: 1))
                Add($"body: listings PATCH policy.{field}", HttpMethod.Patch, path,
                    $"{{\"policy\":{RawObject.Of((field, value), typeChange)}}}", TestKeys.AdminA);
        foreach (var value in values.ForField(extra: 0))
        {
            if (value != "{}") // an empty policy patch changes nothing and is accepted
                Add("body: listings PATCH policy", HttpMethod.Patch, path, $"{{\"policy\":{value}}}", TestKeys.AdminA);
            Add("body: listings PATCH not patchable", HttpMethod.Patch, path, $"{{\"quantity_listed\":{value}}}", TestKeys.AdminA);
        }
        Malformed("body: malformed", path, RawObject.Of(("policy", "{\"type\":\"ALLOW_LIST\"}")), TestKeys.AdminA, HttpMethod.Patch);
    }

    private void IntentBodies()
    {
        // No such listing: refused once the body passed its own checks.
        var buyer = RawObject.Of(("email", "\"x@example.com\""), ("eth_address", "\"0xa99D7eD4bB4E3EEFed18a0269bE46Aa8c49Ab165\""));
        var intent = RawObject.Of(("provider", "\"STRIPE\""), ("listing_id", $"\"{Guid.NewGuid()}\""), ("quantity", "1"), ("buyer", buyer.ToString()));
        foreach (var field in intent.Fields.Select(f => f.Key))
            foreach (var value in values.ForField())
                Add($"body: purchase-intents.{field}", HttpMethod.Post, "/v1/purchase-intents", intent.With(field, value).ToString(), TestKeys.PartnerA);
        foreach (var field in buyer.Fields.Select(f => f.Key))
            foreach (var value in values.ForField(extra: 1))
                Add($"body: purchase-intents.buyer.{field}", HttpMethod.Post, "/v1/purchase-intents",
                    intent.With("buyer", buyer.With(field, value).ToString()).ToString(), TestKeys.PartnerA);
        // A real listing with a quantity it cannot hold, or an unknown provider.
        var real = intent.With("listing_id", BadValues.Json(world.A.ListingId)).With("buyer", "{\"email\":\"x@example.com\"}");
        // (null is not among them: a null quantity means the default, 1.)
        foreach (var quantity in BadValues.Numbers.Concat(BadValues.WrongTypes).Where(v => v != "null").Append("6").Append("2147483647"))
            Add("body: purchase-intents.quantity", HttpMethod.Post, "/v1/purchase-intents", real.With("quantity", quantity).ToString(), TestKeys.PartnerA);
        // (Enum names are matched ignoring case and surrounding spaces, so "stripe " is STRIPE and not among them.)
        foreach (var provider in new[] { "\"PAYPAL\"", "\"STR IPE\"", "\"S TRIPE\"", "\"0\"", "0", "\"ORGANIZATION\"", "\"MINT_VOUCHER\"" })
            Add("body: purchase-intents.provider", HttpMethod.Post, "/v1/purchase-intents", real.With("provider", provider).ToString(), TestKeys.PartnerA);
        Malformed("body: malformed", "/v1/purchase-intents", intent, TestKeys.PartnerA);
    }

    /// <summary>Unsigned, badly signed, stale and (correctly signed) malformed or unknown events.</summary>
    private void Webhooks()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var good = $"{{\"id\":\"evt_sweep\",\"type\":\"payment_intent.succeeded\",\"data\":{{\"object\":{{\"id\":\"pi_nope\",\"metadata\":{{\"purchase_intent_id\":\"{Guid.NewGuid()}\"}}}}}}}}";
        foreach (var header in new[] { "", "t=", "v1=", "t=1", $"t={now}", $"t={now},v1=zz", $"t=abc,v1=00", "garbage", "t=1,v1=00,=,", new string(',', 500),
                     $"t=99999999999999999999,v1=00", $"t=-1,v1=00", $"t={now},v1={new string('0', 64)}", $"t={now},v2={new string('0', 64)}" })
            AddWebhook("webhook: bad signature", good, header);
        AddWebhook("webhook: no signature", good, null);
        AddWebhook("webhook: stale signature", good, Sign(good, now - 3600));
        AddWebhook("webhook: future signature", good, Sign(good, now + 3600));
        foreach (var t in new[] { long.MaxValue, 99_999_999_999_999, 253_402_300_800, -62_135_596_801, long.MinValue + 1 })
            AddWebhook("webhook: signed timestamp out of range", good, Sign(good, t));

        var dataObject = RawObject.Of(("id", "\"pi_nope\""), ("metadata", $"{{\"purchase_intent_id\":\"{Guid.NewGuid()}\"}}"));
        var webhookEvent = RawObject.Of(("id", "\"evt_sweep\""), ("type", "\"payment_intent.succeeded\""), ("data", $"{{\"object\":{dataObject}}}"));
        foreach (var field in webhookEvent.Fields.Select(f => f.Key))
            foreach (var value in values.ForField(extra: 1))
                AddSigned($"webhook: signed body {field}", webhookEvent.With(field, value).ToString());
        foreach (var field in dataObject.Fields.Select(f => f.Key))
            foreach (var value in values.ForField(extra: 1))
                AddSigned($"webhook: signed body data.object.{field}", webhookEvent.With("data", $"{{\"object\":{dataObject.With(field, value)}}}").ToString());
        foreach (var value in values.ForField(extra: 0))
            AddSigned("webhook: signed body metadata.purchase_intent_id",
                webhookEvent.With("data", $"{{\"object\":{dataObject.With("metadata", $"{{\"purchase_intent_id\":{value}}}")}}}").ToString());
        foreach (var type in new[] { "payment_intent.SUCCEEDED", "payment_intent.created", "charge.succeeded", "", "payment_intent.succeeded " })
            AddSigned("webhook: signed unknown type", webhookEvent.With("type", BadValues.Json(type)).ToString());
        foreach (var body in BadValues.MalformedBodies)
            AddSigned("webhook: signed malformed body", body);
        AddSigned("webhook: signed invalid UTF-8", "", raw: [0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]);
        AddSigned("webhook: signed oversized body", "{\"pad\":\"" + new string('x', 300 * 1024) + "\"}");
    }

    /// <summary>Weird ids in every path parameter, and other partners' ids.</summary>
    private void PathIds()
    {
        foreach (var id in BadValues.RawSegments.Concat(Enumerable.Range(0, 4).Select(_ => RandomSegment())))
        {
            Add("path: ids", HttpMethod.Get, $"/api/v1/inventory/{id}", null, TestKeys.PartnerA, Expect.NotServerError);
            Add("path: ids", HttpMethod.Get, $"/api/v1/card/{id}", null, TestKeys.PartnerA, Expect.NotServerError);
            Add("path: ids", HttpMethod.Get, $"/api/v1/ship/order/{id}", null, TestKeys.PartnerA, Expect.NotServerError);
            Add("path: ids", HttpMethod.Put, $"/admin/v1/packs/{id}", "{\"slug\":\"\"}", TestKeys.AdminA);
            Add("path: ids", HttpMethod.Post, $"/admin/v1/packs/{id}/cards", "{\"cards\":[{\"id\":\"sweep-path\",\"name\":\"n\",\"fmv\":1,\"type\":\"enft\"}]}", TestKeys.AdminA);
            Add("path: ids", HttpMethod.Get, $"/v1/listings/{id}", null, TestKeys.PartnerA, Expect.NotServerError);
            Add("path: ids", HttpMethod.Patch, $"/v1/listings/{id}", "{\"end_time\":null}", TestKeys.AdminA);
            Add("path: ids", HttpMethod.Get, $"/v1/purchase-intents/{id}", null, TestKeys.PartnerA, Expect.NotServerError);
            Add("path: ids", HttpMethod.Delete, $"/v1/purchase-intents/{id}", null, TestKeys.PartnerA);
            Add("path: ids", HttpMethod.Post, $"/sandbox/v1/payment-intents/{id}/succeed", null, TestKeys.AdminA);
            Add("path: ids", HttpMethod.Post, $"/sandbox/v1/payment-intents/{id}/fail", null, TestKeys.AdminA);
            Add("path: ids", HttpMethod.Get, $"/health/live/{id}", null, null, Expect.NotServerError);
        }
        // Kestrel refuses a NUL in the decoded path itself (400, no body) before any middleware runs.
        foreach (var id in BadValues.NulSegments)
        {
            Add("path: NUL (refused by Kestrel)", HttpMethod.Get, $"/v1/listings/{id}", null, TestKeys.PartnerA, Expect.RefusedByKestrel);
            Add("path: NUL (refused by Kestrel)", HttpMethod.Delete, $"/v1/purchase-intents/{id}", null, TestKeys.PartnerA, Expect.RefusedByKestrel);
            Add("path: NUL (refused by Kestrel)", HttpMethod.Get, $"/api/v1/inventory/{id}", null, TestKeys.PartnerA, Expect.RefusedByKestrel);
        }
        foreach (var segment in new[] { "..", ".", "%2e%2e/%2e%2e/v1/listings", "..;/admin", "%252e%252e" })
            Add("path: traversal", HttpMethod.Get, $"/api/v1/card/{segment}", null, TestKeys.PartnerA, Expect.NotServerError);
    }

    private string RandomSegment() => BadValues.Escape(Encoding.UTF8.GetString(values.Bytes(1 + values.Next(40))));

    /// <summary>Bad query values: limits, directions, cursors, filters, duplicated and oversized parameters.</summary>
    private void Queries()
    {
        var limits = new[] { "0", "-1", "101", "1e2", "abc", "2147483648", "99999999999999999999", "", "1.5", "%205", "5%00", "0x10", "+5", "%EF%BC%95", BadValues.Escape(BadValues.LongAscii) };
        var directions = new[] { "asc", "desc", "ASCENDING", "", "up", "ASC%00", "1", "DESC,ASC", BadValues.Escape(BadValues.LongUnicode[..2000]), BadValues.Escape(BadValues.LongAscii) };
        var cursors = Cursors().ToList();
        foreach (var route in new[] { "/v1/listings", "/v1/purchase-intents" })
        {
            foreach (var limit in limits)
                Read("query: limit", $"{route}?limit={limit}");
            foreach (var direction in directions)
                Read("query: order_direction", $"{route}?order_direction={direction}");
            foreach (var cursor in cursors)
                Read("query: cursor", $"{route}?cursor={cursor}");
            foreach (var name in new[] { "limit", "order_direction", "cursor" })
                Read("query: duplicated", $"{route}?{name}=1&{name}=2");
            Read("query: duplicated", $"{route}?limit=5&limit=5");
            Read("query: duplicated", $"{route}?order_direction=ASC&order_direction=DESC&cursor={cursors[0]}&cursor={cursors[1]}");
            Read("query: unknown", $"{route}?unknown={BadValues.Escape(BadValues.LongAscii)}&%00=%00&&&=&a");
        }
        foreach (var filter in new[] { "item_id", "collection_id", "listing_id", "status", "email", "eth_address", "fulfillment_status", "fulfillment_method", "payment_provider" })
        {
            foreach (var value in BadValues.RawSegments.Concat(BadValues.NulSegments).Concat(["pending", "PENDING,CONFIRMED", "STRIPE,,PAYPAL", ",,,", "%20,%20", "stripe", "Stripe"]))
                Read("query: intent filters", $"/v1/purchase-intents?{filter}={value}");
            Read("query: duplicated", $"/v1/purchase-intents?{filter}=x&{filter}=y");
            Read("query: duplicated", $"/v1/purchase-intents?{filter}=&{filter}=");
        }
        foreach (var value in BadValues.RawSegments.Concat(BadValues.NulSegments).Concat(["", "MAINNET", "mainnet&platform=devnet"]))
            Read("query: vm", $"/api/v1/vm/available?platform={value}");
        foreach (var value in BadValues.RawSegments.Concat(BadValues.NulSegments).Concat(["", "1,2,3", ",,,", $"{SweepWorld.Pack}&claw_ids=%00"]))
        {
            Read("query: vm", $"/api/v1/vm/recent-pulls?claw_ids={value}");
            Read("query: vm", $"/api/v1/vm/recent-pulls?limit={value}");
        }
        Read("query: vm", $"/api/v1/vm/recent-pulls?{string.Join("&", Enumerable.Range(0, 500).Select(i => $"claw_ids=c{i}"))}");
        Read("query: vm", "/api/v1/vm/recent-pulls?limit=1&limit=2&limit=abc");
        foreach (var path in new[] { "/health/live", "/health/ready", "/openapi/v1.json" })
        {
            Add("query: health/openapi", HttpMethod.Get, $"{path}?x={BadValues.Escape(BadValues.LongAscii)}&%00=%ED%A0%80", null, null, Expect.NotServerError);
            Add("query: health/openapi", HttpMethod.Get, path, null, null, Expect.NotServerError, headers: SweepRequest.Key("not-a-key"));
        }
    }

    private void Read(string category, string target) => Add(category, HttpMethod.Get, target, null, TestKeys.PartnerA, Expect.NotServerError);

    /// <summary>Random base64, truncated and forged (well-formed but invented) cursors.</summary>
    private IEnumerable<string> Cursors()
    {
        string Url(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
        var forged = Url($"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000}:{Guid.NewGuid()}");
        yield return forged;
        yield return forged[..(forged.Length / 2)];
        yield return forged[..^1];
        yield return forged + "==";
        yield return Uri.EscapeDataString(Convert.ToBase64String(Encoding.UTF8.GetBytes("1:a")));
        foreach (var text in new[] { "0:x", "-1:x", ":x", "1:", "99999999999999999999:x", "9223372036854775807:x", "1:\u0000", "1:%", "1:" + BadValues.LongAscii[..3000],
                     "1:🙂\u202E", "1:'; DROP TABLE x; --", "abc", "", "1:\ud800" })
            yield return Url(text);
        for (var i = 0; i < 6; i++)
            yield return Base64Url.EncodeToString(values.Bytes(1 + values.Next(80)));
        yield return "%00";
        yield return "!!!";
        yield return "a%20b";
        yield return BadValues.Escape(BadValues.LongAscii);
    }

    /// <summary>Wrong content types on every route with a body, and wrong methods.</summary>
    private void ContentTypesAndMethods()
    {
        foreach (var (method, path, body, admin) in KeyedRoutes().Where(r => r.Body is not null))
        {
            var key = admin ? TestKeys.AdminA : TestKeys.PartnerA;
            // Bodies that would be accepted as JSON must be refused for their content type alone: make them refused anyway.
            var refused = Defective(path, body!);
            foreach (var type in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                         "application/json; charset=utf-16", "application/jsonx", "*/*", "application/octet-stream" })
                _requests.Add(new SweepRequest("content type", method, path, SweepRequest.Utf8(refused), type, SweepRequest.Key(key)));
            _requests.Add(new SweepRequest("content type", method, path, SweepRequest.Utf8(refused), null, SweepRequest.Key(key)));
            _requests.Add(new SweepRequest("content type", method, path, null, null, SweepRequest.Key(key)));
            _requests.Add(new SweepRequest("content type", method, path, [0xFF, 0xFE, 0x7B, 0x00], Json, SweepRequest.Key(key)));
            _requests.Add(new SweepRequest("content type", method, path, Encoding.Unicode.GetBytes(refused), "application/json; charset=utf-16", SweepRequest.Key(key)));
        }
        foreach (var (method, path) in new[]
                 {
                     (HttpMethod.Put, "/v1/purchase-intents"), (HttpMethod.Delete, "/v1/listings"), (HttpMethod.Post, "/api/v1/vm/available"),
                     (HttpMethod.Get, "/api/v1/vm/buy/init"), (HttpMethod.Patch, "/v1/purchase-intents/x"), (HttpMethod.Get, "/v1/webhooks/stripe"),
                     (HttpMethod.Delete, "/admin/v1/packs/x"), (HttpMethod.Post, "/health/live"), (new HttpMethod("PROPFIND"), "/v1/listings"),
                     (HttpMethod.Get, "/sandbox/v1/payment-intents/x/succeed"), (HttpMethod.Get, "/nowhere"), (HttpMethod.Post, "/v1/listings/x/y/z"),
                     (HttpMethod.Get, "/api/v1/ship/quote"), (HttpMethod.Post, "/api/v1/ship/order/x"),
                 })
            Add("wrong method or route", method, path, method == HttpMethod.Get || method == HttpMethod.Delete ? null : "{}", TestKeys.AdminA);
        Add("idempotency key", HttpMethod.Post, "/v1/purchase-intents", "{\"provider\":\"PAYPAL\"}", TestKeys.PartnerA,
            headers: [new("X-API-Key", TestKeys.PartnerA), new("Idempotency-Key", new string('k', 256))]);
        Add("idempotency key", HttpMethod.Post, "/v1/purchase-intents", "{\"provider\":\"PAYPAL\"}", TestKeys.PartnerA,
            headers: [new("X-API-Key", TestKeys.PartnerA), new("Idempotency-Key", new string('k', 8000))]);
        Add("idempotency key", HttpMethod.Post, "/api/v1/vm/buy/init", "{\"amount\":0}", TestKeys.PartnerA,
            headers: [new("X-API-Key", TestKeys.PartnerA), new("Idempotency-Key", "%00\\u0000 ' \"")]);
    }

    /// <summary>Bodies above the 1 MiB limit (declared and chunked), on every route with a body.</summary>
    private void Oversized()
    {
        var pad = new string('x', (int)(1024 * 1024 * 1.1));
        foreach (var (method, path, _, admin) in KeyedRoutes().Where(r => r.Body is not null))
        {
            var key = SweepRequest.Key(admin ? TestKeys.AdminA : TestKeys.PartnerA);
            var body = SweepRequest.Utf8($"{{\"pad\":\"{pad}\"}}");
            _requests.Add(new SweepRequest("oversized body", method, path, body, Json, key));
            _requests.Add(new SweepRequest("oversized body", method, path, SweepRequest.Utf8($"{{\"pad\":\"{pad[..(1024 * 1024 + 16 * 1024)]}\"}}"), Json, key, Chunked: true));
        }
        _requests.Add(new SweepRequest("oversized body", HttpMethod.Post, "/v1/webhooks/stripe", SweepRequest.Utf8($"{{\"pad\":\"{pad}\"}}"), Json, []));
        _requests.Add(new SweepRequest("oversized body", HttpMethod.Post, "/v1/webhooks/stripe", SweepRequest.Utf8($"{{\"pad\":\"{pad}\"}}"), Json, [], Chunked: true));
    }

    /// <summary>The same route's body with a defect, so that only the bad content type can be at stake.</summary>
    private static string Defective(string path, string body) => path switch
    {
        "/api/v1/vm/buy/init" => "{\"id\":\"sweep-off\",\"amount\":1,\"user_id\":\"u\"}",
        "/api/v1/vm/buy/status" => "{\"session_id\":\"no-such-session\"}",
        "/api/v1/vm/buyback" => "{\"item_id\":\"sweep-off-card-0\"}",
        "/api/v1/ship/quote" => $"{{\"item_ids\":[\"sweep-off-card-0\"],\"destination\":{SweepWorld.Destination}}}",
        "/api/v1/ship/request" => "{\"quote_id\":\"quote_AAAAAAAAAAAAAAAA_rate_standard\"}",
        "/v1/purchase-intents" => "{\"provider\":\"PAYPAL\"}",
        "/v1/listings" => "{\"quantity_listed\":0}",
        _ when path.StartsWith("/v1/listings/", StringComparison.Ordinal) => "{\"policy\":{\"type\":\"ALLOW_LIST\"}}",
        _ when path.EndsWith("/cards", StringComparison.Ordinal) => "{\"cards\":[]}",
        _ when path.StartsWith("/admin/v1/packs/", StringComparison.Ordinal) => "{\"slug\":\"\"}",
        _ => body,
    };

    private void MutateFields(string category, string path, RawObject basis, IEnumerable<string> fields, string key)
    {
        foreach (var field in fields)
        {
            foreach (var value in values.ForField())
                Add($"{category}.{field}", HttpMethod.Post, path, basis.With(field, value).ToString(), key);
            Add($"{category}.{field}", HttpMethod.Post, path, basis.Without(field).ToString(), key);
        }
        Add($"{category} unknown field", HttpMethod.Post, path, basis.With("unexpected", "{\"nested\":[1,2,3]}").ToString(), key);
        Add($"{category} duplicated field", HttpMethod.Post, path, basis.ToString().TrimEnd('}') + "," + basis.ToString().TrimStart('{'), key);
    }

    /// <summary>Malformed documents, and the route's own body truncated at random points.</summary>
    private void Malformed(string category, string path, RawObject basis, string key, HttpMethod? method = null)
    {
        method ??= HttpMethod.Post;
        foreach (var body in BadValues.MalformedBodies)
            Add(category, method, path, body, key);
        var text = basis.ToString();
        for (var i = 0; i < 6; i++)
            Add("body: truncated", method, path, text[..values.Next(text.Length)], key);
        _requests.Add(new SweepRequest("body: invalid UTF-8", method, path, [.. SweepRequest.Utf8(text[..^2]), 0xC3, 0x28, 0x22, 0x7D], Json, SweepRequest.Key(key)));
    }

    private void AddWebhook(string category, string body, string? signature) =>
        _requests.Add(new SweepRequest(category, HttpMethod.Post, "/v1/webhooks/stripe", SweepRequest.Utf8(body), Json,
            signature is null ? [] : [new("Stripe-Signature", signature)]));

    private void AddSigned(string category, string body, byte[]? raw = null)
    {
        var bytes = raw ?? SweepRequest.Utf8(body);
        _requests.Add(new SweepRequest(category, HttpMethod.Post, "/v1/webhooks/stripe", bytes, Json,
            [new("Stripe-Signature", Sign(bytes, DateTimeOffset.UtcNow.ToUnixTimeSeconds()))]));
    }

    private static string Sign(string body, long t) => Sign(SweepRequest.Utf8(body), t);

    /// <summary>A valid <c>Stripe-Signature</c> for any timestamp, even one no clock can show.</summary>
    private static string Sign(byte[] body, long t)
    {
        var payload = Encoding.UTF8.GetBytes(t.ToString(CultureInfo.InvariantCulture) + ".").Concat(body).ToArray();
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(SweepWorld.WebhookSecret), payload);
        return $"t={t.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(mac)}";
    }

    private void Add(string category, HttpMethod method, string target, string? body, string? key, Expect expect = Expect.Refused,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        _requests.Add(new SweepRequest(category, method, target, body is null ? null : SweepRequest.Utf8(body), Json,
            headers ?? SweepRequest.Key(key), expect));
}
