using Autograd.Nn.Data;

namespace Autograd.Tests;

// The Fashion-MNIST rows of docs/errors.md's Data section: a missing folder or file names the data set's own files and
// where they come from on any system, not only Debian's package.
public partial class ErrorCatalogueTests
{
    [Test]
    public void FashionMnistMissingFilesSayWhereTheFilesComeFrom()
    {
        Write("train-images-idx3-ubyte.gz", []);
        Write("t10k-labels-idx1-ubyte", []);
        var e = Fails<FileNotFoundException>(() => FashionMnist.Load(_dir), "FashionMnist.Load: ",
            "train-labels-idx1-ubyte, t10k-images-idx3-ubyte (or .gz) not found", $"'{_dir}'",
            "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz",
            "data/fashion folder of https://github.com/zalandoresearch/fashion-mnist", "sudo apt-get install dataset-fashion-mnist");
        Assert.That(e.FileName, Is.EqualTo(Path.Combine(_dir, "train-labels-idx1-ubyte")));
    }

    [Test]
    public void FashionMnistFolderThatDoesNotExist()
    {
        var absent = Path.Combine(_dir, "no-such-folder");
        Fails<FileNotFoundException>(() => FashionMnist.Load(absent), "FashionMnist.Load: ", $"the folder '{absent}' does not exist",
            "train-images-idx3-ubyte.gz", FashionMnist.SourceUrl, "sudo apt-get install dataset-fashion-mnist");
    }

    [Test]
    public void FashionMnistNullOrBlankFolder()
    {
        var e = Fails<ArgumentNullException>(() => FashionMnist.Load(null!), "FashionMnist.Load: ", "directory is null");
        Assert.That(e.ParamName, Is.EqualTo("directory"));
        foreach (var blank in new[] { "", "  " })
            Fails<ArgumentException>(() => FashionMnist.Load(blank), "FashionMnist.Load: ", "directory is empty");
    }
}
