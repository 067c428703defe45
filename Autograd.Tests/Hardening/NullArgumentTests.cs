using System.Reflection;
using Autograd.Nn;
using Autograd.Nn.Checkpoints;
using Autograd.Nn.Data;
using Autograd.Nn.Optim;
using Module = Autograd.Nn.Module;

namespace Autograd.Tests.Hardening;

/// <summary>
/// The null rule of docs/errors.md, checked over the whole public API: every public or protected method and public
/// constructor of every public type in Autograd.Core and Autograd.Nn, given null for one non-nullable reference
/// parameter and valid values for the others, throws <see cref="ArgumentNullException"/> whose ParamName is that
/// parameter's name. Parameters annotated nullable (<c>Tensor?</c>, <c>Generator?</c>) may take null.
/// </summary>
public class NullArgumentTests
{
    private static readonly Assembly[] Assemblies = [typeof(Tensor).Assembly, typeof(Module).Assembly];

    private string _dir = "";

    [SetUp]
    public void CreateTempDirectory()
    {
        _dir = Path.Combine(Path.GetTempPath(), "autograd-nulls-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteTempDirectory()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A user-defined op, to reach the members of <see cref="CustomFunction"/> and <see cref="Function"/>.</summary>
    private sealed class Doubler : CustomFunction
    {
        protected override Tensor Forward(Tensor[] inputs) => inputs[0] * 2.0;

        protected override Tensor?[] Backward(Tensor grad) => [grad * 2.0];
    }

    private static Tensor SampleTensor() => Tensor.Ones([2, 2], DType.Float64);

    private static Parameter SampleParameter() => new(Tensor.Ones([2, 2], DType.Float64));

    private static SGD SampleOptimizer() => new([SampleParameter()], 0.1);

    /// <summary>A valid value of <paramref name="type"/>, for the parameters that are not the one given null.</summary>
    private object? Sample(Type type)
    {
        if (type == typeof(Tensor)) return SampleTensor();
        if (type == typeof(Parameter)) return SampleParameter();
        if (type == typeof(Tensor[])) return new[] { SampleTensor() };
        if (type == typeof(int[])) return new[] { 2, 2 };
        if (type == typeof(long[])) return new long[] { 1, 2, 3, 4 };
        if (type == typeof(float[])) return new float[] { 1, 2, 3, 4 };
        if (type == typeof(double[])) return new double[] { 1, 2, 3, 4 };
        if (type == typeof(Array)) return new double[,] { { 1, 2 }, { 3, 4 } };
        if (type == typeof(string)) return Path.Combine(_dir, "sample");
        if (type == typeof(Stream)) return new MemoryStream();
        if (type == typeof(Generator)) return new Generator(0);
        if (type == typeof(BufferPool)) return new BufferPool();
        if (type == typeof(Value)) return new Value(1);
        if (type == typeof(GradCheckOptions)) return new GradCheckOptions();
        if (type == typeof(Func<Tensor[], Tensor>)) return (Func<Tensor[], Tensor>)(xs => xs[0].Sum());
        if (type == typeof(Func<Tensor, Tensor>)) return (Func<Tensor, Tensor>)(x => x.Sum());
        if (type == typeof(Func<Tensor, Tensor?>)) return (Func<Tensor, Tensor?>)(_ => null);
        if (type == typeof(Func<Module>)) return (Func<Module>)(() => new ReLU());
        if (type == typeof(IEnumerable<Tensor>)) return new Tensor[] { SampleParameter() };
        if (type == typeof(IReadOnlyDictionary<string, Tensor>)) return new Dictionary<string, Tensor>();
        if (type == typeof(IReadOnlyDictionary<string, string>)) return new Dictionary<string, string>();
        if (type == typeof(Module)) return new Linear(2, 2, dtype: DType.Float64);
        if (type == typeof(Module[])) return new Module[] { new ReLU() };
        if (type == typeof(Optimizer)) return SampleOptimizer();
        if (type == typeof(ParamGroup)) return new ParamGroup([SampleParameter()]);
        if (type == typeof(IEnumerable<ParamGroup>)) return new[] { new ParamGroup([SampleParameter()]) };
        if (type == typeof(IReadOnlyDictionary<string, double>)) return new Dictionary<string, double>();
        if (type == typeof(Func<double, double>)) return (Func<double, double>)(_ => 1.0);
        if (type == typeof(Func<int, double>)) return (Func<int, double>)(_ => 1.0);
        if (type == typeof(Func<Tensor>)) return (Func<Tensor>)(() => Tensor.Scalar(0.0, DType.Float64));
        if (type == typeof(IReadOnlyList<Func<int, double>>)) return new Func<int, double>[] { _ => 1.0 };
        if (type == typeof(IEnumerable<int>) || type == typeof(IReadOnlyList<int>)) return Array.Empty<int>();
        if (type == typeof(IReadOnlyList<double>)) return new[] { 0.1 };
        if (type == typeof(IReadOnlyList<LRScheduler>)) return new LRScheduler[] { new StepLR(SampleOptimizer(), 1) };
        if (type == typeof(TensorDataset)) return new TensorDataset(Tensor.Ones([4, 2]), Tensor.Zeros([4], DType.Int64));
        if (type == typeof(ParameterState)) return (ParameterState)Activator.CreateInstance(typeof(ParameterState), nonPublic: true)!;
        if (type == typeof(System.Numerics.Tensors.Tensor<float>))
            return System.Numerics.Tensors.Tensor.Create(new float[] { 1, 2 }, [2]);
        if (type.IsEnum) return Enum.GetValues(type).GetValue(0);
        if (type == typeof(int)) return 1;
        if (type == typeof(long)) return 1L;
        if (type == typeof(ulong)) return 1UL;
        if (type == typeof(double)) return 0.5;
        if (type == typeof(float)) return 0.5f;
        if (type == typeof(bool)) return false;
        if (Nullable.GetUnderlyingType(type) is not null) return null;
        if (type == typeof((Tensor, Tensor))) return (SampleTensor(), SampleTensor());
        if (type == typeof(Sampler)) return new SequentialSampler(4);
        if (type == typeof(BatchSampler)) return new BatchSampler(new SequentialSampler(4), 2, false);
        if (type == typeof(Transform)) return new Normalize([0], [1]);
        if (type == typeof(IEnumerable<int>)) return new[] { 0, 1 };
        if (type.IsAssignableFrom(typeof(TensorDataset))) return Sample(typeof(TensorDataset));
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dataset<>))
            return Activator.CreateInstance(typeof(SampleDataset<>).MakeGenericType(type.GetGenericArguments()));
        if (type.IsArray && type.GetElementType()!.IsAssignableFrom(typeof(TensorDataset)))
        {
            var array = Array.CreateInstance(type.GetElementType()!, 1);
            array.SetValue(Sample(typeof(TensorDataset)), 0);
            return array;
        }
        if (type.IsArray && Sample(type.GetElementType()!) is { } element)
        {
            var array = Array.CreateInstance(type.GetElementType()!, 1);
            array.SetValue(element, 0);
            return array;
        }
        if (typeof(Delegate).IsAssignableFrom(type))
        {
            // Any other delegate: one that returns a sample of its return type, or nothing.
            var invoke = type.GetMethod("Invoke")!;
            var parameters = invoke.GetParameters().Select(p => System.Linq.Expressions.Expression.Parameter(p.ParameterType)).ToArray();
            System.Linq.Expressions.Expression body = invoke.ReturnType == typeof(void)
                ? System.Linq.Expressions.Expression.Empty()
                : System.Linq.Expressions.Expression.Constant(Sample(invoke.ReturnType), invoke.ReturnType);
            return System.Linq.Expressions.Expression.Lambda(type, body, parameters).Compile();
        }
        throw new InvalidOperationException($"no sample value of type {type}: add one to NullArgumentTests.Sample");
    }

