namespace PurchaseGrains.Runtime;

/// <summary>Marker for grain interfaces. Every method must return <see cref="Task"/> or <see cref="Task{TResult}"/>.</summary>
public interface IGrain;

public interface IGrainWithStringKey : IGrain;

/// <summary>A grain that receives durable reminder ticks.</summary>
public interface IRemindable : IGrain
{
    Task ReceiveReminder(string reminderName, TickStatus status);
}

/// <summary>What a reminder tick knows about itself. <see cref="CurrentTickTime"/> is when it was due.</summary>
public readonly record struct TickStatus(DateTimeOffset FirstTickTime, TimeSpan Period, DateTimeOffset CurrentTickTime);

public interface IGrainFactory
{
    TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey;

    /// <summary>
    /// A reference to a grain whose key the caller has just generated: if its next call activates it on this node,
    /// the activation starts from empty state without reading storage. Its first write is create-if-absent, so a wrong
    /// guess costs a re-run turn, never a lost update; but a call that writes nothing would see empty state, so use
    /// this only for keys that cannot exist yet.
    /// </summary>
    TGrainInterface GetNewGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey;
}
