using System.Globalization;

namespace Autograd.Distributed;

/// <summary>What an MPI launcher's environment says about this process: which launcher, and the rank, size and local rank when it sets them.</summary>
/// <param name="Launcher">"mpirun" (Open MPI), "srun" (SLURM) or "pmi" (another PMI/PMIx launcher such as MPICH's hydra).</param>
/// <param name="Rank">The rank, when the environment gives it.</param>
/// <param name="Size">The world size, when the environment gives it.</param>
/// <param name="LocalRank">The rank on this machine, when the environment gives it.</param>
internal sealed record Launch(string Launcher, int? Rank, int? Size, int? LocalRank)
{
    /// <summary>Reads the launcher's variables: Open MPI's OMPI_COMM_WORLD_*, SLURM's SLURM_* of a job step, PMI's and PMIx's.</summary>
    /// <param name="variable">Reads an environment variable (null when unset).</param>
    /// <returns>The launch, or null when no launcher started this process.</returns>
    public static Launch? Detect(Func<string, string?> variable)
    {
        int? Int(string name) => int.TryParse(variable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;

        if (Int("OMPI_COMM_WORLD_SIZE") is int ompiSize)
            return new Launch("mpirun", Int("OMPI_COMM_WORLD_RANK"), ompiSize, Int("OMPI_COMM_WORLD_LOCAL_RANK"));

        // srun sets SLURM_STEP_ID for the tasks of a job step; a batch script alone has SLURM_NTASKS but is one process.
        if (Int("SLURM_PROCID") is int slurmRank && (variable("SLURM_STEP_ID") ?? variable("SLURM_STEPID")) is not null)
            return new Launch("srun", slurmRank, Int("SLURM_STEP_NUM_TASKS") ?? Int("SLURM_NTASKS"), Int("SLURM_LOCALID"));

        if (Int("PMIX_RANK") is int pmixRank)
            return new Launch("pmi", pmixRank, Int("PMIX_SIZE") ?? Int("PMI_SIZE"), Int("PMIX_LOCAL_RANK") ?? Int("MPI_LOCALRANKID"));

        if (Int("PMI_SIZE") is int pmiSize)
            return new Launch("pmi", Int("PMI_RANK"), pmiSize, Int("MPI_LOCALRANKID"));

        return null;
    }
}