    private sealed class SampleDataset<T> : Dataset<T>
    {
        public override int Count => 2;

        public override T this[int index] => default!;
    }

    /// <summary>An instance of <paramref name="type"/> to call an instance member on.</summary>
    private object Instance(Type type)
    {
        if (type.IsAbstract && type.IsAssignableFrom(typeof(TensorDataset))) return Sample(typeof(TensorDataset))!;
        if (type == typeof(Tensor)) return SampleTensor().RequireGrad();
        if (type == typeof(Parameter)) return SampleParameter();
        if (type == typeof(Module) || type == typeof(Linear)) return new Linear(2, 2, dtype: DType.Float64);
        if (type == typeof(Sequential)) return new Sequential(new ReLU());
        if (type == typeof(Dropout)) return new Dropout(0.5, new Generator(0));
        if (type == typeof(Optimizer) || type == typeof(SGD)) return SampleOptimizer();
        if (type == typeof(Adam)) return new Adam([SampleParameter()]);
        if (type == typeof(AdamW)) return new AdamW([SampleParameter()]);
        if (type == typeof(RMSprop)) return new RMSprop([SampleParameter()]);
        if (type == typeof(LRScheduler) || type == typeof(StepLR)) return new StepLR(SampleOptimizer(), 1);
        if (type == typeof(ExponentialLR)) return new ExponentialLR(SampleOptimizer(), 0.5);
        if (type == typeof(CosineAnnealingLR)) return new CosineAnnealingLR(SampleOptimizer(), 2);
        if (type == typeof(SequentialLR))
        {
            var optimizer = SampleOptimizer();
            return new SequentialLR(optimizer, [new StepLR(optimizer, 1)], []);
        }
        if (type == typeof(CustomFunction) || type == typeof(Function)) return new Doubler();
        if (type == typeof(DataLoader)) return new DataLoader((TensorDataset)Sample(typeof(TensorDataset))!, 2);
        if (type == typeof(Value)) return new Value(1);
        if (type == typeof(GradCheckInputReport)) return new GradCheckInputReport(0, true, [], [], 0, 0, 0, 0);
        if (type == typeof(GradCheckResult)) return GradCheck.Check(xs => xs[0].Sum(), [SampleTensor().RequireGrad()]);
        if (type == typeof(ParameterState)) return Sample(type)!;
        if (type == typeof(SavedTensor)) throw new IgnoreException("SavedTensor has no instance members with parameters");
        // Members of an open generic type cannot be invoked; GenericModuleTests.HookRegistrationRefusesNull covers Module<TInput, TResult> and Module<T1, T2, TResult>.
        if (type.IsGenericTypeDefinition) throw new IgnoreException($"{type.Name} is an open generic type");
        // Parameter-free modules and the like: the public constructor with the fewest parameters, given defaults.
        var ctor = type.GetConstructors().OrderBy(c => c.GetParameters().Length).FirstOrDefault()
            ?? throw new InvalidOperationException($"no instance of {type}: add one to NullArgumentTests.Instance");
        return ctor.Invoke(ctor.GetParameters().Select(p => p.HasDefaultValue ? p.DefaultValue : Sample(p.ParameterType)).ToArray());
    }

