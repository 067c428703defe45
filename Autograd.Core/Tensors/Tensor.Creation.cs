using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Autograd;

public partial class Tensor
{
    /// <summary>A 1-D tensor holding a copy of <paramref name="data"/>.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/> or <see cref="long"/> (float32, float64, int64).</typeparam>
    /// <param name="data">The values to copy.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad, of shape [data.Length].</returns>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not float, double or long.</exception>
    public static Tensor From<T>(ReadOnlySpan<T> data) where T : unmanaged => From(data, [data.Length]);

    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape; an empty shape makes a 0-d tensor.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/> or <see cref="long"/> (float32, float64, int64).</typeparam>
    /// <param name="data">The values to copy, in row-major order.</param>
    /// <param name="shape">The shape of the result; an empty array makes a 0-d tensor.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <typeparamref name="T"/> is not float, double or long, <paramref name="shape"/> has a negative dimension, or
    /// the length of <paramref name="data"/> differs from the number of elements of <paramref name="shape"/>.
    /// </exception>
    public static Tensor From<T>(ReadOnlySpan<T> data, params int[] shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(shape);
        // int has no dtype of its own: as torch.tensor does with Python ints, it becomes int64.
        if (typeof(T) == typeof(int)) return FromInt32(System.Runtime.InteropServices.MemoryMarshal.Cast<T, int>(data), shape);
        var dtype = FromDType<T>();
        shape = (int[])shape.Clone();
        int n = ShapeUtil.NumElements(shape, "From");
        if (n != data.Length)
            throw new ArgumentException($"From: {data.Length} values do not fill shape {ShapeUtil.Format(shape)} ({n} elements).");
        return new Tensor(data.ToArray(), shape, dtype);
    }

    private static DType FromDType<T>() =>
        typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(long) ? DTypeExtensions.Of<T>("From")
        : throw new ArgumentException($"From: element type {typeof(T).Name} is not supported: use float, double, long or int (stored as int64).");

    private static Tensor FromInt32(ReadOnlySpan<int> data, int[] shape)
    {
        var wide = new long[data.Length];
        for (int i = 0; i < wide.Length; i++) wide[i] = data[i];
        return From<long>(wide, shape);
    }

