using PurchaseGrains.Grains.PurchaseIntents;

namespace PurchaseGrains.Tests.PurchaseIntents.Domain;

public sealed class IntentReminderTests
{
    private static readonly DateTimeOffset Expiration = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_120_000).AddTicks(4321);

    [Fact]
    public void TheNameCarriesTheListingAndTheExpirationToTheMillisecond()
    {
        var reminder = IntentReminder.For("listing:with:colons", Expiration);

        Assert.Equal("expire:1900000120000:listing:with:colons", reminder.Name);
        Assert.Equal(reminder, IntentReminder.TryParse(reminder.Name));
    }

    [Fact]
    public void ABareListingNameIsAnExpiryDueNowAndOtherNamesAreNotIntentReminders()
    {
        var legacy = IntentReminder.TryParse("expire:lst_1");

        Assert.Equal("lst_1", legacy!.ListingId);
        Assert.True(legacy.IsExpiryAt(DateTimeOffset.UnixEpoch));
        Assert.Null(IntentReminder.TryParse("fulfil"));
    }

    [Fact]
    public void ATickIsTheExpiryFromTheExpirationMillisecondOn()
    {
        var reminder = IntentReminder.For("l", Expiration);

        // Reminder times are stored in whole milliseconds, so a tick registered for the expiration is due at its floor.
        Assert.True(reminder.IsExpiryAt(DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_120_000)));
        Assert.True(reminder.IsExpiryAt(Expiration.AddSeconds(3)));
        Assert.False(reminder.IsExpiryAt(DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_119_999)));
    }

    [Fact]
    public void ThePendingIntentWakesAtTheNextPollUntilTheExpirationComesFirst()
    {
        var reminder = IntentReminder.For("l", Expiration);
        var poll = TimeSpan.FromSeconds(15);

        Assert.Equal(Expiration.AddSeconds(-100).Add(poll), reminder.NextDue(Expiration.AddSeconds(-100), poll));
        Assert.Equal(reminder.Expiration, reminder.NextDue(Expiration.AddSeconds(-10), poll));
        Assert.Equal(reminder.Expiration, reminder.NextDue(Expiration.AddSeconds(-100), null));
    }
}
