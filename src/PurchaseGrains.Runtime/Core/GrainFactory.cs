using System.Collections.Concurrent;
using System.Reflection;

namespace PurchaseGrains.Runtime.Core;

internal sealed class GrainFactory(GrainRuntime runtime) : IGrainFactory
{
    private readonly ConcurrentDictionary<Type, string> _typeNames = new();

    public TGrainInterface GetGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var typeName = _typeNames.GetOrAdd(typeof(TGrainInterface), t => runtime.Registry.ForInterface(t).TypeName);
        var proxy = DispatchProxy.Create<TGrainInterface, GrainProxy>();
        ((GrainProxy)(object)proxy).Bind(runtime, new GrainId(typeName, key));
        return proxy;
    }

    public TGrainInterface GetNewGrain<TGrainInterface>(string key) where TGrainInterface : IGrainWithStringKey
    {
        var reference = GetGrain<TGrainInterface>(key);
        runtime.ExpectNew(((GrainProxy)(object)reference).GrainId);
        return reference;
    }
}

/// <summary>The reference handed to callers: every interface call becomes a turn on the grain's activation.</summary>
public class GrainProxy : DispatchProxy, IGrainReference
{
    private GrainRuntime _runtime = null!;

    public GrainId GrainId { get; private set; }

    internal void Bind(GrainRuntime runtime, GrainId grainId) => (_runtime, GrainId) = (runtime, grainId);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        GrainMethodInvoker.For(targetMethod!).Invoke(_runtime, GrainId, args ?? []);

    public override string ToString() => GrainId.ToString();
}
