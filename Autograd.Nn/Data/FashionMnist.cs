namespace Autograd.Nn.Data;

/// <summary>
/// The Fashion-MNIST data set (Zalando): 28×28 grayscale images of clothing in 10 classes, 60 000 for training and
/// 10 000 for testing, read from a folder holding the data set's four IDX files under their standard names
/// (<see cref="FileNames"/>, each plain or <c>.gz</c>). Nothing is downloaded: the files come from the
/// <c>data/fashion</c> folder of https://github.com/zalandoresearch/fashion-mnist, or on Debian and Ubuntu from the
/// package <c>dataset-fashion-mnist</c>, which installs them in <see cref="DefaultDirectory"/>.
/// </summary>
/// <remarks>
/// Images are float32 scaled to [0, 1] (the stored byte divided by 255), of shape [N, 784] (or [N, 28, 28] with
/// <c>flatten: false</c>); labels are int64 class indices 0…9 of shape [N] (see <see cref="ClassNames"/>).
/// </remarks>
public sealed class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts the files: the examples' default folder.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist/";

    /// <summary>The Debian package that ships the data set.</summary>
    public const string DebianPackage = "dataset-fashion-mnist";

    /// <summary>The side of the square images, in pixels.</summary>
    public const int ImageSize = 28;

    /// <summary>The number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>The file names without the optional <c>.gz</c> suffix: train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Where the files come from, on any system: the data set's own repository.</summary>
    public const string SourceUrl = "https://github.com/zalandoresearch/fashion-mnist";

    /// <summary>The class names by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private FashionMnist(Tensor trainImages, Tensor trainLabels, Tensor testImages, Tensor testLabels)
    {
        TrainImages = trainImages;
        TrainLabels = trainLabels;
        TestImages = testImages;
        TestLabels = testLabels;
    }

    /// <summary>The 60 000 training images, float32 in [0, 1].</summary>
    public Tensor TrainImages { get; }

    /// <summary>The 60 000 training labels, int64 in 0…9.</summary>
    public Tensor TrainLabels { get; }

    /// <summary>The 10 000 test images, float32 in [0, 1].</summary>
    public Tensor TestImages { get; }

    /// <summary>The 10 000 test labels, int64 in 0…9.</summary>
    public Tensor TestLabels { get; }

    /// <summary>The training images and labels as a dataset.</summary>
    public TensorDataset Train => new(TrainImages, TrainLabels);

    /// <summary>The test images and labels as a dataset.</summary>
    public TensorDataset Test => new(TestImages, TestLabels);

    /// <summary>
    /// Reads the four files from <paramref name="directory"/>, each as <c>NAME</c> or <c>NAME.gz</c> (the plain file
    /// when both are there), for any NAME of <see cref="FileNames"/>.
    /// </summary>
    /// <param name="directory">The folder holding the files, such as <see cref="DefaultDirectory"/> on Debian.</param>
    /// <param name="flatten">Whether images have shape [N, 784] (true) or [N, 28, 28] (false).</param>
    /// <returns>The training and test images and labels.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty or white space.</exception>
    /// <exception cref="FileNotFoundException">
    /// The folder or a file is absent; the message names the missing files and where to get them (<see cref="SourceUrl"/>,
    /// or <c>sudo apt-get install dataset-fashion-mnist</c> on Debian and Ubuntu).
    /// </exception>
    /// <exception cref="InvalidDataException">A file is malformed, or its sizes or labels are not Fashion-MNIST's.</exception>
    public static FashionMnist Load(string directory, bool flatten = true)
    {
        if (directory is null)
            throw new ArgumentNullException(nameof(directory), "FashionMnist.Load: directory is null; pass the folder holding the Fashion-MNIST files.");
        if (string.IsNullOrWhiteSpace(directory))
            throw new ArgumentException("FashionMnist.Load: directory is empty; pass the folder holding the Fashion-MNIST files.", nameof(directory));
        if (!Directory.Exists(directory))
            throw new FileNotFoundException($"FashionMnist.Load: the folder '{directory}' does not exist. {WhereToGetTheFiles}", directory);
        var paths = FileNames.Select(f => Locate(directory, f)).ToArray();
        var missing = FileNames.Where((_, i) => paths[i] is null).ToArray();
        if (missing.Length > 0)
        {
            throw new FileNotFoundException(
                $"FashionMnist.Load: {string.Join(", ", missing)} (or .gz) not found in '{directory}'. {WhereToGetTheFiles}",
                Path.Combine(directory, missing[0]));
        }
        var (trainImages, trainCount) = ReadImages(paths[0]!, flatten);
        var trainLabels = ReadLabels(paths[1]!, trainCount);
        var (testImages, testCount) = ReadImages(paths[2]!, flatten);
        var testLabels = ReadLabels(paths[3]!, testCount);
        return new FashionMnist(trainImages, trainLabels, testImages, testLabels);
    }

    private static string WhereToGetTheFiles =>
        $"Fashion-MNIST is four files, {string.Join(", ", FileNames.Select(f => f + ".gz"))} (gzipped or not), " +
        $"from the data/fashion folder of {SourceUrl}: put them in one folder and load that folder. " +
        $"On Debian or Ubuntu, `sudo apt-get install {DebianPackage}` puts them in {DefaultDirectory}.";

    private static string? Locate(string directory, string name)
    {
        foreach (var candidate in new[] { name, name + ".gz" })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static (Tensor Images, int Count) ReadImages(string path, bool flatten)
    {
        var raw = Idx.ReadRaw(path);
        if (raw.Type != IdxElementType.UnsignedByte || raw.Shape.Length != 3 || raw.Shape[1] != ImageSize || raw.Shape[2] != ImageSize)
            throw new InvalidDataException(
                $"FashionMnist.Load: '{path}' holds {Idx.TypeName(raw.Type)} data of shape {TensorDataset.Format(raw.Shape)}; expected ubyte images of shape [N, {ImageSize}, {ImageSize}].");
        var pixels = new float[raw.Data.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = raw.Data[i] / 255f;
        int n = raw.Shape[0];
        return (flatten ? Tensor.From<float>(pixels, n, ImageSize * ImageSize) : Tensor.From<float>(pixels, n, ImageSize, ImageSize), n);
    }

    private static Tensor ReadLabels(string path, int count)
    {
        var raw = Idx.ReadRaw(path);
        if (raw.Type != IdxElementType.UnsignedByte || raw.Shape.Length != 1)
            throw new InvalidDataException(
                $"FashionMnist.Load: '{path}' holds {Idx.TypeName(raw.Type)} data of shape {TensorDataset.Format(raw.Shape)}; expected ubyte labels of shape [N].");
        if (raw.Shape[0] != count)
            throw new InvalidDataException($"FashionMnist.Load: '{path}' holds {raw.Shape[0]} labels but the matching image file holds {count} images.");
        var labels = new long[raw.Data.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = raw.Data[i];
            if (labels[i] >= ClassCount)
                throw new InvalidDataException($"FashionMnist.Load: '{path}': label {labels[i]} at index {i} is not a class index 0…{ClassCount - 1}.");
        }
        return Tensor.From<long>(labels, count);
    }
}
