// Runs one scenario on every rank of an MPI job: dotnet Autograd.Tests.Mpi.dll SCENARIO [ARGS...].
// Each scenario is a static method of Scenarios marked [Scenario("name")], one file per area (Scenarios.Collectives.cs,
// Scenarios.Faults.cs, …): a new area adds its own file and touches nothing else. A scenario checks its own results
// and throws on a wrong one; a rank that passes prints "rank R ok: …" as its last line.
using Autograd.Tests.Mpi;

return Scenarios.Run(args);