    /// <summary>The constructors and the public and protected methods declared by <paramref name="type"/>, generic ones bound.</summary>
    private static IEnumerable<MethodBase> Members(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (!type.IsAbstract)
            foreach (var c in type.GetConstructors()) yield return c;
        foreach (var m in type.GetMethods(all))
        {
            if (!(m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) || m.IsAbstract) continue;
            yield return m.IsGenericMethodDefinition ? m.MakeGenericMethod(m.GetGenericArguments().Select(TypeArgument).ToArray()) : m;
        }
    }

    // The class a type parameter is constrained to (RegisterModule<T> where T : Module), else float (From<T>, ToArray<T>).
    private static Type TypeArgument(Type parameter) =>
        parameter.GetGenericParameterConstraints().FirstOrDefault(c => c.IsClass && c != typeof(ValueType)) ?? typeof(float);

    private static bool TakesNull(NullabilityInfoContext context, MethodBase member, ParameterInfo p)
    {
        // A property setter's value takes the property's annotation.
        if (member is MethodInfo { IsSpecialName: true } m && m.Name.StartsWith("set_", StringComparison.Ordinal)
            && m.DeclaringType!.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
                .FirstOrDefault(q => q.SetMethod == m) is { } property && p.Position == m.GetParameters().Length - 1)
            return context.Create(property).WriteState != NullabilityState.NotNull;
        return context.Create(p).WriteState != NullabilityState.NotNull;
    }

