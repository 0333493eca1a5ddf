using System.Collections.Concurrent;
using System.Reflection;

namespace PurchaseGrains.Runtime.Core;

/// <summary>Turns an interface method into a grain turn, cached per method. Span name: <c>Interface/Method</c>.</summary>
internal sealed class GrainMethodInvoker
{
    private static readonly ConcurrentDictionary<MethodInfo, GrainMethodInvoker> Cache = new();
    private static readonly MethodInfo InvokeTypedMethod =
        typeof(GrainMethodInvoker).GetMethod(nameof(InvokeTyped), BindingFlags.NonPublic | BindingFlags.Instance)!;

    private readonly MethodInfo _method;
    private readonly string _spanName;
    private readonly Func<GrainRuntime, GrainId, object?[], object> _invoke;

    private GrainMethodInvoker(MethodInfo method)
    {
        _method = method;
        _spanName = $"{method.DeclaringType!.Name}/{method.Name}";
        var returnType = method.ReturnType;
        if (returnType == typeof(Task))
        {
            _invoke = (runtime, id, args) => InvokeTyped<bool>(runtime, id, args, awaitVoid: true);
        }
        else if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            var typed = InvokeTypedMethod.MakeGenericMethod(returnType.GetGenericArguments()[0]);
            var invokeTyped = (Func<GrainRuntime, GrainId, object?[], bool, object>)Delegate.CreateDelegate(
                typeof(Func<GrainRuntime, GrainId, object?[], bool, object>), this, typed);
            _invoke = (runtime, id, args) => invokeTyped(runtime, id, args, false);
        }
        else
        {
            throw new NotSupportedException($"Grain method {_spanName} must return Task or Task<T>.");
        }
    }

    public static GrainMethodInvoker For(MethodInfo method) => Cache.GetOrAdd(method, m => new GrainMethodInvoker(m));

    public object Invoke(GrainRuntime runtime, GrainId grainId, object?[] args) => _invoke(runtime, grainId, args);

    private Task<T> InvokeTyped<T>(GrainRuntime runtime, GrainId grainId, object?[] args, bool awaitVoid) =>
        runtime.RunTurnAsync(grainId, _spanName, async grain =>
        {
            var result = _method.Invoke(grain, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null);
            if (awaitVoid)
            {
                await (Task)result!;
                return default!;
            }
            return await (Task<T>)result!;
        });
}
