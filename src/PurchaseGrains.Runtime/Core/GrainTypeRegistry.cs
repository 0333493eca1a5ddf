namespace PurchaseGrains.Runtime.Core;

public sealed record GrainTypeRegistration(string TypeName, Type InterfaceType, Type ImplementationType);

/// <summary>Maps grain interfaces and grain type names (the first half of a <see cref="GrainId"/>) to implementations.</summary>
public sealed class GrainTypeRegistry
{
    private readonly Dictionary<Type, GrainTypeRegistration> _byInterface = [];
    private readonly Dictionary<string, GrainTypeRegistration> _byName = new(StringComparer.Ordinal);

    public GrainTypeRegistry(IEnumerable<GrainTypeRegistration> registrations)
    {
        foreach (var registration in registrations)
        {
            if (!_byName.TryAdd(registration.TypeName, registration))
                throw new InvalidOperationException($"Grain type name '{registration.TypeName}' is registered twice.");
            _byInterface.Add(registration.InterfaceType, registration);
        }
    }

    public GrainTypeRegistration ForInterface(Type interfaceType) =>
        _byInterface.TryGetValue(interfaceType, out var registration) ? registration
            : throw new InvalidOperationException($"No grain registered for {interfaceType.Name}; call AddGrain<{interfaceType.Name}, …>().");

    public GrainTypeRegistration? ForTypeName(string typeName) => _byName.GetValueOrDefault(typeName);
}