    private static bool IsReference(Type t) => !t.IsValueType && !t.IsByRef && !t.IsPointer;

    private static string Describe(MethodBase m) =>
        $"{m.DeclaringType!.Name}.{(m is ConstructorInfo ? "ctor" : m.Name)}({string.Join(", ", m.GetParameters().Select(p => $"{p.ParameterType.Name} {p.Name}"))})";

    [Test]
    public void EveryNonNullableReferenceParameterRefusesNullNamingItself()
    {
        var context = new NullabilityInfoContext();
        var problems = new List<string>();
        int checkedCount = 0;
        foreach (var exported in Assemblies.SelectMany(a => a.GetExportedTypes()))
        {
            if (typeof(Delegate).IsAssignableFrom(exported)) continue;
            // Generic modules are abstract with typed hooks; GenericModuleTests checks their null arguments.
            if (exported.IsGenericTypeDefinition && exported.IsSubclassOf(typeof(Module))) continue;
            // Generic types (datasets, loaders, two-input modules) are walked over (input, target) tensor pairs.
            var type = exported.IsGenericTypeDefinition
                ? exported.MakeGenericType(exported.GetGenericArguments().Select(_ => typeof((Tensor, Tensor))).ToArray())
                : exported;
            foreach (var member in Members(type))
            {
                var ps = member.GetParameters();
                // Spans cannot go through reflection; SpanOverloadsRefuseANullShape covers those.
                if (ps.Any(p => p.ParameterType.IsByRefLike || p.ParameterType.IsByRef)) continue;
                for (int i = 0; i < ps.Length; i++)
                {
                    if (!IsReference(ps[i].ParameterType) || TakesNull(context, member, ps[i])) continue;
                    checkedCount++;
                    var problem = CallWithNull(member, ps, i);
                    if (problem is not null) problems.Add($"{Describe(member)} with {ps[i].Name} = null: {problem}");
                }
            }
        }
        Assert.That(checkedCount, Is.GreaterThan(200), "the walk found the public API");
        Assert.That(problems, Is.Empty, $"{problems.Count} of {checkedCount} null arguments:\n" + string.Join("\n", problems));
    }

    private string? CallWithNull(MethodBase member, ParameterInfo[] ps, int nullAt)
    {
        object? target = null;
        var args = new object?[ps.Length];
        try
        {
            if (!member.IsStatic && member is MethodInfo) target = Instance(member.DeclaringType!);
            for (int k = 0; k < ps.Length; k++)
                args[k] = k == nullAt ? null
                    : ps[k].HasDefaultValue && (!IsReference(ps[k].ParameterType) || ps[k].DefaultValue is null) ? ps[k].DefaultValue
                    : Sample(ps[k].ParameterType);
        }
        catch (IgnoreException)
        {
            return null;
        }
        catch (Exception e)
        {
            return $"test setup: {e.Message}";
        }
        try
        {
            var result = member is ConstructorInfo c ? c.Invoke(args) : member.Invoke(target, args);
            (result as IDisposable)?.Dispose();
            // An iterator checks its arguments when enumeration starts.
            if (result is System.Collections.IEnumerable sequence and not Tensor and not Module and not string)
                try
                {
                    sequence.GetEnumerator().MoveNext();
                }
                catch (ArgumentNullException ane)
                {
                    return ane.ParamName == ps[nullAt].Name ? null : $"ArgumentNullException for '{ane.ParamName}' ({ane.Message})";
                }
            return "returned without throwing";
        }
        catch (TargetInvocationException e) when (e.InnerException is ArgumentNullException ane)
        {
            return ane.ParamName == ps[nullAt].Name ? null : $"ArgumentNullException for '{ane.ParamName}' ({ane.Message})";
        }
        catch (TargetInvocationException e)
        {
            return $"{e.InnerException!.GetType().Name}: {e.InnerException.Message}";
        }
    }

    [Test]
    public void SpanOverloadsRefuseANullShape()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => Tensor.From(new ReadOnlySpan<float>([1f]), null!))!;
        Assert.That(ex.ParamName, Is.EqualTo("shape"));
    }
}
