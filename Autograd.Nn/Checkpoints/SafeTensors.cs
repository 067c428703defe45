using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Autograd.Nn.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face), which PyTorch, JAX and others read with
/// <c>safetensors.torch.load_file</c> and friends: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// <c>{"__metadata__": {string: string}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …}</c>
/// padded with spaces to a multiple of 8, then the tensors' raw little-endian bytes in row-major order, the
/// offsets counted from the first byte after the header, contiguous, without gaps or overlaps.
/// </summary>
/// <remarks>
/// <para>Supported dtypes: F32 (<see cref="DType.Float32"/>), F64 (<see cref="DType.Float64"/>) and I64
/// (<see cref="DType.Int64"/>). Files holding other dtypes (F16, BF16, I32, …) are rejected with a message naming the
/// tensor.</para>
/// <para>Writing follows the reference implementation: tensors sorted by dtype (I64, F64, F32) then by name (so
/// 8-byte data stays 8-byte aligned), compact JSON with the keys in the order dtype, shape, data_offsets,
/// <c>__metadata__</c> first (omitted when there is none), the header padded with spaces. Writing a file is atomic:
/// the bytes go to a temporary file in the same folder, which is flushed to disk and then renamed over the target;
/// on failure the target is untouched and the temporary file is removed.</para>
/// <para>Reading validates the whole header before any tensor is created, and the data length against the header:
/// a header length beyond the file, invalid UTF-8 or JSON, unknown dtypes, shapes that do not match the offsets,
/// overlapping, non-contiguous or out-of-range offsets, truncated data or trailing bytes throw
/// <see cref="InvalidDataException"/> naming the file and, where it applies, the tensor. No declared size is allocated
/// ahead of the data: a seekable stream is checked against its length first, and from a stream of unknown length
/// the buffers grow as the bytes arrive. Names and metadata must be valid UTF-16 (no lone surrogates, which UTF-8
/// cannot encode): <c>Save</c> refuses them before writing anything, <c>Load</c> refuses headers that escape them.</para>
/// </remarks>
public static class SafeTensors
{
    /// <summary>The largest header accepted, as in the reference implementation (100 MB).</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>The reserved header key of the string-to-string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Writes <paramref name="tensors"/> and optional <paramref name="metadata"/> to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The file to write; replaced if it exists.</param>
    /// <param name="tensors">The tensors to store, by name.</param>
    /// <param name="metadata">String-to-string metadata stored under <see cref="MetadataKey"/>, or null for none.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="path"/> is empty, a name is the reserved <see cref="MetadataKey"/>, a tensor or metadata value is null, or a name, metadata key or
    /// value is not valid UTF-16 (a lone surrogate).
    /// </exception>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="IOException">Writing or renaming failed; an existing file at <paramref name="path"/> is unchanged.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="tensors"/> is null.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"SafeTensors.Save: '{path}' has no parent folder.", nameof(path));
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"SafeTensors.Save: cannot write '{path}': the folder '{directory}' does not exist.");
        var prepared = Prepare(tensors, metadata);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Write(prepared, file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // Best effort: the original exception matters more.
            }
            catch (UnauthorizedAccessException)
            {
            }
            throw;
        }
    }

    /// <summary>Writes <paramref name="tensors"/> and optional <paramref name="metadata"/> to <paramref name="stream"/> (not atomic; the stream is not closed).</summary>
    /// <param name="stream">The writable stream to write to.</param>
    /// <param name="tensors">The tensors to store, by name.</param>
    /// <param name="metadata">String-to-string metadata stored under <see cref="MetadataKey"/>, or null for none.</param>
    /// <exception cref="ArgumentException">
    /// A name is the reserved <see cref="MetadataKey"/>, a tensor or metadata value is null, or a name, metadata key or
    /// value is not valid UTF-16 (a lone surrogate).
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="tensors"/> is null.</exception>
    public static void Save(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Write(Prepare(tensors, metadata), stream);
        stream.Flush();
    }

    /// <summary>Reads every tensor and the metadata of the safetensors file at <paramref name="path"/>.</summary>
    /// <param name="path">The safetensors file to read.</param>
    /// <returns>The tensors by name, in the order of their data in the file, and the metadata (empty when absent).</returns>
    /// <exception cref="InvalidDataException">The file is malformed or truncated; the message names the file and the tensor.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load(file, path);
    }

    /// <summary>
    /// Reads a safetensors file from the current position of <paramref name="stream"/> to its end (the stream is not
    /// closed); <paramref name="name"/> names the source in error messages.
    /// </summary>
    /// <param name="stream">The readable stream to read from.</param>
    /// <param name="name">The name of the source in error messages, or null for <c>&lt;stream&gt;</c>.</param>
    /// <returns>The tensors by name, in the order of their data in the file, and the metadata (empty when absent).</returns>
    /// <exception cref="InvalidDataException">The data is malformed or truncated.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(Stream stream, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        name ??= "<stream>";
        long? available = stream.CanSeek ? stream.Length - stream.Position : null;

        Span<byte> prefix = stackalloc byte[8];
        int got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (got < 8)
            throw Bad(name, $"the file has {got} bytes, fewer than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (available is { } total && headerLength > (ulong)(total - 8))
            throw Bad(name, $"the header length {headerLength} goes beyond the end of the file ({total} bytes)");
        if (headerLength > MaxHeaderLength)
            throw Bad(name, $"the header length {headerLength} exceeds the limit of {MaxHeaderLength} bytes");
        var header = ReadGrowing<byte>((int)headerLength, stream, known: available is not null, out long read);
        if (read < (long)headerLength)
            throw Bad(name, $"the header length {headerLength} goes beyond the end of the file ({8 + read} bytes)");

        var (entries, metadata) = ParseHeader(header, name);
        long dataLength = entries.Count == 0 ? 0 : entries[^1].End;
        if (available is { } size)
        {
            long present = size - 8 - header.Length;
            if (present < dataLength)
            {
                var cut = entries.First(e => e.End > present);
                throw Bad(name, $"the data is truncated: tensor '{cut.Name}' spans bytes [{cut.Begin}, {cut.End}) of the data section, which has {present} bytes");
            }
            if (present > dataLength)
                throw Bad(name, $"{present - dataLength} unexpected bytes follow the data of the last tensor (the header describes {dataLength} bytes of data, the file holds {present})");
        }

        // The header is fully validated: read the data, checking the lengths again for streams of unknown size.
        var tensors = new Dictionary<string, Tensor>(entries.Count);
        foreach (var e in entries)
            tensors[e.Name] = ReadTensor(stream, e, name, known: available is not null);
        if (available is null && stream.ReadByte() >= 0)
            throw Bad(name, $"unexpected bytes follow the data of the last tensor (the header describes {dataLength} bytes of data)");
        return (tensors, metadata);
    }

    /// <summary>The safetensors name of <paramref name="dtype"/>: F32, F64 or I64.</summary>
    /// <param name="dtype">The dtype to name.</param>
    /// <returns>"F32", "F64" or "I64".</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined <see cref="DType"/>.</exception>
    public static string DTypeName(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Int64 => "I64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    private static int ElementSize(DType dtype) => dtype == DType.Float32 ? 4 : 8;

    /// <summary>The reference implementation's order: larger alignment first (its dtype enum descending), then name.</summary>
    private static int SortRank(DType dtype) => dtype switch
    {
        DType.Int64 => 0,
        DType.Float64 => 1,
        _ => 2,
    };

    private sealed record Entry(string Name, DType DType, int[] Shape, long Begin, long End);

    private sealed record Prepared(byte[] Header, List<(Entry Entry, Tensor Tensor)> Tensors);

    private static Prepared Prepare(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var items = new List<(string Name, byte[] Utf8, Tensor Tensor)>();
        foreach (var (name, tensor) in tensors)
        {
            if (name == MetadataKey)
                throw new ArgumentException($"SafeTensors.Save: '{MetadataKey}' is reserved for the metadata and cannot name a tensor.", nameof(tensors));
            if (tensor is null)
                throw new ArgumentException($"SafeTensors.Save: tensor '{name}' is null.", nameof(tensors));
            CheckUtf16(name, "tensor name", nameof(tensors));
            items.Add((name, Encoding.UTF8.GetBytes(name), tensor));
        }
        items.Sort((a, b) =>
        {
            int c = SortRank(a.Tensor.DType).CompareTo(SortRank(b.Tensor.DType));
            return c != 0 ? c : a.Utf8.AsSpan().SequenceCompareTo(b.Utf8);
        });

        var meta = new List<KeyValuePair<string, string>>();
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                if (value is null)
                    throw new ArgumentException($"SafeTensors.Save: metadata '{key}' has a null value; metadata values are strings.", nameof(metadata));
                CheckUtf16(key, "metadata key", nameof(metadata));
                CheckUtf16(value, $"value of metadata '{Escape(key)}'", nameof(metadata));
                meta.Add(new(key, value));
            }
            meta.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        }

        var entries = new List<(Entry, Tensor)>(items.Count);
        long offset = 0;
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            if (meta.Count > 0)
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in meta) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            foreach (var (name, _, tensor) in items)
            {
                long bytes = (long)tensor.NumElements * ElementSize(tensor.DType);
                var entry = new Entry(name, tensor.DType, tensor.Shape, offset, offset + bytes);
                offset += bytes;
                entries.Add((entry, tensor));
                writer.WriteStartObject(name);
                writer.WriteString("dtype", DTypeName(tensor.DType));
                writer.WriteStartArray("shape");
                foreach (int d in entry.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(entry.Begin);
                writer.WriteNumberValue(entry.End);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        // Pad with spaces so that the data starts 8-byte aligned, as the reference implementation does.
        int length = (int)json.Length, padded = (length + 7) / 8 * 8;
        var header = new byte[padded];
        json.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return new Prepared(header, entries);
    }

    // UTF-8 has no encoding of a lone surrogate: Encoding.UTF8 would write U+FFFD, so that two such names became one
    // and the file no longer loaded. Refused before anything is written.
    private static void CheckUtf16(string text, string what, string paramName)
    {
        if (LoneSurrogate(text) is var at and >= 0)
            throw new ArgumentException(
                $"SafeTensors.Save: the {what} \"{Escape(text)}\" is not valid UTF-16: it holds a lone surrogate U+{(int)text[at]:X4} at index {at}, " +
                "which UTF-8 cannot encode. Nothing was written.", paramName);
    }

    /// <summary>The index of the first surrogate that is not half of a pair, or -1.</summary>
    private static int LoneSurrogate(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else return i;
        }
        return -1;
    }

    // The text with its lone surrogates as \uXXXX, for messages.
    private static string Escape(string text)
    {
        if (LoneSurrogate(text) < 0) return text;
        var sb = new StringBuilder(text.Length + 8);
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) sb.Append(text[i]).Append(text[++i]);
            else if (char.IsSurrogate(text[i])) sb.Append($"\\u{(int)text[i]:X4}");
            else sb.Append(text[i]);
        }
        return sb.ToString();
    }

    private static void Write(Prepared prepared, Stream stream)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)prepared.Header.Length);
        stream.Write(prefix);
        stream.Write(prepared.Header);
        foreach (var (entry, tensor) in prepared.Tensors)
        {
            switch (entry.DType)
            {
                case DType.Float32: WriteData(stream, tensor.ToArray<float>()); break;
                case DType.Float64: WriteData(stream, tensor.ToArray<double>()); break;
                default: WriteData(stream, tensor.ToArray<long>()); break;
            }
        }
    }

    private static void WriteData<T>(Stream stream, T[] values) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) ReverseEndianness(values);
        stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static void ReverseEndianness<T>(T[] values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        int size = bytes.Length / Math.Max(values.Length, 1);
        for (int i = 0; i < bytes.Length; i += size) bytes.Slice(i, size).Reverse();
    }

    private static (List<Entry> Entries, Dictionary<string, string> Metadata) ParseHeader(byte[] header, string file)
    {
        if (!System.Text.Unicode.Utf8.IsValid(header))
            throw Bad(file, "the header is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Bad(file, $"the header is not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Bad(file, $"the header is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
            var metadata = new Dictionary<string, string>();
            var entries = new List<Entry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                foreach (var property in root.EnumerateObject())
                {
                    if (!seen.Add(property.Name))
                        throw Bad(file, $"the header names '{property.Name}' twice");
                    if (property.Name == MetadataKey)
                        ParseMetadata(property.Value, metadata, file);
                    else
                        entries.Add(ParseEntry(property.Name, property.Value, file));
                }
            }
            catch (InvalidOperationException e)
            {
                // System.Text.Json reads an escaped lone surrogate ("\ud800") as JSON but cannot make a string of it; the
                // reference implementation refuses such a header too.
                throw Bad(file, $"the header holds a string that is not valid UTF-16 ({e.Message})", e);
            }

            // Offsets: sorted by position they must tile the data section from 0, without gaps or overlaps.
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long expected = 0;
            foreach (var e in entries)
            {
                if (e.Begin < expected)
                    throw Bad(file, $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] overlap the previous tensor, which ends at {expected}");
                if (e.Begin > expected)
                    throw Bad(file, $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] leave a gap after byte {expected}; offsets must be contiguous from 0");
                expected = e.End;
            }
            return (entries, metadata);
        }
    }

    private static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata, string file)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Bad(file, $"'{MetadataKey}' must be an object of strings, got a JSON {value.ValueKind.ToString().ToLowerInvariant()}");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Bad(file, $"metadata '{item.Name}' must be a string, got a JSON {item.Value.ValueKind.ToString().ToLowerInvariant()}");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Bad(file, $"metadata '{item.Name}' appears twice");
        }
    }

    private static Entry ParseEntry(string name, JsonElement value, string file)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Bad(file, $"tensor '{name}': expected an object with dtype, shape and data_offsets, got a JSON {value.ValueKind.ToString().ToLowerInvariant()}");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Bad(file, $"tensor '{name}': missing or non-string 'dtype'");
        var dtypeName = dtypeElement.GetString()!;
        DType dtype = dtypeName switch
        {
            "F32" => DType.Float32,
            "F64" => DType.Float64,
            "I64" => DType.Int64,
            "BOOL" or "U8" or "I8" or "F8_E5M2" or "F8_E4M3" or "I16" or "U16" or "F16" or "BF16" or "I32" or "U32" or "U64" =>
                throw Bad(file, $"tensor '{name}': dtype {dtypeName} is not supported (only F32, F64 and I64 are); convert it in the exporting program"),
            _ => throw Bad(file, $"tensor '{name}': unknown dtype '{dtypeName}' (supported: F32, F64, I64)"),
        };

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Bad(file, $"tensor '{name}': missing or non-array 'shape'");
        var shape = new int[shapeElement.GetArrayLength()];
        long elements = 1;
        int i = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long size) || size < 0)
                throw Bad(file, $"tensor '{name}': shape {shapeElement.GetRawText()} must hold non-negative integers");
            if (size > Array.MaxLength)
                throw Bad(file, $"tensor '{name}': shape {shapeElement.GetRawText()} is too large (more than {Array.MaxLength} elements)");
            shape[i++] = (int)size;
        }
        if (!shape.Contains(0))
            foreach (int d in shape)
            {
                elements *= d;
                if (elements > Array.MaxLength)
                    throw Bad(file, $"tensor '{name}': shape {shapeElement.GetRawText()} is too large (more than {Array.MaxLength} elements)");
            }
        else elements = 0;

        if (!value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
            throw Bad(file, $"tensor '{name}': 'data_offsets' must be an array [begin, end]");
        var offsets = new long[2];
        i = 0;
        foreach (var o in offsetsElement.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out offsets[i]) || offsets[i] < 0)
                throw Bad(file, $"tensor '{name}': data_offsets {offsetsElement.GetRawText()} must be non-negative integers");
            i++;
        }
        if (offsets[1] < offsets[0])
            throw Bad(file, $"tensor '{name}': data_offsets [{offsets[0]}, {offsets[1]}] end before they begin");
        long bytes = elements * ElementSize(dtype);
        if (offsets[1] - offsets[0] != bytes)
            throw Bad(file, $"tensor '{name}': data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]} bytes, but dtype {dtypeName} and shape [{string.Join(", ", shape)}] need {bytes}");
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static Tensor ReadTensor(Stream stream, Entry entry, string file, bool known)
    {
        int n = (int)((entry.End - entry.Begin) / ElementSize(entry.DType));
        return entry.DType switch
        {
            DType.Float32 => Create<float>(stream, entry, n, file, known),
            DType.Float64 => Create<double>(stream, entry, n, file, known),
            _ => Create<long>(stream, entry, n, file, known),
        };
    }

    private static Tensor Create<T>(Stream stream, Entry entry, int count, string file, bool known) where T : unmanaged
    {
        var values = ReadGrowing<T>(count, stream, known, out long got);
        if (got < (long)count * Unsafe.SizeOf<T>())
            throw Bad(file, $"the data is truncated: tensor '{entry.Name}' needs {(long)count * Unsafe.SizeOf<T>()} bytes, found {got}");
        if (!BitConverter.IsLittleEndian) ReverseEndianness(values);
        return Tensor.From<T>(values, entry.Shape);
    }

    /// <summary>
    /// Reads <paramref name="count"/> elements. When the stream's length was checked against the header
    /// (<paramref name="known"/>) the array is allocated at once; otherwise it grows as the data arrives, so that a
    /// few hundred bytes declaring gigabytes cannot make us allocate gigabytes. On a short read the result is shorter
    /// than <paramref name="count"/> and <paramref name="got"/> counts the bytes read.
    /// </summary>
    private static T[] ReadGrowing<T>(int count, Stream stream, bool known, out long got) where T : unmanaged
    {
        const int FirstChunkBytes = 1 << 20, MaxReadBytes = 1 << 28;
        int size = Unsafe.SizeOf<T>();
        var values = new T[known ? count : Math.Min(count, FirstChunkBytes / size)];
        int filled = 0;
        got = 0;
        while (filled < count)
        {
            if (filled == values.Length) Array.Resize(ref values, (int)Math.Min(count, 2L * values.Length));
            // Slices of at most 256 MB, as a span of bytes over more than 2 GB cannot be made.
            int take = Math.Min(values.Length - filled, MaxReadBytes / size);
            var bytes = MemoryMarshal.AsBytes(values.AsSpan(filled, take));
            int n = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            got += n;
            if (n < bytes.Length) break;
            filled += take;
        }
        return values;
    }

    private static InvalidDataException Bad(string file, string problem, Exception? inner = null) =>
        new($"SafeTensors.Load: '{file}' is not a valid safetensors file: {problem}.", inner);
}
