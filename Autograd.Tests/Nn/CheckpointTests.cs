using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autograd.Nn;
using Autograd.Nn.Checkpoints;

namespace Autograd.Tests.Nn;

/// <summary>
/// Autograd.Nn.Checkpoints: safetensors round trips (F32/F64/I64, 0-d, empty, views, metadata), files built byte by
/// byte from the format description and read back, our output checked byte by byte against it (including the
/// reference implementation's own worked examples), every corruption rejected with the file and tensor named — and,
/// through Checkpoint.Load, with the model unchanged — and atomic writes that leave an existing file intact.
/// </summary>
public class CheckpointTests
{
    private string _dir = "";

    [SetUp]
    public void CreateTempDirectory()
    {
        _dir = Path.Combine(Path.GetTempPath(), "autograd-checkpoint-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteTempDirectory()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    // ---------------------------------------------------------------- a tiny model with PyTorch-style names

    private sealed class Affine : Module
    {
        public Affine(float start)
        {
            Weight = RegisterParameter("weight", Tensor.From(Enumerable.Range(0, 6).Select(i => start + i).ToArray(), 2, 3));
            Bias = RegisterParameter("bias", Tensor.From(new[] { start, -start }));
        }

        public Parameter Weight { get; }
        public Parameter Bias { get; }

        public override Tensor Forward(Tensor input) => input.MatMul(Weight.T) + Bias;
    }

    // State: "0.weight" F32 [2, 3], "0.bias" F32 [2], "scale" F64 [2], "steps" I64 [1].
    private sealed class TinyNet : Module
    {
        public TinyNet(float start)
        {
            Layer = RegisterModule("0", new Affine(start));
            Scale = RegisterParameter("scale", Tensor.From(new double[] { start * 0.5, start * 0.25 }));
            Steps = RegisterBuffer("steps", Tensor.From(new long[] { (long)start * 1000 }));
        }

        public Affine Layer { get; }
        public Parameter Scale { get; }
        public Tensor Steps { get; }

        public override Tensor Forward(Tensor input) => Layer.Forward(input) * Scale;
    }

    private static Dictionary<string, double[]> Snapshot(Module m) =>
        m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<double>());

    // ---------------------------------------------------------------- byte helpers

    private static byte[] Bytes<T>(params T[] values) where T : unmanaged
    {
        var result = new List<byte>();
        foreach (var v in values)
        {
            result.AddRange(v switch
            {
                float f => BitConverter.GetBytes(f),
                double d => BitConverter.GetBytes(d),
                long l => BitConverter.GetBytes(l),
                _ => throw new ArgumentException("unsupported"),
            });
        }
        if (!BitConverter.IsLittleEndian) throw new InconclusiveException("these byte helpers assume a little-endian machine");
        return result.ToArray();
    }

    /// <summary>A safetensors file: the 8-byte little-endian length, the header (padded with spaces if asked), the data.</summary>
    private static byte[] FileBytes(byte[] header, byte[] data, bool pad = true, ulong? declaredLength = null)
    {
        var h = header.ToList();
        while (pad && h.Count % 8 != 0) h.Add((byte)' ');
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, declaredLength ?? (ulong)h.Count);
        return [.. prefix, .. h, .. data];
    }

    private static byte[] FileBytes(string json, byte[] data, bool pad = true) => FileBytes(Encoding.UTF8.GetBytes(json), data, pad);

