using System.Buffers.Binary;
using System.IO.Compression;
using Autograd.Nn.Data;
using static Autograd.Tests.Nn.IdxFiles;

namespace Autograd.Tests.Nn;

/// <summary>
/// Autograd.Nn.Data: TensorDataset and DataLoader (batch sizes, every sample once per epoch, seeded Fisher–Yates
/// shuffles), the IDX reader on files written here byte by byte (every type code, plain and gzip, every malformed
/// case), and Fashion-MNIST (the install message when absent; the real files when Debian's package is installed).
/// </summary>
public class DataTests
{
    private string _dir = "";

    [SetUp]
    public void CreateTempDirectory()
    {
        _dir = Path.Combine(Path.GetTempPath(), "autograd-data-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void DeleteTempDirectory()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    // ---------------------------------------------------------------- IDX writing helpers (the format, by hand)



    private string WriteFile(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] BigEndian<T>(T[] values, int size, Action<byte[], T> write)
    {
        var result = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++)
        {
            var b = new byte[size];
            write(b, values[i]);
            b.CopyTo(result, i * size);
        }
        return result;
    }

    // Payload and the values it encodes (as double), for each type code, shape [2, 3].
    private static (byte[] Payload, double[] Values) Sample(byte type)
    {
        switch (type)
        {
            case 0x08:
            {
                byte[] v = [0, 1, 127, 128, 200, 255];
                return (v, v.Select(x => (double)x).ToArray());
            }
            case 0x09:
            {
                sbyte[] v = [-128, -1, 0, 1, 100, 127];
                return (v.Select(x => (byte)x).ToArray(), v.Select(x => (double)x).ToArray());
            }
            case 0x0B:
            {
                short[] v = [short.MinValue, -300, -1, 0, 258, short.MaxValue];
                return (BigEndian(v, 2, (b, x) => BinaryPrimitives.WriteInt16BigEndian(b, x)), v.Select(x => (double)x).ToArray());
            }
            case 0x0C:
            {
                int[] v = [int.MinValue, -70000, -1, 0, 16777217, int.MaxValue];
                return (BigEndian(v, 4, (b, x) => BinaryPrimitives.WriteInt32BigEndian(b, x)), v.Select(x => (double)x).ToArray());
            }
            case 0x0D:
            {
                float[] v = [-1.5f, 0f, 0.1f, 3.25f, float.MaxValue, -1e-30f];
                return (BigEndian(v, 4, (b, x) => BinaryPrimitives.WriteSingleBigEndian(b, x)), v.Select(x => (double)x).ToArray());
            }
            default:
            {
                double[] v = [-1.5, 0, 0.1, Math.PI, double.MaxValue, -1e-300];
                return (BigEndian(v, 8, (b, x) => BinaryPrimitives.WriteDoubleBigEndian(b, x)), v);
            }
        }
    }

    // ---------------------------------------------------------------- IDX reading

    [TestCase((byte)0x08, false, DType.Int64)]
    [TestCase((byte)0x08, true, DType.Int64)]
    [TestCase((byte)0x09, false, DType.Int64)]
    [TestCase((byte)0x09, true, DType.Int64)]
    [TestCase((byte)0x0B, false, DType.Int64)]
    [TestCase((byte)0x0B, true, DType.Int64)]
    [TestCase((byte)0x0C, false, DType.Int64)]
    [TestCase((byte)0x0C, true, DType.Int64)]
    [TestCase((byte)0x0D, false, DType.Float32)]
    [TestCase((byte)0x0D, true, DType.Float32)]
    [TestCase((byte)0x0E, false, DType.Float64)]
    [TestCase((byte)0x0E, true, DType.Float64)]
    public void Idx_ReadsEveryTypeCode_PlainAndGzip_Exactly(byte type, bool gzip, DType expectedDType)
    {
        var (payload, values) = Sample(type);
        var bytes = IdxBytes(type, [2, 3], payload);
        var path = WriteFile(gzip ? "x.idx.gz" : "x.idx", gzip ? Gzip(bytes) : bytes);

        var t = Idx.Read(path);

        Assert.That(t.DType, Is.EqualTo(expectedDType));
        Assert.That(t.Shape, Is.EqualTo(new[] { 2, 3 }));
        Assert.That(t.ToArray<double>(), Is.EqualTo(values));
    }

    [Test]
    public void Idx_ExplicitDType_ConvertsWhileReading_AndRefusesFloatToInt64()
    {
        var ubyte = WriteFile("u.idx", IdxBytes(0x08, [4], [0, 1, 128, 255]));
        var f32 = Idx.Read(ubyte, DType.Float32);
        Assert.That(f32.DType, Is.EqualTo(DType.Float32));
        Assert.That(f32.ToArray<float>(), Is.EqualTo(new float[] { 0, 1, 128, 255 }));
        Assert.That(Idx.Read(ubyte, DType.Float64).ToArray<double>(), Is.EqualTo(new double[] { 0, 1, 128, 255 }));

        var (payload, values) = Sample(0x0E);
        var doubles = WriteFile("d.idx", IdxBytes(0x0E, [6], payload));
        Assert.That(Idx.Read(doubles, DType.Float32).ToArray<float>(), Is.EqualTo(values.Select(v => (float)v).ToArray()));
        var e = Assert.Throws<ArgumentException>(() => Idx.Read(doubles, DType.Int64));
        Assert.That(e!.Message, Does.Contain("d.idx").And.Contain("int64"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Idx_ReadsFromANonSeekableStream(bool gzip)
    {
        var bytes = IdxBytes(0x0B, [3, 1, 2], Sample(0x0B).Payload);
        using var stream = new ForwardOnlyStream(gzip ? Gzip(bytes) : bytes, 5);
        var t = Idx.Read(stream, "from-stream");
        Assert.That(t.Shape, Is.EqualTo(new[] { 3, 1, 2 }));
        Assert.That(t.ToArray<long>(), Is.EqualTo(Sample(0x0B).Values.Select(v => (long)v).ToArray()));
    }

    [Test]
    public void Idx_ZeroSizedDimension_GivesAnEmptyTensor()
    {
        var t = Idx.Read(WriteFile("empty.idx", IdxBytes(0x08, [0, 28, 28], [])));
        Assert.That(t.Shape, Is.EqualTo(new[] { 0, 28, 28 }));
        Assert.That(t.NumElements, Is.Zero);
    }

    private static IEnumerable<TestCaseData> MalformedIdxFiles()
    {
        yield return new TestCaseData(Array.Empty<byte>(), "empty").SetName("Idx_Malformed_Empty");
        yield return new TestCaseData(new byte[] { 0, 0, 8 }, "truncated").SetName("Idx_Malformed_ShorterThanMagic");
        yield return new TestCaseData(IdxBytes(0x08, [2], [1, 2]).Select((b, i) => i == 1 ? (byte)0x01 : b).ToArray(), "bad magic number")
            .SetName("Idx_Malformed_BadMagic");
        yield return new TestCaseData(new byte[] { 0x50, 0x4B, 3, 4, 0, 0, 0, 0 }, "bad magic number").SetName("Idx_Malformed_ZipNotIdx");
        yield return new TestCaseData(IdxBytes(0x0A, [2], [1, 2]), "unknown element type code 0x0A").SetName("Idx_Malformed_UnknownTypeCode");
        yield return new TestCaseData(IdxBytes(0x08, [], []), "0 dimensions").SetName("Idx_Malformed_ZeroDimensions");
        yield return new TestCaseData(IdxBytes(0x08, [2, 2], [], declaredRank: 3), "header is truncated").SetName("Idx_Malformed_TruncatedSizes");
        yield return new TestCaseData(IdxBytes(0x08, [2, -1], [1, 2]), "negative size").SetName("Idx_Malformed_NegativeSize");
        yield return new TestCaseData(IdxBytes(0x08, [65536, 65536], [1, 2, 3]), "overflow").SetName("Idx_Malformed_SizesOverflowElements");
        yield return new TestCaseData(IdxBytes(0x0E, [1 << 28], [1, 2, 3]), "overflow").SetName("Idx_Malformed_SizesOverflowBytes");
        yield return new TestCaseData(IdxBytes(0x0C, [3], new byte[11]), "truncated").SetName("Idx_Malformed_TruncatedData");
        yield return new TestCaseData(IdxBytes(0x08, [1 << 30], new byte[10]), "truncated").SetName("Idx_Malformed_HugeSizeTinyData");
        yield return new TestCaseData(IdxBytes(0x08, [2, 2], new byte[5]), "trailing garbage").SetName("Idx_Malformed_TrailingGarbage");
    }

    [TestCaseSource(nameof(MalformedIdxFiles))]
    public void Idx_MalformedFile_ThrowsInvalidDataNamingTheFileAndTheProblem(byte[] bytes, string problem)
    {
        foreach (bool gzip in new[] { false, true })
        {
            var path = WriteFile(gzip ? "bad.idx.gz" : "bad.idx", gzip ? Gzip(bytes) : bytes);
            var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path), gzip ? "gzip" : "plain");
            Assert.That(e!.Message, Does.Contain(path).And.Contain(problem), gzip ? "gzip" : "plain");
            using var stream = new ForwardOnlyStream(gzip ? Gzip(bytes) : bytes, 5);
            e = Assert.Throws<InvalidDataException>(() => Idx.Read(stream, "the-stream"), "stream");
            Assert.That(e!.Message, Does.Contain("the-stream").And.Contain(problem), "stream");
        }
    }

    [Test]
    public void Idx_CorruptOrTruncatedGzip_ThrowsInvalidDataNamingTheFile()
    {
        var good = Gzip(IdxBytes(0x08, [64, 64], Enumerable.Range(0, 4096).Select(i => (byte)(i * 37)).ToArray()));

        var corrupt = WriteFile("corrupt.gz", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0x13, 0x37]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(corrupt));
        Assert.That(e!.Message, Does.Contain(corrupt));

        var cut = WriteFile("cut.gz", good[..(good.Length / 2)]);
        e = Assert.Throws<InvalidDataException>(() => Idx.Read(cut));
        Assert.That(e!.Message, Does.Contain(cut));
        Assert.That(e.Message, Does.Contain("truncated").Or.Contain("gzip"));

        // Bytes after the end of the gzip stream are ignored, as `gzip -d` does; trailing bytes inside the
        // decompressed IDX data are an error (see the gzip half of Idx_MalformedFile_…TrailingGarbage).
        var trailing = WriteFile("trailing.gz", [.. good, 0x42, 0x42, 0x42]);
        Assert.That(Idx.Read(trailing).Shape, Is.EqualTo(new[] { 64, 64 }));
    }

    // ---------------------------------------------------------------- Fashion-MNIST

    [Test]
    public void FashionMnist_MissingFiles_SayHowToInstallThePackage()
    {
        var missing = Path.Combine(_dir, "no-such-folder");
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(missing));
        Assert.That(e!.Message, Does.Contain("sudo apt-get install dataset-fashion-mnist")
            .And.Contain(missing).And.Contain("train-images-idx3-ubyte"));

        // Only some files present: the missing ones are named.
        File.WriteAllBytes(Path.Combine(_dir, "train-images-idx3-ubyte"), IdxBytes(0x08, [0, 28, 28], []));
        e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(_dir));
        Assert.That(e!.Message, Does.Contain("t10k-labels-idx1-ubyte").And.Not.Contain("train-images-idx3-ubyte,"));
    }

    // Writes a small Fashion-MNIST-shaped set: image k of a split has every pixel (k * 50) % 256; label k % 10.
    private void WriteFakeFashionMnist(int train, int test, bool gzip, byte badLabel = 0)
    {
        void Write(string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(_dir, gzip ? name + ".gz" : name), gzip ? Gzip(bytes) : bytes);
        byte[] Images(int n) => Enumerable.Range(0, n).SelectMany(k => Enumerable.Repeat((byte)(k * 50 % 256), 784)).ToArray();
        byte[] Labels(int n) => Enumerable.Range(0, n).Select(k => k == 0 && badLabel != 0 ? badLabel : (byte)(k % 10)).ToArray();
        Write("train-images-idx3-ubyte", IdxBytes(0x08, [train, 28, 28], Images(train)));
        Write("train-labels-idx1-ubyte", IdxBytes(0x08, [train], Labels(train)));
        Write("t10k-images-idx3-ubyte", IdxBytes(0x08, [test, 28, 28], Images(test)));
        Write("t10k-labels-idx1-ubyte", IdxBytes(0x08, [test], Labels(test)));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void FashionMnist_LoadsScaledImagesAndInt64Labels(bool gzip)
    {
        WriteFakeFashionMnist(train: 12, test: 3, gzip);

        var data = FashionMnist.Load(_dir);

        Assert.That(data.TrainImages.Shape, Is.EqualTo(new[] { 12, 784 }));
        Assert.That(data.TrainImages.DType, Is.EqualTo(DType.Float32));
        Assert.That(data.TrainLabels.Shape, Is.EqualTo(new[] { 12 }));
        Assert.That(data.TrainLabels.DType, Is.EqualTo(DType.Int64));
        Assert.That(data.TestImages.Shape, Is.EqualTo(new[] { 3, 784 }));
        Assert.That(data.TestLabels.ToArray<long>(), Is.EqualTo(new long[] { 0, 1, 2 }));
        Assert.That(data.TrainLabels.ToArray<long>(), Is.EqualTo(Enumerable.Range(0, 12).Select(k => (long)(k % 10)).ToArray()));
        var pixels = data.TrainImages.ToArray<float>();
        for (int k = 0; k < 12; k++)
            Assert.That(pixels[(k * 784)..((k + 1) * 784)], Is.All.EqualTo(k * 50 % 256 / 255f), $"image {k}");
        Assert.That(pixels.Max(), Is.EqualTo(250 / 255f));
        Assert.That(data.Train.Count, Is.EqualTo(12));

        var unflattened = FashionMnist.Load(_dir, flatten: false);
        Assert.That(unflattened.TestImages.Shape, Is.EqualTo(new[] { 3, 28, 28 }));
    }

    [Test]
    public void FashionMnist_WrongShapesOrLabels_ThrowInvalidData()
    {
        WriteFakeFashionMnist(train: 4, test: 2, gzip: false, badLabel: 10);
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_dir));
        Assert.That(e!.Message, Does.Contain("train-labels-idx1-ubyte").And.Contain("label 10"));

        WriteFakeFashionMnist(train: 4, test: 2, gzip: false);
        File.WriteAllBytes(Path.Combine(_dir, "t10k-labels-idx1-ubyte"), IdxBytes(0x08, [3], [0, 1, 2]));
        e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_dir));
        Assert.That(e!.Message, Does.Contain("3 labels").And.Contain("2 images"));

        File.WriteAllBytes(Path.Combine(_dir, "t10k-images-idx3-ubyte"), IdxBytes(0x08, [2, 784], new byte[2 * 784]));
        e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(_dir));
        Assert.That(e!.Message, Does.Contain("t10k-images-idx3-ubyte").And.Contain("[2, 784]"));
    }

    [Test]
    public void FashionMnist_FromTheDebianPackage_HasTheRealSizesAndLabels()
    {
        if (!FashionMnist.FileNames.All(f => File.Exists(Path.Combine(FashionMnist.DefaultDirectory, f + ".gz")) ||
                                              File.Exists(Path.Combine(FashionMnist.DefaultDirectory, f))))
            Assert.Ignore($"Fashion-MNIST is not installed in {FashionMnist.DefaultDirectory} (sudo apt-get install dataset-fashion-mnist).");

        var data = FashionMnist.Load(FashionMnist.DefaultDirectory);

        Assert.That(data.TrainImages.Shape, Is.EqualTo(new[] { 60000, 784 }));
        Assert.That(data.TrainLabels.Shape, Is.EqualTo(new[] { 60000 }));
        Assert.That(data.TestImages.Shape, Is.EqualTo(new[] { 10000, 784 }));
        Assert.That(data.TestLabels.Shape, Is.EqualTo(new[] { 10000 }));
        // Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
        var trainCounts = data.TrainLabels.ToArray<long>().GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        var testCounts = data.TestLabels.ToArray<long>().GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(trainCounts.Keys.Order(), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (long)i)));
        Assert.That(trainCounts.Values, Is.All.EqualTo(6000));
        Assert.That(testCounts.Values, Is.All.EqualTo(1000));
        var pixels = data.TestImages.ToArray<float>();
        Assert.That(pixels.Min(), Is.EqualTo(0f));
        Assert.That(pixels.Max(), Is.EqualTo(1f));
    }

    // ---------------------------------------------------------------- TensorDataset and DataLoader

    // Sample i: input row (i, 100 + i) as float32, target i as int64, so a batch shows which samples it holds.
    private static TensorDataset Numbered(int n) => new(
        Tensor.From(Enumerable.Range(0, n).SelectMany(i => new[] { (float)i, 100f + i }).ToArray(), n, 2),
        Tensor.From(Enumerable.Range(0, n).Select(i => (long)i).ToArray(), n));

    private static List<long[]> Epoch(DataLoader loader)
    {
        var batches = new List<long[]>();
        foreach (var (inputs, targets) in loader)
        {
            var ids = targets.ToArray<long>();
            var rows = inputs.ToArray<float>();
            Assert.That(inputs.Shape, Is.EqualTo(new[] { ids.Length, 2 }));
            for (int k = 0; k < ids.Length; k++)
                Assert.That(rows[(2 * k)..(2 * k + 2)], Is.EqualTo(new[] { (float)ids[k], 100f + ids[k] }), "input and target stay paired");
            batches.Add(ids);
        }
        return batches;
    }

    [Test]
    public void TensorDataset_MismatchedCounts_ThrowNamingBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new TensorDataset(Tensor.Zeros([5, 2]), Tensor.Zeros([4], DType.Int64)));
        Assert.That(e!.Message, Does.Contain("[5, 2]").And.Contain("[4]"));
        Assert.Throws<ArgumentException>(() => new TensorDataset(Tensor.Scalar(1), Tensor.Zeros([1])));
    }

    [Test]
    public void TensorDataset_IndexesSamples()
    {
        var ds = Numbered(4);
        Assert.That(ds.Count, Is.EqualTo(4));
        var (input, target) = ds[2];
        Assert.That(input.ToArray<float>(), Is.EqualTo(new[] { 2f, 102f }));
        Assert.That(target.Rank, Is.Zero);
        Assert.That(target.Item(), Is.EqualTo(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = ds[4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.GetBatch([-1]));
    }

    [TestCase(10, 3, false, new[] { 3, 3, 3, 1 })]
    [TestCase(10, 3, true, new[] { 3, 3, 3 })]
    [TestCase(9, 3, true, new[] { 3, 3, 3 })]
    [TestCase(9, 3, false, new[] { 3, 3, 3 })]
    [TestCase(2, 5, false, new[] { 2 })]
    [TestCase(2, 5, true, new int[0])]
    [TestCase(0, 4, false, new int[0])]
    public void DataLoader_BatchSizes_WithAndWithoutDropLast(int n, int batchSize, bool dropLast, int[] expected)
    {
        foreach (bool shuffle in new[] { false, true })
        {
            var loader = new DataLoader(Numbered(n), batchSize, shuffle, dropLast, new Generator(1));
            var batches = Epoch(loader);
            Assert.That(batches.Select(b => b.Length), Is.EqualTo(expected), $"shuffle {shuffle}");
            Assert.That(loader.Count, Is.EqualTo(expected.Length));
        }
    }

    [Test]
    public void DataLoader_WithoutShuffle_GoesInOrder()
    {
        var batches = Epoch(new DataLoader(Numbered(7), 3));
        Assert.That(batches.SelectMany(b => b), Is.EqualTo(Enumerable.Range(0, 7).Select(i => (long)i)));
    }

    [Test]
    public void DataLoader_Shuffled_VisitsEverySampleExactlyOncePerEpoch_InANewOrderEachEpoch()
    {
        var loader = new DataLoader(Numbered(50), 8, shuffle: true, generator: new Generator(123));
        var orders = new List<long[]>();
        for (int epoch = 0; epoch < 4; epoch++)
        {
            var order = Epoch(loader).SelectMany(b => b).ToArray();
            Assert.That(order.Order(), Is.EqualTo(Enumerable.Range(0, 50).Select(i => (long)i)), $"epoch {epoch}");
            Assert.That(order, Is.Not.EqualTo(Enumerable.Range(0, 50).Select(i => (long)i)), $"epoch {epoch} is shuffled");
            orders.Add(order);
        }
        for (int a = 0; a < orders.Count; a++)
            for (int b = a + 1; b < orders.Count; b++)
                Assert.That(orders[a], Is.Not.EqualTo(orders[b]), $"epochs {a} and {b}");
    }

    [Test]
    public void DataLoader_Shuffle_IsReproducibleForASeed_AndDiffersBetweenSeeds()
    {
        List<long[]> Run(ulong seed)
        {
            var loader = new DataLoader(Numbered(30), 7, shuffle: true, generator: new Generator(seed));
            return Enumerable.Range(0, 3).Select(_ => Epoch(loader).SelectMany(b => b).ToArray()).ToList();
        }
        var first = Run(42);
        Assert.That(Run(42), Is.EqualTo(first));
        Assert.That(Run(43)[0], Is.Not.EqualTo(first[0]));
    }

    [Test]
    public void DataLoader_Shuffle_IsFisherYatesWithNextInt()
    {
        // The documented algorithm, written out: position i (from the end) swaps with NextInt(i + 1).
        var g = new Generator(5);
        var expected = Enumerable.Range(0, 20).Select(i => (long)i).ToArray();
        for (int i = expected.Length - 1; i > 0; i--)
        {
            int j = g.NextInt(i + 1);
            (expected[i], expected[j]) = (expected[j], expected[i]);
        }
        var loader = new DataLoader(Numbered(20), 6, shuffle: true, generator: new Generator(5));
        Assert.That(Epoch(loader).SelectMany(b => b), Is.EqualTo(expected));
    }

    [Test]
    public void DataLoader_Shuffle_DrawsAllPermutationsUniformly()
    {
        // 3 samples: 6 permutations, each expected 1000 times in 6000 epochs (σ ≈ 29); a biased shuffle (e.g.
        // Sattolo's NextInt(i), which never leaves an element in place) misses some permutations entirely.
        var loader = new DataLoader(Numbered(3), 3, shuffle: true, generator: new Generator(2024));
        var counts = new Dictionary<string, int>();
        for (int epoch = 0; epoch < 6000; epoch++)
        {
            using var e = loader.GetEnumerator();
            Assert.That(e.MoveNext(), Is.True);
            var key = string.Join(",", e.Current.Targets.ToArray<long>());
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        Assert.That(counts, Has.Count.EqualTo(6));
        Assert.That(counts.Values, Is.All.InRange(850, 1150));
    }

    [Test]
    public void DataLoader_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Numbered(3), 0));
    }
}
