using PurchaseGrains.Grains.PurchaseIntents;
using PurchaseGrains.Storage;

namespace PurchaseGrains.Tests.PurchaseIntents.Domain;

public sealed class PurchaseIntentStateTests
{
    private static PurchaseIntentState Pending() => new() { Status = IntentStatus.Pending, FulfillmentStatus = FulfillmentStatus.Pending };

    [Fact]
    public void OnlyAPendingIntentConfirmsExpiresOrIsCancelled()
    {
        var intent = Pending();
        Assert.True(intent.Confirm());
        Assert.False(intent.Confirm());
        Assert.False(intent.Expire());
        Assert.False(intent.Cancel("delete-1"));
        Assert.Equal(IntentStatus.Confirmed, intent.Status);

        var expired = Pending();
        Assert.True(expired.Expire());
        Assert.False(expired.Confirm());
        Assert.False(expired.Cancel("delete-1"));

        var cancelled = Pending();
        Assert.True(cancelled.Cancel("delete-1"));
        Assert.Equal(IntentStatus.Cancelled, cancelled.Status);
        Assert.False(cancelled.Cancel("delete-2"));
    }

    [Fact]
    public void ACancelledIntentKnowsTheRequestThatCancelledIt()
    {
        var cancelled = Pending();
        Assert.True(cancelled.Cancel("delete-1"));
        Assert.True(cancelled.WasCancelledBy("delete-1"));
        Assert.False(cancelled.WasCancelledBy("delete-2"));

        var expired = Pending();
        expired.Expire();
        Assert.False(expired.Cancel("delete-1"));
        Assert.False(expired.WasCancelledBy("delete-1"));
    }

    [Fact]
    public void PaymentAfterExpiryIsUnresolvedNotConfirmed()
    {
        var intent = Pending();
        intent.Expire();
        Assert.True(intent.Unresolve("late"));
        Assert.Equal(IntentStatus.Unresolved, intent.Status);
        Assert.False(intent.Unresolve("again"));
        Assert.True(intent.IsSettled);

        var confirmed = Pending();
        confirmed.Confirm();
        Assert.False(confirmed.Unresolve("no"));
    }

    [Fact]
    public void FailuresCountOncePerEventOrPolledAttemptAndExhaustTheBudget()
    {
        var intent = Pending();
        Assert.Equal(FailureVerdict.Counted, intent.RecordFailure("evt_1", 0, budget: 3));
        Assert.Equal(FailureVerdict.Unchanged, intent.RecordFailure("evt_1", 0, budget: 3));
        Assert.Equal(FailureVerdict.Unchanged, intent.RecordFailure(null, 1, budget: 3));
        Assert.Equal(FailureVerdict.Counted, intent.RecordFailure(null, 2, budget: 3));
        Assert.Equal(2, intent.PaymentFailures);
        // Events and polled counts see the same attempts: the larger of the two counts, never their sum.
        Assert.Equal(FailureVerdict.Unchanged, intent.RecordFailure("evt_2", 0, budget: 3));
        Assert.Equal(FailureVerdict.BudgetExhausted, intent.RecordFailure("evt_3", 0, budget: 3));

        intent.Unresolve("failed");
        Assert.Equal(FailureVerdict.Unchanged, intent.RecordFailure("evt_4", 0, budget: 3));
    }

    [Fact]
    public void FulfilmentAdvancesOnlyAfterConfirmationAndInOrder()
    {
        var intent = Pending();
        Assert.False(intent.Assign(["c1"], null));
        Assert.False(intent.NeedsFulfillment);

        intent.Confirm();
        Assert.True(intent.NeedsFulfillment);
        Assert.False(intent.CompleteFulfillment());
        Assert.True(intent.Assign(["c1", "c2"], null));
        Assert.Equal(FulfillmentStatus.Assigned, intent.FulfillmentStatus);
        Assert.False(intent.Assign(["c3"], null));
        Assert.Equal(["c1", "c2"], intent.ItemClaimIds);
        Assert.True(intent.CompleteFulfillment());
        Assert.False(intent.FailFulfillment("too late"));
        Assert.Equal(FulfillmentStatus.Completed, intent.FulfillmentStatus);
        Assert.True(intent.IsSettled);
    }

    [Fact]
    public void AnyUnfinishedFulfilmentStepCanEndInException()
    {
        var intent = Pending();
        intent.Confirm();
        intent.Assign(null, ["0xabc"]);
        Assert.True(intent.FailFulfillment("mint service down"));
        Assert.Equal(FulfillmentStatus.Exception, intent.FulfillmentStatus);
        Assert.False(intent.CompleteFulfillment());
    }

    [Fact]
    public void TheWireViewSpellsEnumsAsPhosphorDoes()
    {
        var intent = Pending();
        intent.Provider = PaymentProvider.MintVoucher;
        intent.FulfillmentMethod = FulfillmentMethod.Voucher;
        intent.Currency = "USD";
        intent.Price = 5000;
        var view = intent.ToView("id-1");
        Assert.Equal(("MINT_VOUCHER", "VOUCHER", "PENDING", "PENDING"), (view.PaymentProvider, view.FulfillmentMethod, view.Status, view.FulfillmentStatus));
        Assert.Equal(new ProviderPrice("USD", 5000), view.ProviderPrice);
    }

    [Fact]
    public void DerivedValuesAreNotStoredAndStoredOnesFromOlderRowsAreIgnored()
    {
        var stored = GrainStateSerializer.Serialize(Pending());
        Assert.DoesNotContain("is_settled", stored);
        Assert.DoesNotContain("needs_fulfillment", stored);
        Assert.DoesNotContain("payment_failures", stored);

        // Rows written before these were left out carry them, with values the state itself decides.
        var older = GrainStateSerializer.Deserialize<PurchaseIntentState>(
            """{"status":"confirmed","fulfillment_status":"completed","is_settled":false,"needs_fulfillment":true,"payment_failures":7}""");
        Assert.True(older.IsSettled);
        Assert.False(older.NeedsFulfillment);
        Assert.Equal(0, older.PaymentFailures);
    }
}
