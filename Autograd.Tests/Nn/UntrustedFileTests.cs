using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Autograd.Nn.Checkpoints;
using Autograd.Nn.Data;
using static Autograd.Tests.Nn.IdxFiles;

namespace Autograd.Tests.Nn;

/// <summary>
/// Untrusted files cannot exhaust memory or corrupt a checkpoint: sizes a file declares (header length, tensor
/// sizes) are never allocated ahead of the data from a stream of unknown length, only as the bytes arrive; names
/// that UTF-8 cannot hold (lone surrogates) are refused by <see cref="SafeTensors.Save"/> before the old file is
/// touched, and by <see cref="SafeTensors.Load"/>; IDX files with a zero size give empty tensors.
/// </summary>
public class UntrustedFileTests
{
    // An allocation bound far below what the files declare (gigabytes) and above what reading them needs.
    private const long AllocationBound = 16 << 20;

    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "autograd-untrusted-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A safetensors file: the length prefix, the header as given (padded with spaces), then the data.</summary>
    private static byte[] SafeTensorsBytes(string header, byte[] data, ulong? declaredLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var padded = new byte[(json.Length + 7) / 8 * 8];
        json.CopyTo(padded, 0);
        padded.AsSpan(json.Length).Fill((byte)' ');
        var bytes = new byte[8 + padded.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)padded.Length);
        padded.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + padded.Length);
        return bytes;
    }

    private static long AllocatedWhileFailing<TException>(Action read, string expected) where TException : Exception
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<TException>(() => read())!;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(e.Message, Does.Contain(expected));
        return allocated;
    }

    // ---------------------------------------------------------------- SafeTensors.Load: declared sizes

    [TestCase(1)]
    [TestCase(4096)]
    public void SafeTensorsLoad_FromAStream_OfATensorDeclaringGigabytes_AllocatesOnlyWhatArrives(int chunk)
    {
        // 2^30 float64 elements (8 GB) declared by a file of under a hundred bytes.
        long bytes = (1L << 30) * 8;
        var file = SafeTensorsBytes($"{{\"huge\":{{\"dtype\":\"F64\",\"shape\":[1073741824],\"data_offsets\":[0,{bytes}]}}}}", new byte[40]);
        Assert.That(file.Length, Is.LessThan(200));
        long allocated = AllocatedWhileFailing<InvalidDataException>(
            () => SafeTensors.Load(new ForwardOnlyStream(file, chunk), "pipe"),
            "SafeTensors.Load: 'pipe' is not a valid safetensors file: the data is truncated: tensor 'huge' needs 8589934592 bytes, found 40");
        Assert.That(allocated, Is.LessThan(AllocationBound));
    }

    [Test]
    public void SafeTensorsLoad_FromAStream_OfManyTensorsDeclaringGigabytes_AllocatesOnlyWhatArrives()
    {
        // Each tensor's declared size is allocated only as its bytes arrive, so the sum is bounded too.
        var header = new StringBuilder("{");
        long offset = 0, each = (1L << 28) * 4;
        for (int i = 0; i < 8; i++)
        {
            if (i > 0) header.Append(',');
            header.Append($"\"t{i}\":{{\"dtype\":\"F32\",\"shape\":[268435456],\"data_offsets\":[{offset},{offset + each}]}}");
            offset += each;
        }
        var file = SafeTensorsBytes(header.Append('}').ToString(), new byte[64]);
        long allocated = AllocatedWhileFailing<InvalidDataException>(
            () => SafeTensors.Load(new ForwardOnlyStream(file, 100), "pipe"), "the data is truncated: tensor 't0' needs 1073741824 bytes, found 64");
        Assert.That(allocated, Is.LessThan(AllocationBound));
    }

    [Test]
    public void SafeTensorsLoad_FromAStream_OfAHeaderLengthAtTheLimit_AllocatesOnlyWhatArrives()
    {
        var file = SafeTensorsBytes("{}", [], declaredLength: (ulong)SafeTensors.MaxHeaderLength);
        long allocated = AllocatedWhileFailing<InvalidDataException>(
            () => SafeTensors.Load(new ForwardOnlyStream(file, 3), "pipe"), $"the header length {SafeTensors.MaxHeaderLength} goes beyond the end of the file (16 bytes)");
        Assert.That(allocated, Is.LessThan(AllocationBound));
    }

    [Test]
    public void SafeTensorsLoad_FromASeekableStream_ComparesDeclaredSizesWithTheLength()
    {
        long bytes = (1L << 30) * 8;
        var file = SafeTensorsBytes($"{{\"huge\":{{\"dtype\":\"F64\",\"shape\":[1073741824],\"data_offsets\":[0,{bytes}]}}}}", new byte[40]);
        long allocated = AllocatedWhileFailing<InvalidDataException>(
            () => SafeTensors.Load(new MemoryStream(file), "file"), "the data is truncated: tensor 'huge' spans bytes [0, 8589934592) of the data section, which has 40 bytes");
        Assert.That(allocated, Is.LessThan(AllocationBound));
    }

    [Test]
    public void SafeTensorsLoad_FromAStream_InSmallChunks_ReadsTensorsLargerThanTheFirstBuffer()
    {
        // 3 MB of float64 (over the 1 MB first buffer, so it grows twice) and a float32 tensor after it, 7 bytes a read.
        var big = Enumerable.Range(0, 3 << 17).Select(i => i * 0.5 - 7).ToArray();
        var small = new[] { 1.5f, -2.25f, float.NaN };
        var stream = new MemoryStream();
        SafeTensors.Save(stream, new Dictionary<string, Tensor> { ["big"] = Tensor.From(big, 3, 1 << 17), ["small"] = Tensor.From(small) });
        var (tensors, _) = SafeTensors.Load(new ForwardOnlyStream(stream.ToArray(), 7), "pipe");
        Assert.That(tensors["big"].Shape, Is.EqualTo(new[] { 3, 1 << 17 }));
        Assert.That(tensors["big"].ToArray<double>(), Is.EqualTo(big));
        Assert.That(tensors["small"].ToArray<float>().Select(BitConverter.SingleToInt32Bits), Is.EqualTo(small.Select(BitConverter.SingleToInt32Bits)));
    }

    [Test]
    public void SafeTensorsLoad_FromAStream_WithTrailingBytesAfterGrownData_StillRefusesThem()
    {
        var values = Enumerable.Range(0, 300_000).Select(i => (float)i).ToArray();
        var stream = new MemoryStream();
        SafeTensors.Save(stream, new Dictionary<string, Tensor> { ["x"] = Tensor.From(values) });
        var file = stream.ToArray().Concat(new byte[] { 1, 2, 3 }).ToArray();
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(new ForwardOnlyStream(file, 1000), "pipe"))!;
        Assert.That(e.Message, Does.Contain("unexpected bytes follow the data of the last tensor"));
    }

    // ---------------------------------------------------------------- SafeTensors.Save: names UTF-8 cannot hold

    private string ExistingFile(out byte[] bytes)
    {
        var path = Path.Combine(_dir, "model.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.From(new[] { 1f, 2f }) });
        bytes = File.ReadAllBytes(path);
        return path;
    }

    private void AssertUntouched(string path, byte[] bytes)
    {
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(bytes), "the old file is byte for byte unchanged");
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }), "no temporary file is left");
        Assert.That(SafeTensors.Load(path).Tensors["w"].ToArray<float>(), Is.EqualTo(new[] { 1f, 2f }));
    }

    [Test]
    public void SafeTensorsSave_OfTwoNamesThatDifferOnlyInLoneSurrogates_RefusesBeforeTouchingTheFile()
    {
        // Encoding.UTF8 would write both as "a\uFFFD": one name twice, and a file that no longer loads.
        var path = ExistingFile(out var bytes);
        var tensors = new Dictionary<string, Tensor> { ["a\uD800"] = Tensor.From(new[] { 1f }), ["a\uDC00"] = Tensor.From(new[] { 2f }) };
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, tensors))!;
        Assert.That(e.Message, Does.StartWith("SafeTensors.Save: the tensor name \"a\\uD800\" is not valid UTF-16: it holds a lone surrogate U+D800 at index 1, which UTF-8 cannot encode. Nothing was written."));
        Assert.That(e.ParamName, Is.EqualTo("tensors"));
        AssertUntouched(path, bytes);
    }

    // UTF-16 code units as numbers: C# attributes store strings as UTF-8, which would mangle the lone surrogates.
    [TestCase(new[] { 0xDC00, 'x' }, 0, TestName = "SafeTensorsSave_OfALoneLowSurrogateFirst_Refuses")]
    [TestCase(new[] { 'x', 0xD83D }, 1, TestName = "SafeTensorsSave_OfAHighSurrogateAtTheEnd_Refuses")]
    [TestCase(new[] { 0xD83D, 0xDE00, 0xDE00 }, 2, TestName = "SafeTensorsSave_OfALowSurrogateAfterAPair_Refuses")]
    [TestCase(new[] { 0xD83D, 'x', 0xDE00 }, 0, TestName = "SafeTensorsSave_OfASplitPair_Refuses")]
    public void SafeTensorsSave_OfANameWithALoneSurrogate_Refuses(int[] units, int at)
    {
        var name = new string(units.Select(u => (char)u).ToArray());
        var path = ExistingFile(out var bytes);
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { [name] = Tensor.From(new[] { 1f }) }))!;
        Assert.That(e.Message, Does.Contain($"lone surrogate U+{(int)name[at]:X4} at index {at}"));
        AssertUntouched(path, bytes);
    }

    [Test]
    public void SafeTensorsSave_OfMetadataWithALoneSurrogate_RefusesBeforeTouchingTheFile()
    {
        var path = ExistingFile(out var bytes);
        var tensors = new Dictionary<string, Tensor> { ["w"] = Tensor.From(new[] { 3f }) };
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["k\uDFFF"] = "v" }))!;
        Assert.That(e.Message, Does.StartWith("SafeTensors.Save: the metadata key \"k\\uDFFF\" is not valid UTF-16"));
        Assert.That(e.ParamName, Is.EqualTo("metadata"));
        e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["k"] = "\uD800" }))!;
        Assert.That(e.Message, Does.StartWith("SafeTensors.Save: the value of metadata 'k' \"\\uD800\" is not valid UTF-16"));
        AssertUntouched(path, bytes);
    }

    [Test]
    public void SafeTensorsSave_OfNamesWithSurrogatePairs_RoundTrips()
    {
        var path = Path.Combine(_dir, "emoji.safetensors");
        var tensors = new Dictionary<string, Tensor> { ["😀.weight"] = Tensor.From(new[] { 1f }), ["𝔵"] = Tensor.From(new[] { 2.0 }) };
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["🙂"] = "𝄞" });
        var (loaded, metadata) = SafeTensors.Load(path);
        Assert.That(loaded.Keys, Is.EquivalentTo(tensors.Keys));
        Assert.That(metadata["🙂"], Is.EqualTo("𝄞"));
    }

    [TestCase("{\"a\\ud800\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", TestName = "SafeTensorsLoad_OfANameEscapingALoneSurrogate_Refuses")]
    [TestCase("{\"__metadata__\":{\"k\":\"\\udc00\"},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", TestName = "SafeTensorsLoad_OfMetadataEscapingALoneSurrogate_Refuses")]
    public void SafeTensorsLoad_OfAHeaderEscapingALoneSurrogate_Refuses(string header)
    {
        var file = SafeTensorsBytes(header, new byte[4]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(new MemoryStream(file), "file"))!;
        Assert.That(e.Message, Does.StartWith("SafeTensors.Load: 'file' is not a valid safetensors file: the header holds a string that is not valid UTF-16"));
    }

    // ---------------------------------------------------------------- Idx.Read: zero sizes



    [TestCase(new[] { 65536, 65536, 0 }, TestName = "IdxRead_OfAZeroSizeAfterSizesWhoseProductOverflows_GivesAnEmptyTensor")]
    [TestCase(new[] { int.MaxValue, 2, 0 }, TestName = "IdxRead_OfAZeroSizeAfterSizesWhoseProductIsTooLarge_GivesAnEmptyTensor")]
    [TestCase(new[] { 1 << 16, 1 << 16, 1 << 16, 0 }, TestName = "IdxRead_OfAZeroSizeAfterThreeHugeSizes_GivesAnEmptyTensor")]
    public void IdxRead_OfAZeroSize_GivesAnEmptyTensor(int[] dims)
    {
        foreach (byte type in new byte[] { 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E })
        {
            var bytes = IdxBytes(type, dims, []);
            foreach (var (source, name) in new[] { (bytes, "plain"), (Gzip(bytes), "gzip") })
            {
                var t = Idx.Read(new ForwardOnlyStream(source, 5), name);
                Assert.That(t.Shape, Is.EqualTo(dims), $"type 0x{type:X2}, {name}");
                Assert.That(t.NumElements, Is.Zero);
                Assert.That(t.DType, Is.EqualTo(type == 0x0D ? DType.Float32 : type == 0x0E ? DType.Float64 : DType.Int64));
                Assert.That(Idx.Read(new MemoryStream(source), DType.Float32, name).Shape, Is.EqualTo(dims));
            }
        }
    }

    [Test]
    public void SafeTensorsLoad_OfAZeroSizeAfterSizesWhoseProductOverflows_GivesAnEmptyTensor()
    {
        var file = SafeTensorsBytes("{\"e\":{\"dtype\":\"F32\",\"shape\":[65536,65536,0],\"data_offsets\":[0,0]}}", []);
        var t = SafeTensors.Load(new ForwardOnlyStream(file, 5), "pipe").Tensors["e"];
        Assert.That(t.Shape, Is.EqualTo(new[] { 65536, 65536, 0 }));
        Assert.That(t.NumElements, Is.Zero);
        var saved = new MemoryStream();
        SafeTensors.Save(saved, new Dictionary<string, Tensor> { ["e"] = t });
        Assert.That(SafeTensors.Load(new MemoryStream(saved.ToArray())).Tensors["e"].Shape, Is.EqualTo(new[] { 65536, 65536, 0 }));
    }

    [Test]
    public void IdxRead_OfAZeroSizeFollowedByData_IsTrailingGarbage()
    {
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(new MemoryStream(IdxBytes(0x08, [65536, 65536, 0], [1, 2])), "f"))!;
        Assert.That(e.Message, Does.Contain("trailing garbage: sizes [65536, 65536, 0] of type ubyte (0x08) need 0 bytes of data, but 2 more bytes follow"));
        e = Assert.Throws<InvalidDataException>(() => Idx.Read(new ForwardOnlyStream(IdxBytes(0x08, [0], [7]), 3), "f"))!;
        Assert.That(e.Message, Does.Contain("trailing garbage"));
    }

    [Test]
    public void IdxRead_FromAStream_OfSizesDeclaringAGigabyte_AllocatesOnlyWhatArrives()
    {
        var file = IdxBytes(0x0E, [1 << 27], new byte[24]);
        long allocated = AllocatedWhileFailing<InvalidDataException>(
            () => Idx.Read(new ForwardOnlyStream(Gzip(file), 64), "pipe"), "the data is truncated");
        Assert.That(allocated, Is.LessThan(AllocationBound));
    }
}
