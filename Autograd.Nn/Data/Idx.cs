using System.Buffers.Binary;
using System.IO.Compression;

namespace Autograd.Nn.Data;

/// <summary>The element types of the IDX format, by their type code (the third byte of the magic number).</summary>
public enum IdxElementType : byte
{
    /// <summary>0x08: unsigned byte.</summary>
    UnsignedByte = 0x08,
    /// <summary>0x09: signed byte.</summary>
    SignedByte = 0x09,
    /// <summary>0x0B: big-endian 16-bit signed integer.</summary>
    Int16 = 0x0B,
    /// <summary>0x0C: big-endian 32-bit signed integer.</summary>
    Int32 = 0x0C,
    /// <summary>0x0D: big-endian 32-bit IEEE 754 float.</summary>
    Float32 = 0x0D,
    /// <summary>0x0E: big-endian 64-bit IEEE 754 float.</summary>
    Float64 = 0x0E,
}

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST: the magic number <c>0x00 0x00 type ndims</c>, then
/// <c>ndims</c> big-endian int32 sizes, then the elements in row-major order, big-endian. Files compressed with
/// gzip (recognized by the bytes <c>0x1f 0x8b</c>) are decompressed on the fly.
/// </summary>
/// <remarks>
/// Without an explicit dtype the result is exact: the integer types (0x08, 0x09, 0x0B, 0x0C) give
/// <see cref="DType.Int64"/> tensors holding the stored values (0…255 for unsigned bytes), 0x0D gives
/// <see cref="DType.Float32"/> and 0x0E <see cref="DType.Float64"/>. Pass a dtype to convert while reading (for
/// example unsigned-byte images to float32 without the int64 intermediate); <see cref="FashionMnist"/> reads images
/// as float32 scaled to [0, 1]. The file must hold exactly the data its sizes describe: a truncated or malformed
/// file (bad magic number, unknown type code, negative or overflowing sizes, missing data, trailing bytes, a
/// corrupt gzip stream) throws <see cref="InvalidDataException"/> naming the file and the problem. Bytes after the
/// end of a gzip stream are ignored, as <c>gzip -d</c> does (<see cref="GZipStream"/> does not report them).
/// </remarks>
public static class Idx
{
    /// <summary>Reads the IDX file (plain or gzip) at <paramref name="path"/> into a tensor of its natural dtype.</summary>
    /// <param name="path">The IDX file to read.</param>
    /// <returns>A tensor of the file's sizes: int64 for integer data, float32 or float64 for floating-point data.</returns>
    /// <exception cref="InvalidDataException">The file is truncated or malformed.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    public static Tensor Read(string path) => ToTensor(ReadRaw(path), null);

    /// <summary>Reads the IDX file (plain or gzip) at <paramref name="path"/>, converting the elements to <paramref name="dtype"/>.</summary>
    /// <param name="path">The IDX file to read.</param>
    /// <param name="dtype">The dtype of the result.</param>
    /// <returns>A tensor of the file's sizes and dtype <paramref name="dtype"/>.</returns>
    /// <exception cref="InvalidDataException">The file is truncated or malformed.</exception>
    /// <exception cref="ArgumentException">The file holds floating-point data and <paramref name="dtype"/> is <see cref="DType.Int64"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    public static Tensor Read(string path, DType dtype) => ToTensor(ReadRaw(path), dtype);

    /// <summary>
    /// Reads one IDX file (plain or gzip) from the current position of <paramref name="stream"/> to its end; the
    /// stream is not closed. <paramref name="name"/> names the source in error messages.
    /// </summary>
    /// <param name="stream">The readable stream to read from.</param>
    /// <param name="name">The name of the source in error messages, or null for <c>&lt;stream&gt;</c>.</param>
    /// <returns>A tensor of the data's sizes: int64 for integer data, float32 or float64 for floating-point data.</returns>
    /// <exception cref="InvalidDataException">The data is truncated or malformed.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    public static Tensor Read(Stream stream, string? name = null) => ToTensor(ReadRaw(stream, name ?? "<stream>"), null);

    /// <summary>Reads one IDX file from <paramref name="stream"/> (see <see cref="Read(Stream, string?)"/>), converting to <paramref name="dtype"/>.</summary>
    /// <param name="stream">The readable stream to read from.</param>
    /// <param name="dtype">The dtype of the result.</param>
    /// <param name="name">The name of the source in error messages, or null for <c>&lt;stream&gt;</c>.</param>
    /// <returns>A tensor of the data's sizes and dtype <paramref name="dtype"/>.</returns>
    /// <exception cref="InvalidDataException">The data is truncated or malformed.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable, or the data is floating point and <paramref name="dtype"/> is <see cref="DType.Int64"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    public static Tensor Read(Stream stream, DType dtype, string? name = null) => ToTensor(ReadRaw(stream, name ?? "<stream>"), dtype);

