using Autograd.Distributed;
using Autograd.Distributed.Mpi;

namespace Autograd.Tests.Distributed;

/// <summary>Which launcher started the process, read from its environment; and the message when libmpi is missing.</summary>
[TestFixture]
public class LaunchTests
{
    private static Launch? Detect(params (string Name, string Value)[] variables)
    {
        var env = variables.ToDictionary(v => v.Name, v => v.Value);
        return Launch.Detect(name => env.GetValueOrDefault(name));
    }

    [Test]
    public void OpenMpisMpirun()
    {
        Assert.That(Detect(("OMPI_COMM_WORLD_SIZE", "4"), ("OMPI_COMM_WORLD_RANK", "2"), ("OMPI_COMM_WORLD_LOCAL_RANK", "0"), ("PMIX_RANK", "2")),
                    Is.EqualTo(new Launch("mpirun", 2, 4, 0)));
    }

    [Test]
    public void SlurmsSrun_ButNotABatchScriptAlone()
    {
        Assert.That(Detect(("SLURM_PROCID", "5"), ("SLURM_STEP_ID", "0"), ("SLURM_STEP_NUM_TASKS", "8"), ("SLURM_NTASKS", "16"), ("SLURM_LOCALID", "1")),
                    Is.EqualTo(new Launch("srun", 5, 8, 1)));
        Assert.That(Detect(("SLURM_PROCID", "0"), ("SLURM_NTASKS", "16"), ("SLURM_LOCALID", "0")), Is.Null, "sbatch's script is one process until srun starts the tasks");
    }

    [Test]
    public void PmiAndPmixLaunchers()
    {
        Assert.That(Detect(("PMIX_RANK", "3")), Is.EqualTo(new Launch("pmi", 3, null, null)));
        Assert.That(Detect(("PMI_SIZE", "2"), ("PMI_RANK", "1"), ("MPI_LOCALRANKID", "1")), Is.EqualTo(new Launch("pmi", 1, 2, 1)));
    }

    [Test]
    public void NoLauncher()
    {
        Assert.That(Detect(), Is.Null);
        Assert.That(Detect(("OMPI_COMM_WORLD_SIZE", "")), Is.Null);
    }

    [Test]
    public void MissingLibmpi_SaysWhatToInstall()
    {
        var e = Assert.Throws<InvalidOperationException>(() => MpiLibrary.Load("libmpi-not-installed.so.40"));
        Assert.That(e!.Message, Does.StartWith("ProcessGroup.Initialize: this process was started by an MPI launcher but Open MPI's library libmpi-not-installed.so.40 could not be loaded"));
        Assert.That(e.Message, Does.Contain("sudo apt-get install openmpi-bin libopenmpi-dev").And.Contain("AUTOGRAD_MPI_LIBRARY"));
        Assert.That(e.InnerException, Is.TypeOf<DllNotFoundException>());
    }

    [Test]
    public void MissingLibmpi_InAProgramStartedByALauncher_FailsWithTheInstallHint()
    {
        // No mpirun needed: the launcher's variable makes the program ask for MPI, and the library name points nowhere.
        var r = MpiRunner.RunWithoutMpirun("collectives", new Dictionary<string, string>
        {
            ["OMPI_COMM_WORLD_SIZE"] = "1",
            ["OMPI_COMM_WORLD_RANK"] = "0",
            [MpiLibrary.LibraryVariable] = "/nonexistent/libmpi.so.40",
        }, TimeSpan.FromMinutes(1));
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), r.ToString());
        Assert.That(r.Output, Does.Contain("System.InvalidOperationException: ProcessGroup.Initialize: this process was started by an MPI launcher but Open MPI's library /nonexistent/libmpi.so.40 could not be loaded"), r.ToString());
        Assert.That(r.Output, Does.Contain("sudo apt-get install openmpi-bin libopenmpi-dev"), r.ToString());
    }
}
