using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using PurchaseGrains.Runtime.Reminders;
using PurchaseGrains.Runtime.Storage;

namespace PurchaseGrains.Runtime.Core;

/// <summary>
/// Builds grain instances: constructor parameters marked <see cref="PersistentStateAttribute"/> get a state bound to
/// the grain id; everything else comes from DI.
/// </summary>
internal sealed class GrainActivator(
    IServiceProvider services,
    IGrainStorage storage,
    IGrainChangeFeed changeFeed,
    TimeProvider timeProvider,
    ReminderRegistry reminders)
{
    private readonly ConcurrentDictionary<Type, (ObjectFactory Factory, StateParameter[] States)> _factories = new();

    public (Grain Grain, IReadOnlyList<IReloadableState> States) Create(GrainId grainId, Type implementationType)
    {
        var (factory, stateParameters) = _factories.GetOrAdd(implementationType, Describe);
        var states = new object[stateParameters.Length];
        for (var i = 0; i < stateParameters.Length; i++)
        {
            var stateType = typeof(PersistentState<>).MakeGenericType(stateParameters[i].StateType);
            states[i] = Activator.CreateInstance(stateType, grainId, stateParameters[i].Name, storage, changeFeed)!;
        }
        var grain = (Grain)factory(services, states);
        grain.Context = new ActivationContext(grainId, services.GetRequiredService<IGrainFactory>(), timeProvider, reminders);
        return (grain, states.Cast<IReloadableState>().ToArray());
    }

    private static (ObjectFactory, StateParameter[]) Describe(Type implementationType)
    {
        var constructor = implementationType.GetConstructors().Single();
        var states = constructor.GetParameters()
            .Where(p => p.GetCustomAttribute<PersistentStateAttribute>() is not null)
            .Select(p => new StateParameter(p.GetCustomAttribute<PersistentStateAttribute>()!.StateName,
                p.ParameterType.GetGenericArguments()[0], p.ParameterType))
            .ToArray();
        if (states.Select(s => s.Name).Distinct().Count() != states.Length)
            throw new InvalidOperationException($"{implementationType.Name} names two persistent states alike.");
        return (ActivatorUtilities.CreateFactory(implementationType, states.Select(s => s.ParameterType).ToArray()), states);
    }

    private sealed record StateParameter(string Name, Type StateType, Type ParameterType);
}