    /// <summary>The size in bytes of one element of <paramref name="type"/>.</summary>
    /// <param name="type">The element type.</param>
    /// <returns>1, 2, 4 or 8.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined <see cref="IdxElementType"/>.</exception>
    public static int ElementSize(IdxElementType type) => type switch
    {
        IdxElementType.UnsignedByte or IdxElementType.SignedByte => 1,
        IdxElementType.Int16 => 2,
        IdxElementType.Int32 or IdxElementType.Float32 => 4,
        IdxElementType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not an IDX element type."),
    };

    /// <summary>The undecoded content of an IDX file: element type, sizes and the big-endian element bytes.</summary>
    internal sealed record RawIdx(string Name, IdxElementType Type, int[] Shape, byte[] Data);

    internal static RawIdx ReadRaw(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return ReadRaw(file, path);
    }

    internal static RawIdx ReadRaw(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("Idx.Read: the stream is not readable.", nameof(stream));
        Span<byte> first = stackalloc byte[2];
        int got = stream.ReadAtLeast(first, first.Length, throwOnEndOfStream: false);
        if (got == 2 && first[0] == 0x1f && first[1] == 0x8b)
        {
            using var gzip = new GZipStream(new PrefixedStream(first.ToArray(), stream), CompressionMode.Decompress, leaveOpen: true);
            return ReadPlain(new GZipErrors(gzip, name), name, [], compressed: true);
        }
        return ReadPlain(stream, name, first[..got].ToArray(), compressed: false);
    }

    /// <summary>Parses an uncompressed IDX stream whose first bytes (<paramref name="consumed"/>) were already read.</summary>
    private static RawIdx ReadPlain(Stream stream, string name, byte[] consumed, bool compressed)
    {
        Span<byte> magic = stackalloc byte[4];
        consumed.CopyTo(magic);
        var rest = magic[consumed.Length..];
        int got = consumed.Length + stream.ReadAtLeast(rest, rest.Length, throwOnEndOfStream: false);
        if (got < 4)
            throw Bad(name, got == 0 ? "the file is empty (expected the 4-byte IDX magic number)" : $"the file is truncated: {got} bytes, shorter than the 4-byte IDX magic number");
        if (magic[0] != 0 || magic[1] != 0)
            throw Bad(name, $"bad magic number 0x{magic[0]:X2}{magic[1]:X2}{magic[2]:X2}{magic[3]:X2}: an IDX file starts with two zero bytes, then the type code and the number of dimensions");
        var type = (IdxElementType)magic[2];
        if (!Enum.IsDefined(type))
            throw Bad(name, $"unknown element type code 0x{magic[2]:X2} (expected 0x08 ubyte, 0x09 sbyte, 0x0B short, 0x0C int, 0x0D float or 0x0E double)");
        int rank = magic[3];
        if (rank == 0)
            throw Bad(name, "the magic number declares 0 dimensions; an IDX file needs at least one");

        var sizeBytes = new byte[4 * rank];
        got = stream.ReadAtLeast(sizeBytes, sizeBytes.Length, throwOnEndOfStream: false);
        if (got < sizeBytes.Length)
            throw Bad(name, $"the header is truncated: {rank} dimension sizes need {sizeBytes.Length} bytes, found {got}");
        var shape = new int[rank];
        long elements = 1;
        for (int d = 0; d < rank; d++)
        {
            shape[d] = BinaryPrimitives.ReadInt32BigEndian(sizeBytes.AsSpan(4 * d));
            if (shape[d] < 0)
                throw Bad(name, $"dimension {d} has a negative size ({shape[d]}; sizes are big-endian int32)");
        }
        int elementSize = ElementSize(type);
        // A zero size makes the tensor empty whatever the other sizes are (as torch.empty(65536, 65536, 0)).
        if (shape.Contains(0)) elements = 0;
        for (int d = 0; d < rank && elements > 0; d++)
        {
            elements *= shape[d];
            if (elements > Array.MaxLength || elements * elementSize > Array.MaxLength)
                throw Bad(name, $"the sizes {TensorDataset.Format(shape)} overflow: more than {Array.MaxLength} {(elements > Array.MaxLength ? "elements" : "bytes")}, too large for one tensor");
        }
        int expected = (int)(elements * elementSize);
        string what = $"sizes {TensorDataset.Format(shape)} of type {TypeName(type)} need {expected} bytes of data";

        if (!compressed && stream.CanSeek)
        {
            // Check the length before allocating, so a corrupt size cannot make us allocate gigabytes.
            long remaining = stream.Length - stream.Position;
            if (remaining < expected)
                throw Bad(name, $"the data is truncated: {what}, found {remaining}");
            if (remaining > expected)
                throw Bad(name, $"trailing garbage: {what}, but {remaining - expected} more bytes follow");
        }

        // Grow the buffer as data arrives, so a lying header in a compressed stream cannot force a huge allocation.
        var data = new byte[Math.Min(expected, 1 << 20)];
        int have = 0;
        while (have < expected)
        {
            if (have == data.Length) Array.Resize(ref data, (int)Math.Min(expected, 2L * data.Length));
            int n = stream.Read(data, have, data.Length - have);
            if (n == 0) break;
            have += n;
        }
        if (have < expected)
            throw Bad(name, $"the data is truncated: {what}, found {have}");
        if (stream.ReadByte() >= 0)
            throw Bad(name, $"trailing garbage: {what}, but more bytes follow");
        return new RawIdx(name, type, shape, data);
    }

