// The C# snippets of docs/distributed.md's overview, verbatim (DocsTests checks that each still appears in a
// DocSnippets*.cs file). Run here as the world of one process, as `dotnet train.dll` would.
using Autograd;
using Autograd.Distributed;
using Autograd.Nn;
using Autograd.Nn.Checkpoints;

namespace Autograd.Tests;

public class DistributedLaunchDocSnippets
{
    [Test] // docs/distributed.md: a training program that runs with and without mpirun
    public void TrainingProgramRunsAsTheWorldOfOne()
    {
        string checkpointPath = Path.Combine(Directory.CreateTempSubdirectory("autograd-doc-").FullName, "model.safetensors");
        Assert.That(TrainingProgram(checkpointPath), Is.EqualTo(0));
        Assert.That(File.Exists(checkpointPath), Is.True, "rank 0 of 1 wrote the checkpoint");
    }

    private static int TrainingProgram(string checkpointPath)
    {
        return ProcessGroup.Run(group =>
        {
            var model = new Linear(4, 1, generator: new Generator(0));    // the same seed on every rank
            var x = Tensor.Normal([8, 4], new Generator(1 + (ulong)group.Rank)); // this rank's batch
            var loss = Losses.MseLoss(model.Forward(x), Tensor.Zeros([8, 1]));
            double mean = group.AllReduceMean(loss.Item());                // the loss over every rank, for the log
            if (group.IsMain) Console.WriteLine($"loss {mean:F4} over {group.WorldSize} rank(s)");
            group.RunOnMain(() => Checkpoint.Save(model, checkpointPath)); // rank 0 writes, the others wait for it
        });
    }
}