    private static (ulong Length, string Header, byte[] Data) Split(byte[] file)
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        return (n, Encoding.UTF8.GetString(file, 8, (int)n), file[(8 + (int)n)..]);
    }

    private static byte[] SaveToBytes(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var stream = new MemoryStream();
        SafeTensors.Save(stream, tensors, metadata);
        return stream.ToArray();
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    // ---------------------------------------------------------------- round trips

    [Test]
    public void RoundTrip_KeepsNamesDTypesShapesValuesAndMetadata()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["w"] = Tensor.From(new float[] { 1.5f, -2f, float.Epsilon, float.MaxValue, float.NegativeInfinity, float.NaN }, 2, 3),
            ["d"] = Tensor.From(new double[] { Math.PI, -0.0, 1e-310, double.MinValue }),
            ["idx"] = Tensor.From(new long[] { long.MinValue, -1, 0, long.MaxValue }, 2, 2),
            ["scalar.f32"] = Tensor.Scalar(3.5),
            ["scalar.f64"] = Tensor.Scalar(-0.125, DType.Float64),
            ["scalar.i64"] = Tensor.From(new long[] { 9007199254740993 }).Reshape(),
            ["empty"] = Tensor.Zeros([0]),
            ["empty3d"] = Tensor.Zeros([2, 0, 3], DType.Int64),
            ["view"] = Tensor.From(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3).T,
            ["ünï \"quoted\" <name>"] = Tensor.Ones([1]),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "línea \"dos\"\n\t{}", ["empty"] = "" };
        var path = PathOf("all.safetensors");

        SafeTensors.Save(path, tensors, metadata);
        var (loaded, loadedMeta) = SafeTensors.Load(path);

        Assert.That(loaded.Keys, Is.EquivalentTo(tensors.Keys));
        foreach (var (name, expected) in tensors)
        {
            var actual = loaded[name];
            Assert.That(actual.DType, Is.EqualTo(expected.DType), name);
            Assert.That(actual.Shape, Is.EqualTo(expected.Shape), name);
            if (expected.DType == DType.Int64)
                Assert.That(actual.ToArray<long>(), Is.EqualTo(expected.ToArray<long>()), name);
            else // compare bit patterns: NaN, -0.0 and subnormals must survive exactly
                Assert.That(actual.ToArray<double>().Select(BitConverter.DoubleToInt64Bits),
                    Is.EqualTo(expected.ToArray<double>().Select(BitConverter.DoubleToInt64Bits)), name);
        }
        Assert.That(loaded["scalar.i64"].Rank, Is.Zero);
        Assert.That(loaded["scalar.i64"].ToArray<long>(), Is.EqualTo(new long[] { 9007199254740993 }));
        Assert.That(loaded["view"].ToArray<double>(), Is.EqualTo(new double[] { 1, 4, 2, 5, 3, 6 }));
        Assert.That(loadedMeta, Is.EqualTo(metadata));
    }

    [Test]
    public void RoundTrip_ThroughStreams_IncludingANonSeekableOne()
    {
        var tensors = new Dictionary<string, Tensor> { ["a"] = Tensor.From(new float[] { 1, 2, 3 }), ["b"] = Tensor.From(new long[] { 7 }) };
        var bytes = SaveToBytes(tensors);
        var (fromMemory, _) = SafeTensors.Load(new MemoryStream(bytes));
        var (fromPipe, meta) = SafeTensors.Load(new ForwardOnlyStream(bytes, 7));
        Assert.That(fromMemory["a"].ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 3 }));
        Assert.That(fromPipe["a"].ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 3 }));
        Assert.That(fromPipe["b"].ToArray<long>(), Is.EqualTo(new long[] { 7 }));
        Assert.That(meta, Is.Empty);

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(new ForwardOnlyStream(bytes[..^4], 7), "pipe"));
        Assert.That(e!.Message, Does.Contain("pipe").And.Contain("'a'").And.Contain("truncated"));
        e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(new ForwardOnlyStream([.. bytes, 0], 7), "pipe"));
        Assert.That(e!.Message, Does.Contain("unexpected bytes"));
    }

    // ---------------------------------------------------------------- reading files built from the format description

    [Test]
    public void Load_HandBuiltFile_FromTheFormatDescription()
    {
        // Unpadded header (readers must accept any length), one F32 tensor of shape [2].
        var path = PathOf("hand.safetensors");
        File.WriteAllBytes(path, FileBytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", Bytes(1.5f, -2f), pad: false));
        var (tensors, metadata) = SafeTensors.Load(path);
        Assert.That(tensors.Keys, Is.EqualTo(new[] { "a" }));
        Assert.That(tensors["a"].DType, Is.EqualTo(DType.Float32));
        Assert.That(tensors["a"].Shape, Is.EqualTo(new[] { 2 }));
        Assert.That(tensors["a"].ToArray<float>(), Is.EqualTo(new[] { 1.5f, -2f }));
        Assert.That(metadata, Is.Empty);
    }

    [Test]
    public void Load_HandBuiltFile_WithMetadataPaddingWhitespaceAndEntriesOutOfOffsetOrder()
    {
        // JSON order differs from data order; a 0-d I64, an F64 [2, 1], an empty F32; padded with spaces.
        var json = """
            { "z": {"data_offsets": [8, 24], "shape": [2, 1], "dtype": "F64"},
              "__metadata__": {"format": "pt", "epoch": "3"},
              "e": {"dtype": "F32", "shape": [0, 4], "data_offsets": [24, 24]},
              "n": {"dtype": "I64", "shape": [], "data_offsets": [0, 8]} }
            """;
        var path = PathOf("hand2.safetensors");
        File.WriteAllBytes(path, FileBytes(json, [.. Bytes(-42L), .. Bytes(0.5, -8.0)]));
        var (tensors, metadata) = SafeTensors.Load(path);

        Assert.That(tensors.Keys, Is.EqualTo(new[] { "n", "z", "e" }), "in data order");
        Assert.That(tensors["n"].Rank, Is.Zero);
        Assert.That(tensors["n"].DType, Is.EqualTo(DType.Int64));
        Assert.That(tensors["n"].ToArray<long>(), Is.EqualTo(new long[] { -42 }));
        Assert.That(tensors["z"].Shape, Is.EqualTo(new[] { 2, 1 }));
        Assert.That(tensors["z"].ToArray<double>(), Is.EqualTo(new[] { 0.5, -8.0 }));
        Assert.That(tensors["e"].Shape, Is.EqualTo(new[] { 0, 4 }));
        Assert.That(metadata, Is.EqualTo(new Dictionary<string, string> { ["format"] = "pt", ["epoch"] = "3" }));
    }

    // ---------------------------------------------------------------- our output against the format, byte by byte

    [Test]
    public void Save_MatchesTheReferenceImplementationsWorkedExamples()
    {
        // The safetensors reference serializes attn.0 = F32 [1, 2, 3] of 0..5 with a 64-byte header, no padding.
        var out1 = SaveToBytes(new Dictionary<string, Tensor> { ["attn.0"] = Tensor.From(new float[] { 0, 1, 2, 3, 4, 5 }, 1, 2, 3) });
        var expected1 = FileBytes("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", Bytes(0f, 1f, 2f, 3f, 4f, 5f));
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(out1), Is.EqualTo(64));
        Assert.That(out1, Is.EqualTo(expected1));

        // With the name attn0 and shape [1, 1, 2, 3] the JSON is 65 bytes: padded with 7 spaces to 72.
        var out2 = SaveToBytes(new Dictionary<string, Tensor> { ["attn0"] = Tensor.From(new float[] { 0, 1, 2, 3, 4, 5 }, 1, 1, 2, 3) });
        Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(out2), Is.EqualTo(72));
        Assert.That(Encoding.ASCII.GetString(out2, 8, 72), Is.EqualTo("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       "));

        // No tensors: "{}" and 6 spaces; metadata only: 35 bytes and 5 spaces.
        Assert.That(SaveToBytes(new Dictionary<string, Tensor>()), Is.EqualTo(FileBytes("{}", [])));
        Assert.That(SaveToBytes(new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["framework"] = "pt" }),
            Is.EqualTo(FileBytes("{\"__metadata__\":{\"framework\":\"pt\"}}", [])));
        Assert.That(SaveToBytes(new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["framework"] = "pt" }).Length, Is.EqualTo(48));
    }

    [Test]
    public void Save_WritesTheSpecLayout_LengthPrefixKeysOrderAndContiguousOffsets()
    {
        var path = PathOf("layout.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor>
        {
            ["b"] = Tensor.From(new float[] { 1, 2, 3 }),
            ["a"] = Tensor.From(new float[] { -1, -2 }),
            ["i"] = Tensor.From(new long[] { 5, -6 }),
            ["d"] = Tensor.Scalar(2.5, DType.Float64),
        }, new Dictionary<string, string> { ["k"] = "v" });
        var file = File.ReadAllBytes(path);
        var (n, header, data) = Split(file);

        Assert.That(n % 8, Is.Zero, "header padded to a multiple of 8");
        Assert.That((ulong)file.Length, Is.EqualTo(8 + n + 44));
        Assert.That(header.TrimEnd(' '), Does.EndWith("}"), "padding is spaces after the JSON");
        using var doc = JsonDocument.Parse(header);
        var keys = doc.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        // __metadata__ first; then by dtype as the reference does (I64, F64, F32), then by name.
        Assert.That(keys, Is.EqualTo(new[] { "__metadata__", "i", "d", "a", "b" }));
        Assert.That(doc.RootElement.GetProperty("__metadata__").GetProperty("k").GetString(), Is.EqualTo("v"));
        var expected = new Dictionary<string, (string DType, int[] Shape, long Begin, long End)>
        {
            ["i"] = ("I64", [2], 0, 16),
            ["d"] = ("F64", [], 16, 24),
            ["a"] = ("F32", [2], 24, 32),
            ["b"] = ("F32", [3], 32, 44),
        };
        foreach (var (name, (dtype, shape, begin, end)) in expected)
        {
            var entry = doc.RootElement.GetProperty(name);
            Assert.That(entry.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "dtype", "shape", "data_offsets" }), name);
            Assert.That(entry.GetProperty("dtype").GetString(), Is.EqualTo(dtype), name);
            Assert.That(entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(shape), name);
            Assert.That(entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()), Is.EqualTo(new[] { begin, end }), name);
        }
        Assert.That(data, Is.EqualTo((byte[])[.. Bytes(5L, -6L), .. Bytes(2.5), .. Bytes(-1f, -2f), .. Bytes(1f, 2f, 3f)]));
    }

    [Test]
    public void Save_RejectsTheReservedNameAndNullValues()
    {
        var e = Assert.Throws<ArgumentException>(() => SaveToBytes(new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Ones([1]) }));
        Assert.That(e!.Message, Does.Contain("__metadata__"));
        Assert.Throws<ArgumentException>(() => SaveToBytes(new Dictionary<string, Tensor> { ["x"] = null! }));
        Assert.Throws<ArgumentException>(() => SaveToBytes(new Dictionary<string, Tensor>(), new Dictionary<string, string> { ["k"] = null! }));
    }

    // ---------------------------------------------------------------- corruption

    // Each case corrupts a valid checkpoint of TinyNet(start: 7): data order steps (I64), scale (F64), 0.bias, 0.weight (F32).
    private static IEnumerable<TestCaseData> Corruptions()
    {
        static Func<byte[], byte[]> Header(Action<JsonObject> edit) => file =>
        {
            var (_, header, data) = Split(file);
            var root = JsonNode.Parse(header)!.AsObject();
            edit(root);
            return FileBytes(root.ToJsonString(), data);
        };
        static Func<byte[], byte[]> Text(Func<string, string> edit) => file =>
        {
            var (_, header, data) = Split(file);
            return FileBytes(edit(header), data);
        };
        static JsonObject Entry(JsonObject root, string name) => root[name]!.AsObject();

        yield return new TestCaseData(new Func<byte[], byte[]>(f => f[..5]), new[] { "fewer than the 8-byte header length" })
            .SetName("Corrupt_ShorterThanThePrefix");
        yield return new TestCaseData(new Func<byte[], byte[]>(f => { var g = (byte[])f.Clone(); BinaryPrimitives.WriteUInt64LittleEndian(g, (ulong)f.Length); return g; }),
            new[] { "header length", "beyond the end" }).SetName("Corrupt_HeaderLengthBeyondTheFile");
        yield return new TestCaseData(new Func<byte[], byte[]>(f => { var g = (byte[])f.Clone(); BinaryPrimitives.WriteUInt64LittleEndian(g, ulong.MaxValue); return g; }),
            new[] { "header length", "beyond the end" }).SetName("Corrupt_HeaderLengthHuge");
        yield return new TestCaseData(Text(h => h.Replace("\"0.bias\":{", "\"0.bias\":")), new[] { "not valid JSON" })
            .SetName("Corrupt_InvalidJson");
        yield return new TestCaseData(new Func<byte[], byte[]>(f =>
        {
            var (_, header, data) = Split(f);
            var bytes = Encoding.UTF8.GetBytes(header);
            int at = header.IndexOf("0.weight", StringComparison.Ordinal);
            bytes[at] = 0xff;
            return FileBytes(bytes, data);
        }), new[] { "UTF-8" }).SetName("Corrupt_InvalidUtf8");
        yield return new TestCaseData(Text(_ => "[1, 2, 3]"), new[] { "not an object" }).SetName("Corrupt_HeaderNotAnObject");
        yield return new TestCaseData(Header(r => Entry(r, "0.weight")["dtype"] = "F33"), new[] { "'0.weight'", "unknown dtype 'F33'" })
            .SetName("Corrupt_UnknownDType");
        yield return new TestCaseData(Header(r => Entry(r, "0.bias")["dtype"] = "F16"), new[] { "'0.bias'", "F16", "not supported" })
            .SetName("Corrupt_UnsupportedDType");
        yield return new TestCaseData(Header(r => Entry(r, "0.weight").Remove("dtype")), new[] { "'0.weight'", "dtype" })
            .SetName("Corrupt_MissingDType");
        yield return new TestCaseData(Header(r => Entry(r, "0.weight")["shape"] = new JsonArray(3, 3)), new[] { "'0.weight'", "span 24 bytes", "need 36" })
            .SetName("Corrupt_ShapeDoesNotMatchOffsets");
        yield return new TestCaseData(Header(r => Entry(r, "scale")["shape"] = new JsonArray(-2)), new[] { "'scale'", "non-negative integers" })
            .SetName("Corrupt_NegativeShape");
        yield return new TestCaseData(Header(r => Entry(r, "scale")["shape"] = new JsonArray(1.5)), new[] { "'scale'", "non-negative integers" })
            .SetName("Corrupt_FractionalShape");
        yield return new TestCaseData(Header(r => Entry(r, "0.bias")["data_offsets"] = new JsonArray(16, 24)), new[] { "'0.bias'", "overlap" })
            .SetName("Corrupt_OverlappingOffsets");
        yield return new TestCaseData(Header(r => Entry(r, "0.weight")["data_offsets"] = new JsonArray(36, 60)), new[] { "'0.weight'", "gap" })
            .SetName("Corrupt_GapBetweenTensors");
        yield return new TestCaseData(Header(r => Entry(r, "0.bias")["data_offsets"] = new JsonArray(32, 24)), new[] { "'0.bias'", "end before they begin" })
            .SetName("Corrupt_OffsetsReversed");
        yield return new TestCaseData(Header(r => Entry(r, "0.bias")["data_offsets"] = new JsonArray(24)), new[] { "'0.bias'", "data_offsets" })
            .SetName("Corrupt_OneOffset");
        yield return new TestCaseData(Header(r => { Entry(r, "0.weight")["shape"] = new JsonArray(2, 4); Entry(r, "0.weight")["data_offsets"] = new JsonArray(32, 64); }),
            new[] { "'0.weight'", "truncated" }).SetName("Corrupt_OffsetsBeyondTheData");
        yield return new TestCaseData(new Func<byte[], byte[]>(f => f[..^3]), new[] { "'0.weight'", "truncated" }).SetName("Corrupt_TruncatedData");
        yield return new TestCaseData(new Func<byte[], byte[]>(f => [.. f, 1, 2, 3]), new[] { "3 unexpected bytes" }).SetName("Corrupt_TrailingBytes");
        yield return new TestCaseData(Text(h => h.Replace("\"0.bias\"", "\"0.weight\"")), new[] { "'0.weight'", "twice" }).SetName("Corrupt_DuplicateName");
        yield return new TestCaseData(Header(r => r["__metadata__"] = new JsonObject { ["format"] = 1 }), new[] { "metadata 'format'", "string" })
            .SetName("Corrupt_MetadataValueNotAString");
        yield return new TestCaseData(Header(r => r["__metadata__"] = new JsonArray()), new[] { "__metadata__", "object" }).SetName("Corrupt_MetadataNotAnObject");
    }

    [TestCaseSource(nameof(Corruptions))]
    public void CorruptFile_ThrowsInvalidDataNamingFileAndTensor_AndCheckpointLoadLeavesTheModelUnchanged(Func<byte[], byte[]> corrupt, string[] fragments)
    {
        var source = PathOf("source.safetensors");
        Checkpoint.Save(new TinyNet(7), source);
        var valid = File.ReadAllBytes(source);
        Assert.That(SafeTensors.Load(source).Tensors, Has.Count.EqualTo(4), "the uncorrupted file is valid");

        var path = PathOf("corrupt.safetensors");
        File.WriteAllBytes(path, corrupt(valid));

        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.That(e!.Message, Does.Contain(path));
        foreach (var fragment in fragments) Assert.That(e.Message, Does.Contain(fragment));

        var model = new TinyNet(1);
        var before = Snapshot(model);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(model, path));
        Assert.That(Snapshot(model), Is.EqualTo(before));
    }

    // ---------------------------------------------------------------- Checkpoint over a Module

    [Test]
    public void Checkpoint_RoundTripsAModel_WithPyTorchDottedNames()
    {
        var path = PathOf("model.safetensors");
        var trained = new TinyNet(3);
        Checkpoint.Save(trained, path, new Dictionary<string, string> { ["epoch"] = "12" });

        var (tensors, metadata) = SafeTensors.Load(path);
        Assert.That(tensors.Keys, Is.EquivalentTo(new[] { "0.weight", "0.bias", "scale", "steps" }));
        Assert.That(metadata, Is.EqualTo(new Dictionary<string, string> { ["format"] = "pt", ["epoch"] = "12" }));
        Assert.That(tensors["steps"].DType, Is.EqualTo(DType.Int64));

        var fresh = new TinyNet(-5);
        Assert.That(Snapshot(fresh), Is.Not.EqualTo(Snapshot(trained)));
        var loadedMeta = Checkpoint.Load(fresh, path);
        Assert.That(Snapshot(fresh), Is.EqualTo(Snapshot(trained)));
        Assert.That(loadedMeta["epoch"], Is.EqualTo("12"));
        Assert.That(fresh.Layer.Weight.RequiresGrad && fresh.Layer.Weight.IsLeaf, Is.True, "parameters stay trainable leaves");
    }

    [Test]
    public void Checkpoint_Load_MismatchedShapeOrNames_ThrowsNamingTheFile_AndLeavesTheModelUnchanged()
    {
        var path = PathOf("mismatch.safetensors");
        var state = new TinyNet(2).StateDict();
        state["0.weight"] = Tensor.Zeros([3, 2]);
        SafeTensors.Save(path, state);

        var model = new TinyNet(1);
        var before = Snapshot(model);
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Load(model, path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("0.weight"));
        Assert.That(Snapshot(model), Is.EqualTo(before));

        state = new TinyNet(2).StateDict();
        state.Remove("steps");
        SafeTensors.Save(path, state);
        e = Assert.Throws<ArgumentException>(() => Checkpoint.Load(model, path));
        Assert.That(e!.Message, Does.Contain("steps"));
        Assert.That(Snapshot(model), Is.EqualTo(before));

        Checkpoint.Load(model, path, strict: false);
        Assert.That(model.Layer.Bias.ToArray<float>(), Is.EqualTo(new[] { 2f, -2f }));
        Assert.That(model.Steps.ToArray<long>(), Is.EqualTo(new long[] { 1000 }), "the missing buffer keeps its value");
    }

    // ---------------------------------------------------------------- atomic writes

    private sealed class ThrowingDictionary(int goodEntries) : IReadOnlyDictionary<string, Tensor>
    {
        public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator()
        {
            for (int i = 0; i < goodEntries; i++) yield return new($"t{i}", Tensor.Ones([1000]));
            throw new IOException("simulated failure while producing tensor data");
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public int Count => goodEntries + 1;
        public IEnumerable<string> Keys => throw new NotSupportedException();
        public IEnumerable<Tensor> Values => throw new NotSupportedException();
        public Tensor this[string key] => throw new NotSupportedException();
        public bool ContainsKey(string key) => throw new NotSupportedException();
        public bool TryGetValue(string key, out Tensor value) => throw new NotSupportedException();
    }

    private string[] FilesInDir() => Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order().ToArray()!;

    [Test]
    public void Save_ThatFailsMidway_LeavesTheExistingFileByteIdentical_AndNoTempFile()
    {
        var path = PathOf("model.safetensors");
        Checkpoint.Save(new TinyNet(4), path);
        var original = File.ReadAllBytes(path);

        var e = Assert.Throws<IOException>(() => SafeTensors.Save(path, new ThrowingDictionary(2)));
        Assert.That(e!.Message, Does.Contain("simulated"));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(original));
        Assert.That(FilesInDir(), Is.EqualTo(new[] { "model.safetensors" }));

        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Ones([1]) }));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(original));
        Assert.That(FilesInDir(), Is.EqualTo(new[] { "model.safetensors" }));
    }

    [Test]
    public void Save_ThatFailsAtTheFinalRename_RemovesTheTempFile()
    {
        // The target is an existing directory: the data is written to the temp file, then the rename fails.
        var target = PathOf("taken");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "inside.txt"), "keep");

        Assert.Catch<IOException>(() => SafeTensors.Save(target, new Dictionary<string, Tensor> { ["a"] = Tensor.Ones([10]) }));
        Assert.That(FilesInDir(), Is.EqualTo(new[] { "taken" }));
        Assert.That(File.ReadAllText(Path.Combine(target, "inside.txt")), Is.EqualTo("keep"));
    }

    [Test]
    public void Save_IntoAMissingDirectory_ThrowsAndCreatesNothing()
    {
        var path = Path.Combine(_dir, "missing", "model.safetensors");
        var e = Assert.Throws<DirectoryNotFoundException>(() => Checkpoint.Save(new TinyNet(1), path));
        Assert.That(e!.Message, Does.Contain("missing"));
        Assert.That(FilesInDir(), Is.Empty);
    }

    [Test]
    public void Save_OverAnExistingFile_ReplacesIt_AndLeavesNoTempFile()
    {
        var path = PathOf("model.safetensors");
        Checkpoint.Save(new TinyNet(1), path);
        Checkpoint.Save(new TinyNet(9), path);
        var model = new TinyNet(0);
        Checkpoint.Load(model, path);
        Assert.That(Snapshot(model), Is.EqualTo(Snapshot(new TinyNet(9))));
        Assert.That(FilesInDir(), Is.EqualTo(new[] { "model.safetensors" }));
    }
}