    private static Tensor ToTensor(RawIdx raw, DType? requested)
    {
        bool isFloat = raw.Type is IdxElementType.Float32 or IdxElementType.Float64;
        var dtype = requested ?? raw.Type switch
        {
            IdxElementType.Float32 => DType.Float32,
            IdxElementType.Float64 => DType.Float64,
            _ => DType.Int64,
        };
        if (dtype == DType.Int64 && isFloat)
            throw new ArgumentException($"Idx.Read: '{raw.Name}' holds {TypeName(raw.Type)} values, which cannot be read as int64 without losing their fractions; read them as float32 or float64.");
        int n = raw.Data.Length / ElementSize(raw.Type);
        switch (dtype)
        {
            case DType.Int64:
            {
                var values = new long[n];
                for (int i = 0; i < n; i++) values[i] = ReadInteger(raw.Data, raw.Type, i);
                return Tensor.From<long>(values, raw.Shape);
            }
            case DType.Float32:
            {
                var values = new float[n];
                for (int i = 0; i < n; i++)
                    values[i] = isFloat ? (float)ReadFloat(raw.Data, raw.Type, i) : ReadInteger(raw.Data, raw.Type, i);
                return Tensor.From<float>(values, raw.Shape);
            }
            default:
            {
                var values = new double[n];
                for (int i = 0; i < n; i++)
                    values[i] = isFloat ? ReadFloat(raw.Data, raw.Type, i) : ReadInteger(raw.Data, raw.Type, i);
                return Tensor.From<double>(values, raw.Shape);
            }
        }
    }

    private static long ReadInteger(byte[] data, IdxElementType type, int i) => type switch
    {
        IdxElementType.UnsignedByte => data[i],
        IdxElementType.SignedByte => (sbyte)data[i],
        IdxElementType.Int16 => BinaryPrimitives.ReadInt16BigEndian(data.AsSpan(2 * i)),
        _ => BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4 * i)),
    };

    private static double ReadFloat(byte[] data, IdxElementType type, int i) => type == IdxElementType.Float32
        ? BinaryPrimitives.ReadSingleBigEndian(data.AsSpan(4 * i))
        : BinaryPrimitives.ReadDoubleBigEndian(data.AsSpan(8 * i));

    internal static string TypeName(IdxElementType type) => type switch
    {
        IdxElementType.UnsignedByte => "ubyte (0x08)",
        IdxElementType.SignedByte => "sbyte (0x09)",
        IdxElementType.Int16 => "short (0x0B)",
        IdxElementType.Int32 => "int (0x0C)",
        IdxElementType.Float32 => "float (0x0D)",
        _ => "double (0x0E)",
    };

    internal static InvalidDataException Bad(string name, string problem, Exception? inner = null) =>
        new($"Idx.Read: '{name}' is not a valid IDX file: {problem}.", inner);

    /// <summary>A read-only stream over a <see cref="GZipStream"/> that names the file in decompression errors.</summary>
    private sealed class GZipErrors(Stream gzip, string name) : ReadOnlyStream
    {
        public override int Read(Span<byte> buffer)
        {
            try
            {
                return gzip.Read(buffer);
            }
            catch (InvalidDataException e)
            {
                throw Bad(name, $"corrupt gzip stream ({e.Message})", e);
            }
        }
    }

    /// <summary>A read-only stream that returns some bytes already taken from <c>inner</c>, then the rest of <c>inner</c>.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : ReadOnlyStream
    {
        private int _prefixPosition;

        public override int Read(Span<byte> buffer)
        {
            if (_prefixPosition < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _prefixPosition);
                prefix.AsSpan(_prefixPosition, n).CopyTo(buffer);
                _prefixPosition += n;
                return n;
            }
            return inner.Read(buffer);
        }
    }

    /// <summary>A forward-only readable stream: subclasses implement <see cref="Stream.Read(Span{byte})"/>.</summary>
    private abstract class ReadOnlyStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public abstract override int Read(Span<byte> buffer);

        public override int ReadByte()
        {
            Span<byte> one = stackalloc byte[1];
            return Read(one) == 0 ? -1 : one[0];
        }
    }
}
