using System.Text;
using PurchaseGrains.Grains.Payments;

namespace PurchaseGrains.Tests.PurchaseIntents.Domain;

public sealed class StripeWebhookTests
{
    private const string Secret = "whsec_test";
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","metadata":{"purchase_intent_id":"i1"}}}}""");

    [Fact]
    public void ASignatureMadeWithTheSecretOverTheRawBodyIsValid() =>
        Assert.Equal(SignatureCheck.Valid, StripeSignature.Verify(StripeSignature.Header(Body, Secret, Now), Body, Secret, Now, Tolerance));

    [Fact]
    public void TheSignatureIsHexHmacSha256OfTimestampDotBody()
    {
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{Now.ToUnixTimeSeconds()}.{Encoding.UTF8.GetString(Body)}")));
        Assert.Equal($"t={Now.ToUnixTimeSeconds()},v1={expected}", StripeSignature.Header(Body, Secret, Now));
    }

    [Fact]
    public void ATamperedBodyOrAnotherSecretIsAMismatch()
    {
        var header = StripeSignature.Header(Body, Secret, Now);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Body).Replace("pi_1", "pi_2", StringComparison.Ordinal));
        Assert.Equal(SignatureCheck.Mismatch, StripeSignature.Verify(header, tampered, Secret, Now, Tolerance));
        Assert.Equal(SignatureCheck.Mismatch, StripeSignature.Verify(header, Body, "whsec_other", Now, Tolerance));
    }

    [Fact]
    public void SignaturesOlderThanTheToleranceAreRefused()
    {
        Assert.Equal(SignatureCheck.Valid, StripeSignature.Verify(StripeSignature.Header(Body, Secret, Now.AddMinutes(-4)), Body, Secret, Now, Tolerance));
        Assert.Equal(SignatureCheck.OutsideTolerance, StripeSignature.Verify(StripeSignature.Header(Body, Secret, Now.AddMinutes(-6)), Body, Secret, Now, Tolerance));
    }

    [Fact]
    public void AnyOfSeveralV1SignaturesMayMatch()
    {
        var good = StripeSignature.Header(Body, Secret, Now);
        var header = $"t={Now.ToUnixTimeSeconds()},v1={new string('0', 64)},{good.Split(',')[1]},v0=ignored";
        Assert.Equal(SignatureCheck.Valid, StripeSignature.Verify(header, Body, Secret, Now, Tolerance));
    }

    [Theory]
    [InlineData(null, SignatureCheck.Missing)]
    [InlineData("v1=abcd", SignatureCheck.Malformed)]
    [InlineData("t=abc,v1=abcd", SignatureCheck.Malformed)]
    [InlineData("t=1767268800,v1=zz", SignatureCheck.Malformed)]
    [InlineData("t=1767268800", SignatureCheck.Malformed)]
    public void MalformedHeadersAreRefused(string? header, SignatureCheck expected) =>
        Assert.Equal(expected, StripeSignature.Verify(header, Body, Secret, Now, Tolerance));

    [Fact]
    public void EventsNameTheirPaymentIntentAndOurIntent()
    {
        var (paymentEvent, error) = StripeEvent.Parse(Body);
        Assert.Null(error);
        Assert.Equal(new PaymentEvent("evt_1", PaymentEventKind.Succeeded, "pi_1", "i1"), paymentEvent);

        var failed = StripeEvent.Parse("""{"id":"evt_2","type":"payment_intent.payment_failed","data":{"object":{"id":"pi_1"}}}"""u8);
        Assert.Equal(new PaymentEvent("evt_2", PaymentEventKind.Failed, "pi_1", null), failed.Event);
    }

    [Theory]
    [InlineData("""{"id":"evt_3","type":"charge.refunded","data":{"object":{"id":"ch_1"}}}""", "Unsupported event type 'charge.refunded'")]
    [InlineData("""{"type":"payment_intent.succeeded"}""", "An event needs an id and a type")]
    [InlineData("""{"id":"evt_4","type":"payment_intent.succeeded","data":{}}""", "The event has no data.object.id")]
    [InlineData("""not json""", "Invalid JSON body")]
    public void UnknownOrIncompleteEventsAreRefused(string json, string error) =>
        Assert.Equal(error, StripeEvent.Parse(Encoding.UTF8.GetBytes(json)).Error);

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(253_402_300_800)] // 10000-01-01
    public void ACorrectlySignedTimestampNoClockCanShowIsOutsideTheTolerance(long t)
    {
        var mac = System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{t}.{Encoding.UTF8.GetString(Body)}"));
        Assert.Equal(SignatureCheck.OutsideTolerance, StripeSignature.Verify($"t={t},v1={Convert.ToHexStringLower(mac)}", Body, Secret, Now, Tolerance));
    }

    [Theory]
    [InlineData("""{"id":"\udc00x","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1"}}}""")]
    [InlineData("""{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi\u0000"}}}""")]
    [InlineData("""{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","metadata":{"purchase_intent_id":"\ud800"}}}}""")]
    public void AnEventWithANulOrALoneSurrogateIsInvalidJson(string json)
    {
        var (paymentEvent, error) = StripeEvent.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Null(paymentEvent);
        Assert.Equal("Invalid JSON body", error);
    }
}