    /// <summary>A 1-D float32 tensor holding a copy of <paramref name="data"/>.</summary>
    /// <param name="data">The values to copy.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad, of shape [data.Length].</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    public static Tensor From(float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return From<float>(data);
    }

    /// <summary>A float32 tensor holding a copy of <paramref name="data"/> with the given shape; an empty shape makes a 0-d tensor.</summary>
    /// <param name="data">The values to copy, in row-major order.</param>
    /// <param name="shape">The shape of the result; an empty array makes a 0-d tensor.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> or <paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="shape"/> has a negative dimension, or the length of <paramref name="data"/> differs from its number of elements.
    /// </exception>
    public static Tensor From(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        return From<float>(data, shape);
    }

    /// <summary>A 1-D float64 tensor holding a copy of <paramref name="data"/>.</summary>
    /// <param name="data">The values to copy.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad, of shape [data.Length].</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    public static Tensor From(double[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return From<double>(data);
    }

    /// <summary>A float64 tensor holding a copy of <paramref name="data"/> with the given shape; an empty shape makes a 0-d tensor.</summary>
    /// <param name="data">The values to copy, in row-major order.</param>
    /// <param name="shape">The shape of the result; an empty array makes a 0-d tensor.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> or <paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="shape"/> has a negative dimension, or the length of <paramref name="data"/> differs from its number of elements.
    /// </exception>
    public static Tensor From(double[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        return From<double>(data, shape);
    }

    /// <summary>A 1-D int64 tensor holding a copy of <paramref name="data"/>.</summary>
    /// <param name="data">The values to copy.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad, of shape [data.Length].</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    public static Tensor From(long[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return From<long>(data);
    }

    /// <summary>An int64 tensor holding a copy of <paramref name="data"/> with the given shape; an empty shape makes a 0-d tensor.</summary>
    /// <param name="data">The values to copy, in row-major order.</param>
    /// <param name="shape">The shape of the result; an empty array makes a 0-d tensor.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> or <paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="shape"/> has a negative dimension, or the length of <paramref name="data"/> differs from its number of elements.
    /// </exception>
    public static Tensor From(long[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        return From<long>(data, shape);
    }

    /// <summary>A tensor from a C# multi-dimensional array (<c>float[,]</c>, <c>double[,,]</c>, …) of its shape.</summary>
    /// <param name="data">An array of float, double or long of any rank; its elements are copied in row-major order.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad, of shape [data.GetLength(0), …] and the dtype of the element type.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The element type of <paramref name="data"/> is not float, double or long.</exception>
    public static Tensor From(Array data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var type = data.GetType().GetElementType()!;
        var dtype = type == typeof(float) ? DType.Float32 : type == typeof(double) ? DType.Float64 : type == typeof(long) || type == typeof(int) ? DType.Int64
            : throw new ArgumentException($"From: arrays of {type.Name} are not supported; use float, double, long or int (stored as int64).");
        var shape = new int[data.Rank];
        for (int d = 0; d < shape.Length; d++) shape[d] = data.GetLength(d);
        if (type == typeof(int))
            return FromInt32(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, int>(ref MemoryMarshal.GetArrayDataReference(data)), data.Length), shape);
        var flat = dtype.NewArray(data.Length);
        int bytes = data.Length * (dtype == DType.Float32 ? 4 : 8);
        // Multi-dimensional arrays are stored row-major: one block copy.
        MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(data), bytes)
            .CopyTo(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(flat), bytes));
        return new Tensor(flat, shape, dtype);
    }

    /// <summary>A 0-d tensor holding <paramref name="value"/>.</summary>
    /// <param name="value">The value, rounded to float32 or truncated toward zero for int64.</param>
    /// <param name="dtype">The element type of the result.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad, of shape [].</returns>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is <see cref="DType.Int64"/> and <paramref name="value"/> is NaN, infinite or outside the range of <see cref="long"/>.</exception>
    public static Tensor Scalar(double value, DType dtype = DType.Float32) => Filled("Scalar", [], value, dtype);

    /// <summary>A tensor of the given shape filled with <paramref name="value"/>.</summary>
    /// <param name="shape">The shape of the result; an empty array makes a 0-d tensor.</param>
    /// <param name="value">The fill value, rounded to float32 or truncated toward zero for int64.</param>
    /// <param name="dtype">The element type of the result.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="shape"/> has a negative dimension or more than <see cref="Array.MaxLength"/> elements, or
    /// <paramref name="dtype"/> is <see cref="DType.Int64"/> and <paramref name="value"/> is NaN, infinite or outside the range of <see cref="long"/>.
    /// </exception>
    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Filled("Full", shape, value, dtype);
    }

    private static Tensor Filled(string op, int[] shape, double value, DType dtype)
    {
        // The range of long is [-2^63, 2^63); NaN and values outside it have no int64 representation.
        if (dtype == DType.Int64 && !(value >= -9223372036854775808.0 && value < 9223372036854775808.0))
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{op}: the value {value} cannot be converted to int64 without overflow."), nameof(value));
        var t = Empty(shape.Length == 0 ? [] : (int[])shape.Clone(), dtype, op);
        switch (dtype)
        {
            case DType.Float32: System.Array.Fill(t.Array<float>(), (float)value); break;
            case DType.Float64: System.Array.Fill(t.Array<double>(), value); break;
            default: System.Array.Fill(t.Array<long>(), (long)value); break;
        }
        return t;
    }

    /// <summary>A tensor of zeros.</summary>
    /// <param name="shape">The shape of the result; an empty array makes a 0-d tensor.</param>
    /// <param name="dtype">The element type of the result.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="shape"/> has a negative dimension or more than <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor Zeros(int[] shape, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Empty((int[])shape.Clone(), dtype, "Zeros");
    }

    /// <summary>A tensor of ones.</summary>
    /// <param name="shape">The shape of the result; an empty array makes a 0-d tensor.</param>
    /// <param name="dtype">The element type of the result.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="shape"/> has a negative dimension or more than <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor Ones(int[] shape, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Filled("Ones", shape, 1.0, dtype);
    }

    /// <summary>Zeros of <paramref name="like"/>'s shape and dtype.</summary>
    /// <param name="like">The tensor whose shape and dtype to copy; its values and graph are not used.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="like"/> is <see langword="null"/>.</exception>
    public static Tensor ZerosLike(Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Zeros(like.Dims, like.DType);
    }

    /// <summary>Ones of <paramref name="like"/>'s shape and dtype.</summary>
    /// <param name="like">The tensor whose shape and dtype to copy; its values and graph are not used.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="like"/> is <see langword="null"/>.</exception>
    public static Tensor OnesLike(Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Ones(like.Dims, like.DType);
    }

    /// <summary>Computes y[i] = start + i·step for i = 0 … ⌈(end − start)/step⌉ − 1.</summary>
    /// <param name="start">The first value.</param>
    /// <param name="end">The bound, excluded.</param>
    /// <param name="step">The spacing; negative counts down.</param>
    /// <param name="dtype">The element type of the result.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad, 1-D; empty when the range is.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="step"/> is 0 or NaN, a bound is infinite or NaN, or the range has more than <see cref="Array.MaxLength"/> elements.
    /// </exception>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Float32)
    {
        if (step == 0 || double.IsNaN(step)) throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Arange: step must be non-zero, got {step}."));
        double count = Math.Ceiling((end - start) / step);
        if (!double.IsFinite(count)) throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Arange: bounds start={start}, end={end} must be finite."));
        if (count > System.Array.MaxLength)
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Arange: start={start}, end={end}, step={step} give {count} elements, more than {System.Array.MaxLength}."));
        int n = (int)Math.Max(0, count);
        var t = Empty([n], dtype, "Arange");
        for (int i = 0; i < n; i++) t.Write(i, start + i * step);
        return t;
    }

    /// <summary>Computes y[i] = i for i = 0 … end − 1.</summary>
    /// <param name="end">The bound, excluded; 0 or less gives an empty tensor.</param>
    /// <param name="dtype">The element type of the result.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad, of shape [max(end, 0)].</returns>
    public static Tensor Arange(int end, DType dtype = DType.Float32) => Arange(0, end, 1, dtype);

    /// <summary><paramref name="steps"/> evenly spaced values from <paramref name="start"/> to <paramref name="end"/> inclusive.</summary>
    /// <param name="start">The first value.</param>
    /// <param name="end">The last value (when <paramref name="steps"/> is above 1).</param>
    /// <param name="steps">The number of values; 1 gives [start], 0 an empty tensor.</param>
    /// <param name="dtype">The element type of the result.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad, of shape [steps].</returns>
    /// <exception cref="ArgumentException"><paramref name="steps"/> is negative.</exception>
    public static Tensor Linspace(double start, double end, int steps, DType dtype = DType.Float32)
    {
        if (steps < 0) throw new ArgumentException($"Linspace: steps must be non-negative, got {steps}.");
        var t = Empty([steps], dtype, "Linspace");
        double delta = steps > 1 ? (end - start) / (steps - 1) : 0;
        // Symmetric from both ends, as PyTorch, so that the last value is exactly end.
        // One step gives start, as torch.linspace.
        for (int i = 0; i < steps; i++) t.Write(i, steps == 1 ? start : i < steps / 2 ? start + i * delta : end - (steps - 1 - i) * delta);
        return t;
    }

    /// <summary>An n×m matrix with ones on the diagonal (m defaults to n).</summary>
    /// <param name="n">The number of rows.</param>
    /// <param name="m">The number of columns, or <see langword="null"/> for <paramref name="n"/>.</param>
    /// <param name="dtype">The element type of the result.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad, of shape [n, m].</returns>
    /// <exception cref="ArgumentException">A size is negative, or the matrix has more than <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor Eye(int n, int? m = null, DType dtype = DType.Float32)
    {
        int cols = m ?? n;
        if (n < 0 || cols < 0) throw new ArgumentException($"Eye: sizes must be non-negative, got n = {n}, m = {cols}.");
        var t = Empty([n, cols], dtype, "Eye");
        for (int i = 0; i < Math.Min(n, cols); i++) t.Write(i * cols + i, 1);
        return t;
    }

    /// <summary>Uniform values in [<paramref name="low"/>, <paramref name="high"/>) drawn from <paramref name="generator"/>.</summary>
    /// <param name="shape">The shape of the result; an empty array makes a 0-d tensor.</param>
    /// <param name="generator">The generator to draw from; it advances by one consecutive run.</param>
    /// <param name="low">The lower bound, included.</param>
    /// <param name="high">The upper bound, excluded (included only when equal to <paramref name="low"/>).</param>
    /// <param name="dtype">The element type of the result.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> or <paramref name="generator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="shape"/> has a negative dimension or more than <see cref="Array.MaxLength"/> elements;
    /// <paramref name="low"/> is above <paramref name="high"/>; or a bound, or <c>high - low</c>, is NaN or not finite in <paramref name="dtype"/>.
    /// </exception>
    public static Tensor Uniform(int[] shape, Generator generator, double low = 0, double high = 1, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(generator);
        return Uniform("Uniform", shape, generator, low, high, dtype);
    }

    private static Tensor Uniform(string op, int[] shape, Generator generator, double low, double high, DType dtype)
    {
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"{op}: draws floating-point values, so dtype must be Float32 or Float64, not {dtype.Name()} (as PyTorch refuses it); for random integers draw floats and convert them with To(DType.Int64), which truncates toward zero.", nameof(dtype));
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        if (!(low <= high) || !double.IsFinite(low) || !double.IsFinite(high))
            throw new ArgumentException(string.Create(ci, $"{op}: expects finite bounds with low <= high, got low = {low}, high = {high}."));
        // As PyTorch's uniform_: both bounds and their distance must be finite in the dtype, or the values overflow to ±∞.
        double largest = dtype == DType.Float32 ? float.MaxValue : double.MaxValue;
        if (Math.Abs(low) > largest || Math.Abs(high) > largest)
            throw new ArgumentException(string.Create(ci,
                $"{op}: the bounds low = {low}, high = {high} do not fit {dtype.Name()}, whose largest finite value is {largest}."));
        if (!(high - low <= largest))
            throw new ArgumentException(string.Create(ci,
                $"{op}: high - low = {high - low} (low = {low}, high = {high}) exceeds {dtype.Name()}'s largest finite value {largest}."));
        var t = Empty((int[])shape.Clone(), dtype, op);
        // A shared generator (the default) is locked once for the whole tensor, not once per draw.
        var gate = generator.SharedLock;
        gate?.Enter();
        try
        {
            FillUniform(t, generator, low, high, dtype);
        }
        finally
        {
            gate?.Exit();
        }
        return t;
    }

    private static void FillUniform(Tensor t, Generator generator, double low, double high, DType dtype)
    {
        for (int i = 0; i < t.NumElements; i++)
        {
            double v = dtype == DType.Float32 ? low + (high - low) * generator.NextSingleUnlocked() : low + (high - low) * generator.NextDoubleUnlocked();
            // Rounding (of the sum, or to float) can land on high itself: step back below it to keep [low, high).
            if (dtype == DType.Float32)
            {
                float f = (float)v;
                while (f >= high && f > low) f = MathF.BitDecrement(f);
                v = f;
            }
            else if (v >= high && high > low) v = Math.BitDecrement(high);
            t.Write(i, v);
        }
    }

    /// <summary>Uniform values in [<paramref name="low"/>, <paramref name="high"/>) drawn from <see cref="Generator.Default"/> (PyTorch's <c>torch.empty(shape).uniform_(low, high)</c>); for a seeded tensor pass <c>new Generator(seed)</c>.</summary>
    /// <param name="shape">The shape of the result.</param>
    /// <param name="low">The inclusive lower bound.</param>
    /// <param name="high">The exclusive upper bound.</param>
    /// <param name="dtype">The element type (float32 or float64).</param>
    /// <returns>A new tensor; drawing it advances the default generator by one consecutive run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException">A bound is not finite, <paramref name="low"/> exceeds <paramref name="high"/>, or a dimension is negative.</exception>
    public static Tensor Uniform(int[] shape, double low = 0, double high = 1, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Uniform(shape, Generator.Default, low, high, dtype);
    }

    /// <summary>Normal values with the given mean and standard deviation drawn from <paramref name="generator"/>.</summary>
    /// <param name="shape">The shape of the result; an empty array makes a 0-d tensor.</param>
    /// <param name="generator">The generator to draw from; it advances by one consecutive run.</param>
    /// <param name="mean">The mean.</param>
    /// <param name="std">The standard deviation, at least 0.</param>
    /// <param name="dtype">The element type of the result.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> or <paramref name="generator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="shape"/> has a negative dimension or more than <see cref="Array.MaxLength"/> elements, or <paramref name="std"/> is negative or NaN.
    /// </exception>
    public static Tensor Normal(int[] shape, Generator generator, double mean = 0, double std = 1, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(generator);
        return Normal("Normal", shape, generator, mean, std, dtype);
    }

    private static Tensor Normal(string op, int[] shape, Generator generator, double mean, double std, DType dtype)
    {
        if (!dtype.IsFloatingPoint())
            throw new ArgumentException($"{op}: draws floating-point values, so dtype must be Float32 or Float64, not {dtype.Name()} (as PyTorch refuses it); for random integers draw floats and convert them with To(DType.Int64), which truncates toward zero.", nameof(dtype));
        if (!(std >= 0))
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{op}: expects std >= 0, got std = {std}."), nameof(std));
        var t = Empty((int[])shape.Clone(), dtype, op);
        var gate = generator.SharedLock;
        gate?.Enter();
        try
        {
            for (int i = 0; i < t.NumElements; i++) t.Write(i, mean + std * generator.NextNormalUnlocked());
        }
        finally
        {
            gate?.Exit();
        }
        return t;
    }

    /// <summary>Normal values with the given mean and standard deviation drawn from <see cref="Generator.Default"/> (PyTorch's <c>torch.normal(mean, std, shape)</c>); for a seeded tensor pass <c>new Generator(seed)</c>.</summary>
    /// <param name="shape">The shape of the result.</param>
    /// <param name="mean">The mean.</param>
    /// <param name="std">The standard deviation (at least 0).</param>
    /// <param name="dtype">The element type (float32 or float64).</param>
    /// <returns>A new tensor; drawing it advances the default generator by one consecutive run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="std"/> is negative or NaN, or a dimension is negative.</exception>
    public static Tensor Normal(int[] shape, double mean = 0, double std = 1, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Normal("Normal", shape, Generator.Default, mean, std, dtype);
    }

    /// <summary>Standard normal values (PyTorch's randn).</summary>
    /// <param name="shape">The shape of the result; an empty array makes a 0-d tensor.</param>
    /// <param name="generator">The generator to draw from; it advances by one consecutive run.</param>
    /// <param name="dtype">The element type of the result.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> or <paramref name="generator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="shape"/> has a negative dimension or more than <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor Randn(int[] shape, Generator generator, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(generator);
        return Normal("Randn", shape, generator, 0, 1, dtype);
    }

    /// <summary>Uniform values in [0, 1) (PyTorch's rand).</summary>
    /// <param name="shape">The shape of the result; an empty array makes a 0-d tensor.</param>
    /// <param name="generator">The generator to draw from; it advances by one consecutive run.</param>
    /// <param name="dtype">The element type of the result.</param>
    /// <returns>A new contiguous leaf tensor that does not require grad.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> or <paramref name="generator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="shape"/> has a negative dimension or more than <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor Rand(int[] shape, Generator generator, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(generator);
        return Uniform("Rand", shape, generator, 0, 1, dtype);
    }

    /// <summary>Standard normal values drawn from <see cref="Generator.Default"/> (PyTorch's randn without a generator).</summary>
    /// <param name="shape">The shape of the result.</param>
    /// <param name="dtype">The element type (float32 or float64).</param>
    /// <returns>A new tensor; drawing it advances the default generator by one consecutive run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="shape"/> has a negative dimension or more than <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor Randn(int[] shape, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Normal("Randn", shape, Generator.Default, 0, 1, dtype);
    }

    /// <summary>Uniform values in [0, 1) drawn from <see cref="Generator.Default"/> (PyTorch's rand without a generator).</summary>
    /// <param name="shape">The shape of the result.</param>
    /// <param name="dtype">The element type (float32 or float64).</param>
    /// <returns>A new tensor; drawing it advances the default generator by one consecutive run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="shape"/> has a negative dimension or more than <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor Rand(int[] shape, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Uniform("Rand", shape, Generator.Default, 0, 1, dtype);
    }

    // Writes element i of a fresh contiguous tensor.
    internal void Write(int i, double value)
    {
        switch (DType)
        {
            case DType.Float32: Unsafe.As<float[]>(Data)[Offset + i] = (float)value; break;
            case DType.Float64: Unsafe.As<double[]>(Data)[Offset + i] = value; break;
            default: Unsafe.As<long[]>(Data)[Offset + i] = (long)value; break;
        }
    }

    /// <summary>A view of this contiguous tensor's storage with another shape of the same element count.</summary>
    internal Tensor ViewAs(int[] shape) => InternalView(this, shape, ShapeUtil.ContiguousStrides(shape), Offset);

    /// <summary>A view of elements [start, start + count) along an axis, off the graph.</summary>
    internal Tensor SliceView(int axis, int start, int count)
    {
        var shape = Shape;
        shape[axis] = count;
        return InternalView(this, shape, StrideArray, Offset + (count > 0 ? start * StrideArray[axis] : 0));
    }
}
