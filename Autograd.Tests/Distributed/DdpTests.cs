using Autograd.Distributed;
using Autograd.Nn;
using Autograd.Nn.Optim;
using Autograd.Tests.Fixtures;

namespace Autograd.Tests.Distributed;

/// <summary>
/// DistributedDataParallel in one process: with the world of one process, and with N ranks on N threads
/// (<see cref="ThreadedWorld"/>, whose all-reduce sums in rank order), for the averaging, the buckets and their
/// overlap with backward, NoSync, unused parameters and the replica check.
/// </summary>
public class DdpTests
{
    private static Sequential Mlp(ulong seed, int input = 4, int hidden = 8, int output = 3, DType dtype = DType.Float32)
    {
        var g = new Generator(seed);
        return new Sequential(new Linear(input, hidden, generator: g, dtype: dtype), new Tanh(), new Linear(hidden, output, generator: g, dtype: dtype));
    }

    private static (Tensor X, Tensor Y) Batch(int rank, int step, int rows = 5, int input = 4, int output = 3, DType dtype = DType.Float32)
    {
        var g = new Generator(1000UL + (ulong)(rank * 7919 + step));
        return (Tensor.Randn([rows, input], g, dtype), Tensor.Randn([rows, output], g, dtype));
    }

    private static Tensor Loss(Module m, (Tensor X, Tensor Y) batch) => Losses.MseLoss(m.Call(batch.X), batch.Y);

    private static float[][] Grads(Module m) => m.Parameters().Select(p => p.Grad!.ToArray<float>()).ToArray();

    private static float[][] Values(Module m) => m.Parameters().Select(p => p.ToArray<float>()).ToArray();

    // ---- The wrapper --------------------------------------------------------------------------------------------

    [Test]
    public void ItIsAModuleWhoseParametersAreTheWrappedModulesUnderModuleDot()
    {
        var mlp = Mlp(1);
        using var ddp = new DistributedDataParallel(mlp, ProcessGroup.Single);
        Assert.That(ddp.Module, Is.SameAs(mlp));
        Assert.That(ddp.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "module.0.weight", "module.0.bias", "module.2.weight", "module.2.bias" }));
        Assert.That(ddp.Parameters(), Is.EqualTo(mlp.Parameters()).AsCollection);
        Assert.That(ddp.StateDict().Keys, Is.EquivalentTo(mlp.StateDict().Keys.Select(k => "module." + k)));
        var x = Batch(0, 0).X;
        Assert.That(ddp.Call(x).ToArray<float>(), Is.EqualTo(mlp.Call(x).ToArray<float>()));
        Assert.That(ddp.Forward(x).ToArray<float>(), Is.EqualTo(mlp.Forward(x).ToArray<float>()));
        Assert.That((ddp.ProcessGroup, ddp.BucketCapMB, ddp.FindUnusedParameters), Is.EqualTo((ProcessGroup.Single, 25.0, false)));
    }

    [Test]
    public void WithTheWorldOfOneProcessGradientsAreUnchangedBitwise()
    {
        var plain = Mlp(2);
        var wrapped = Mlp(2);
        using var ddp = new DistributedDataParallel(wrapped, ProcessGroup.Single);
        for (int step = 0; step < 3; step++)
        {
            var batch = Batch(0, step);
            Loss(plain, batch).Backward();
            Loss(ddp, batch).Backward();
            Assert.That(Grads(wrapped), Is.EqualTo(Grads(plain)), $"step {step}");
        }
    }

    [Test]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentNullException>(() => _ = new DistributedDataParallel(null!, ProcessGroup.Single));
        Assert.Throws<ArgumentNullException>(() => _ = new DistributedDataParallel(Mlp(1), null!));
        foreach (double cap in new[] { 0, -1, double.NaN, double.PositiveInfinity })
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new DistributedDataParallel(Mlp(1), ProcessGroup.Single, bucketCapMB: cap));
            Assert.That(ex!.Message, Does.StartWith("DistributedDataParallel: bucketCapMB must be positive"));
        }
        var ddp = new DistributedDataParallel(Mlp(1), ProcessGroup.Single);
        ddp.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ddp.Call(Batch(0, 0).X));
    }

    // ---- Buckets ------------------------------------------------------------------------------------------------

    private sealed class Shapes : Module
    {
        public Shapes(IReadOnlyList<(int[] Shape, DType DType)> parameters)
        {
            for (int i = 0; i < parameters.Count; i++) RegisterParameter($"p{i}", Tensor.Zeros(parameters[i].Shape, parameters[i].DType).RequireGrad());
        }
    }

    [Test]
    public void BucketsAreAssignedAsPyTorch113Does()
    {
        var cases = Fixture.Json("Distributed", "distributed.json").GetProperty("buckets");
        int checkedCases = 0;
        foreach (var c in cases.EnumerateArray())
        {
            var shapes = c.GetProperty("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(d => d.GetInt32()).ToArray()).ToArray();
            var dtypes = c.GetProperty("dtypes").EnumerateArray().Select(d => d.GetString() == "float64" ? DType.Float64 : DType.Float32).ToArray();
            var expected = c.GetProperty("buckets").EnumerateArray().Select(b => b.EnumerateArray().Select(i => $"p{i.GetInt32()}").ToArray()).ToArray();
            using var ddp = new DistributedDataParallel(new Shapes(shapes.Zip(dtypes).ToList()), ProcessGroup.Single, bucketCapMB: c.GetProperty("bucketCapMB").GetDouble());
            Assert.That(ddp.Buckets, Is.EqualTo(expected), $"bucketCapMB {c.GetProperty("bucketCapMB").GetDouble()}");
            checkedCases++;
        }
        Assert.That(checkedCases, Is.EqualTo(6));
    }

    [Test]
    public void ParametersThatDoNotRequireGradAreInNoBucket()
    {
        var mlp = Mlp(1);
        mlp[0].RequireGrad(false);
        using var ddp = new DistributedDataParallel(mlp, ProcessGroup.Single);
        Assert.That(ddp.Buckets, Is.EqualTo(new[] { new[] { "2.weight", "2.bias" } }));
    }

    // ---- Averaging over ranks -----------------------------------------------------------------------------------

    [TestCase(2)]
    [TestCase(3)]
    public void ConstructionGivesEveryRankRank0sParametersAndBuffers(int size)
    {
        var results = ThreadedWorld.Run(size, group =>
        {
            // Every rank starts from its own random weights and its own running statistics.
            var model = new Sequential(new Linear(4, 3, generator: new Generator(10UL + (ulong)group.Rank)), new BatchNorm1d(3));
            using (Autodiff.NoGrad()) model.NamedBuffers().First(b => b.Name == "1.running_mean").Buffer.Fill(group.Rank);
            var before = Values(model);
            using var ddp = new DistributedDataParallel(model, group);
            return (Before: before, After: Values(model), Buffers: model.NamedBuffers().Select(b => b.Buffer.ToArray<double>()).ToArray());
        });
        for (int r = 0; r < size; r++)
        {
            Assert.That(results[r].After, Is.EqualTo(results[0].Before), $"rank {r}'s parameters");
            Assert.That(results[r].Buffers, Is.EqualTo(results[0].Buffers), $"rank {r}'s buffers");
        }
        Assert.That(results[0].Buffers[0], Is.EqualTo(new double[] { 0, 0, 0 }));
        Assert.That(results[1].Before, Is.Not.EqualTo(results[0].Before));
    }

    /// <summary>The mean a single process computes from every rank's gradient: the sum in rank order, then divided, in float32.</summary>
    private static float[][] RankOrderMean(float[][][] perRank)
    {
        int n = perRank.Length;
        return perRank[0].Select((_, k) => perRank[0][k].Select((_, j) =>
        {
            float sum = perRank[0][k][j];
            for (int r = 1; r < n; r++) sum += perRank[r][k][j];
            return sum / n;
        }).ToArray()).ToArray();
    }

    [TestCase(2, 25.0)]
    [TestCase(3, 25.0)]
    [TestCase(2, 0.001)]
    [TestCase(3, 0.001)]
    public void AfterBackwardEveryRankHoldsTheRankOrderMeanOfTheRanksGradientsBitwise(int size, double cap)
    {
        // A 512 × 512 weight fills the first bucket (1 MB) alone; the rest make one bucket at the default cap, three at a small one.
        var results = ThreadedWorld.Run(size, group =>
        {
            var model = Mlp(5, input: 512, hidden: 512, output: 8);
            var local = Mlp(5, input: 512, hidden: 512, output: 8);
            using var ddp = new DistributedDataParallel(model, group, bucketCapMB: cap);
            var batch = Batch(group.Rank, 0, input: 512, output: 8);
            Loss(local, batch).Backward();
            Loss(ddp, batch).Backward();
            return (Local: Grads(local), Averaged: Grads(model), Buckets: ddp.Buckets.Count, group.AllReduces);
        });
        var mean = RankOrderMean(results.Select(r => r.Local).ToArray());
        for (int r = 0; r < size; r++)
        {
            Assert.That(results[r].Averaged, Is.EqualTo(mean), $"rank {r}");
            Assert.That(results[r].AllReduces, Is.EqualTo(results[r].Buckets), "one all-reduce per bucket");
        }
        Assert.That(results[0].Buckets, Is.EqualTo(cap == 25.0 ? 2 : 4));
        Assert.That(results[0].Local, Is.Not.EqualTo(results[1].Local), "the ranks' own gradients differ");
    }

    [Test]
    public void Float64ParametersAreAveragedInFloat64()
    {
        var results = ThreadedWorld.Run(3, group =>
        {
            var model = Mlp(6, dtype: DType.Float64);
            var local = Mlp(6, dtype: DType.Float64);
            using var ddp = new DistributedDataParallel(model, group);
            var batch = Batch(group.Rank, 0, dtype: DType.Float64);
            Loss(local, batch).Backward();
            Loss(ddp, batch).Backward();
            return (Local: local.Parameters().Select(p => p.Grad!.ToArray<double>()).ToArray(), Averaged: model.Parameters().Select(p => p.Grad!.ToArray<double>()).ToArray());
        });
        var expected = results[0].Local.Select((_, k) => results[0].Local[k].Select((_, j) => (results[0].Local[k][j] + results[1].Local[k][j] + results[2].Local[k][j]) / 3).ToArray()).ToArray();
        foreach (var r in results) Assert.That(r.Averaged, Is.EqualTo(expected));
    }

    [Test]
    public void EachBucketsAllReduceStartsDuringBackwardAsSoonAsTheBucketIsComplete()
    {
        ThreadedWorld.Run(2, group =>
        {
            var model = Mlp(7, input: 512, hidden: 512, output: 8);
            using var ddp = new DistributedDataParallel(model, group, bucketCapMB: 0.001);
            // Buckets (last first): [2.bias], [2.weight], [0.bias], [0.weight] (1 MB, the first bucket filled).
            Assert.That(ddp.Buckets, Is.EqualTo(new[] { new[] { "2.bias" }, new[] { "2.weight" }, new[] { "0.bias" }, new[] { "0.weight" } }));
            // The gradient reaching the hidden layer's output marks the point between the two layers' backward rules.
            using var hook = model[1].RegisterForwardHook((_, _, output) =>
            {
                output.RegisterHook(_ =>
                {
                    group.Note("backward reached the hidden layer");
                    return null;
                });
                return null;
            });
            group.AsyncDelay = TimeSpan.FromMilliseconds(20);
            Loss(ddp, Batch(group.Rank, 0, input: 512, output: 8)).Backward();
            group.Note("backward returned");
            return 0;
        }, out var world);
        foreach (int r in new[] { 0, 1 })
        {
            var log = world.Log.Where(e => e.StartsWith($"rank {r}: ", StringComparison.Ordinal)).Select(e => e[8..]).ToArray();
            Assert.That(log, Is.EqualTo(new[]
            {
                "all-reduce 1 of 8 started",
                "all-reduce 2 of 4096 started",
                "backward reached the hidden layer",
                "all-reduce 3 of 512 started",
                "all-reduce 4 of 262144 started",
                "backward returned",
            }), $"rank {r}");
        }
    }

    [Test]
    public void BackwardReturnsOnlyOnceEveryAllReduceHasFinishedAndItsMeanIsWrittenBack()
    {
        var results = ThreadedWorld.Run(2, group =>
        {
            var model = Mlp(8);
            using var ddp = new DistributedDataParallel(model, group);
            // A slow network: the backward pass must still wait for the reduction.
            group.AsyncDelay = TimeSpan.FromMilliseconds(200);
            Loss(ddp, Batch(group.Rank, 0)).Backward();
            return Grads(model);
        });
        Assert.That(results[1], Is.EqualTo(results[0]));
    }

    [Test]
    public void TrainingStepsKeepEveryRanksParametersBitwiseEqualAndRepeatTheSameBits()
    {
        float[][][] Train() => ThreadedWorld.Run(3, group =>
        {
            var model = Mlp(9UL + (ulong)group.Rank);
            using var ddp = new DistributedDataParallel(model, group, bucketCapMB: 0.0001);
            var opt = new SGD(ddp.Parameters(), lr: 0.1, momentum: 0.9);
            for (int step = 0; step < 10; step++)
            {
                opt.ZeroGrad();
                Loss(ddp, Batch(group.Rank, step)).Backward();
                opt.Step();
            }
            return Values(model);
        });

        var first = Train();
        Assert.That(first[1], Is.EqualTo(first[0]));
        Assert.That(first[2], Is.EqualTo(first[0]));
        Assert.That(Train(), Is.EqualTo(first), "the same bits when run again");
    }

    // The reducer reads and writes the gradients without handing them out, so ZeroGrad() (set to none) lets the next
    // pass reuse their storage (Tensor.ZeroGrad), with the bits of zeroing them in place.
    [Test]
    public void ZeroGradToNone_ReusesTheGradientStorage_AndGivesTheBitsOfZeroingInPlace()
    {
        (float[][] Values, bool Reused)[] Train(bool setToNone) => ThreadedWorld.Run(2, group =>
        {
            var model = Mlp(13);
            using var ddp = new DistributedDataParallel(model, group, bucketCapMB: 0.0001);
            var opt = new SGD(ddp.Parameters(), lr: 0.1, momentum: 0.9);
            var w = model.Parameters().First();
            Array? storage = null;
            bool reused = true;
            for (int step = 0; step < 6; step++)
            {
                Loss(ddp, Batch(group.Rank, step)).Backward();
                if (step > 0) reused &= ReferenceEquals(w.StoredGrad!.RawData, storage);
                storage = w.StoredGrad!.RawData;
                opt.Step();
                opt.ZeroGrad(setToNone);
            }
            return (Values(model), reused);
        });

        var dropped = Train(setToNone: true);
        var zeroed = Train(setToNone: false);
        for (int r = 0; r < 2; r++)
        {
            Assert.That(dropped[r].Reused, Is.True, $"rank {r} reused its first gradient's storage every step");
            Assert.That(dropped[r].Values, Is.EqualTo(zeroed[r].Values), $"rank {r}");
        }
    }

    // ---- NoSync ---------------------------------------------------------------------------------------------------

    [Test]
    public void InsideNoSyncGradientsAccumulateLocallyAndTheNextSynchronizedBackwardAveragesTheTotal()
    {
        var results = ThreadedWorld.Run(2, group =>
        {
            var model = Mlp(11);
            var local = Mlp(11);
            using var ddp = new DistributedDataParallel(model, group);
            using (ddp.NoSync())
            {
                for (int step = 0; step < 2; step++)
                {
                    Loss(ddp, Batch(group.Rank, step)).Backward();
                    Loss(local, Batch(group.Rank, step)).Backward();
                }
            }
            var inside = (Grads(model), group.AllReduces);
            Loss(ddp, Batch(group.Rank, 2)).Backward();
            Loss(local, Batch(group.Rank, 2)).Backward();
            return (Inside: inside, Local: Grads(local), Averaged: Grads(model), AllReduces: group.AllReduces);
        });
        var mean = RankOrderMean(results.Select(r => r.Local).ToArray());
        for (int r = 0; r < 2; r++)
        {
            Assert.That(results[r].Inside.AllReduces, Is.EqualTo(0), "no communication inside NoSync");
            Assert.That(results[r].AllReduces, Is.EqualTo(1));
            Assert.That(results[r].Averaged, Is.EqualTo(mean), "the accumulated gradients of three backward passes, averaged");
        }
        Assert.That(results[0].Inside.Item1, Is.Not.EqualTo(results[1].Inside.Item1), "inside NoSync each rank keeps its own gradients");
    }

    [Test]
    public void NoSyncIsDecidedByTheForwardPassAndScopesNest()
    {
        var results = ThreadedWorld.Run(2, group =>
        {
            var model = Mlp(12);
            using var ddp = new DistributedDataParallel(model, group);
            Tensor loss;
            using (ddp.NoSync())
            {
                using (ddp.NoSync()) { }
                // Still inside the outer scope: this forward does not synchronize, even though backward runs outside.
                loss = Loss(ddp, Batch(group.Rank, 0));
            }
            loss.Backward();
            int afterNoSync = group.AllReduces;
            // Forward outside, backward inside: synchronizes.
            loss = Loss(ddp, Batch(group.Rank, 1));
            using (ddp.NoSync()) loss.Backward();
            return (afterNoSync, group.AllReduces);
        });
        Assert.That(results, Is.All.EqualTo((0, 1)));
    }

    [Test]
    public void ASecondBackwardWithoutAForwardAccumulatesLocallyAsPyTorch()
    {
        var results = ThreadedWorld.Run(2, group =>
        {
            using var ddp = new DistributedDataParallel(Mlp(13), group);
            var loss = Loss(ddp, Batch(group.Rank, 0));
            loss.Backward(retainGraph: true);
            loss.Backward();
            return group.AllReduces;
        });
        Assert.That(results, Is.All.EqualTo(1));
    }

    [Test]
    public void AForwardInNoGradModeDoesNotSynchronize()
    {
        var results = ThreadedWorld.Run(2, group =>
        {
            using var ddp = new DistributedDataParallel(Mlp(14), group);
            using (Autodiff.NoGrad()) ddp.Call(Batch(group.Rank, 0).X);
            return group.AllReduces;
        });
        Assert.That(results, Is.All.EqualTo(0));
    }

    // ---- Unused parameters -----------------------------------------------------------------------------------------

    /// <summary>Two heads; <c>Use</c> says which ranks run the second.</summary>
    private sealed class TwoHeads : Module
    {
        private readonly Func<bool> _useB;

        public TwoHeads(ulong seed, Func<bool> useB)
        {
            var g = new Generator(seed);
            A = RegisterModule("a", new Linear(4, 3, generator: g));
            B = RegisterModule("b", new Linear(4, 3, generator: g));
            _useB = useB;
        }

        public Linear A { get; }

        public Linear B { get; }

        public override Tensor Forward(Tensor input) => _useB() ? A.Call(input) + B.Call(input) : A.Call(input);
    }

    [Test]
    public void WithoutFindUnusedParametersAParameterWithoutGradientFailsTheBackwardOnEveryRankAndNothingHangs()
    {
        var ex = Assert.Throws<AggregateException>(() => ThreadedWorld.Run(2, group =>
        {
            using var ddp = new DistributedDataParallel(new TwoHeads(1, () => false), group);
            Loss(ddp, Batch(group.Rank, 0)).Backward();
            return 0;
        }));
        Assert.That(ex!.InnerExceptions, Has.Count.EqualTo(2));
        Assert.That(ex.InnerExceptions.Select(e => e.GetType()), Is.All.EqualTo(typeof(InvalidOperationException)));
        Assert.That(ex.InnerExceptions.Select(e => e.Message).Order(), Is.EqualTo(new[]
        {
            "DistributedDataParallel: rank 0's parameters 'b.weight', 'b.bias' got no gradient in this backward pass (not used to compute the loss); " +
            "pass findUnusedParameters: true to count a missing gradient as zero, as PyTorch's find_unused_parameters.",
            "DistributedDataParallel: rank 1's parameters 'b.weight', 'b.bias' got no gradient in this backward pass (not used to compute the loss); " +
            "pass findUnusedParameters: true to count a missing gradient as zero, as PyTorch's find_unused_parameters.",
        }));
    }

    [Test]
    public void WithoutFindUnusedParametersTheWorldOfOneProcessFailsAlike()
    {
        using var ddp = new DistributedDataParallel(new TwoHeads(1, () => false), ProcessGroup.Single);
        var ex = Assert.Throws<InvalidOperationException>(() => Loss(ddp, Batch(0, 0)).Backward());
        Assert.That(ex!.Message, Does.StartWith("DistributedDataParallel: rank 0's parameters 'b.weight', 'b.bias' got no gradient"));
        // The next step runs normally once the module uses every parameter.
        using var full = new DistributedDataParallel(new TwoHeads(1, () => true), ProcessGroup.Single);
        Assert.DoesNotThrow(() => Loss(full, Batch(0, 0)).Backward());
    }

    [Test]
    public void WithFindUnusedParametersAParameterNoRankUsedKeepsNoGradientAndTheOthersAreAveraged()
    {
        var results = ThreadedWorld.Run(2, group =>
        {
            var model = new TwoHeads(2, () => false);
            var local = new TwoHeads(2, () => false);
            using var ddp = new DistributedDataParallel(model, group, findUnusedParameters: true);
            Loss(ddp, Batch(group.Rank, 0)).Backward();
            Loss(local, Batch(group.Rank, 0)).Backward();
            return (Local: new[] { local.A.Weight.Grad!.ToArray<float>() }, Averaged: new[] { model.A.Weight.Grad!.ToArray<float>() }, BGrad: model.B.Weight.Grad);
        });
        var mean = RankOrderMean(results.Select(r => r.Local).ToArray());
        foreach (var r in results)
        {
            Assert.That(r.Averaged, Is.EqualTo(mean));
            Assert.That(r.BGrad, Is.Null);
        }
    }

    [Test]
    public void WithFindUnusedParametersAParameterOneRankDidNotUseCountsAsZeroThere()
    {
        var results = ThreadedWorld.Run(2, group =>
        {
            // Rank 1 runs head b, rank 0 does not.
            var model = new TwoHeads(3, () => group.Rank == 1);
            var local = new TwoHeads(3, () => group.Rank == 1);
            using var ddp = new DistributedDataParallel(model, group, findUnusedParameters: true);
            Loss(ddp, Batch(group.Rank, 0)).Backward();
            Loss(local, Batch(group.Rank, 0)).Backward();
            return (LocalB: local.B.Weight.Grad?.ToArray<float>(), B: model.B.Weight.Grad!.ToArray<float>());
        });
        Assert.That(results[0].LocalB, Is.Null);
        var expected = results[1].LocalB!.Select(v => (0f + v) / 2).ToArray();
        Assert.That(results[0].B, Is.EqualTo(expected));
        Assert.That(results[1].B, Is.EqualTo(expected));
    }

    // ---- The replica check -----------------------------------------------------------------------------------------

    private static string[] ConstructionErrors(int size, Func<int, Module> model, Func<int, double>? cap = null, Func<int, bool>? findUnused = null)
    {
        var ex = Assert.Throws<AggregateException>(() => ThreadedWorld.Run(size, group =>
        {
            using var ddp = new DistributedDataParallel(model(group.Rank), group, bucketCapMB: cap?.Invoke(group.Rank) ?? 25,
                findUnusedParameters: findUnused?.Invoke(group.Rank) ?? false);
            return 0;
        }));
        Assert.That(ex!.InnerExceptions, Has.Count.EqualTo(size), "every rank fails");
        Assert.That(ex.InnerExceptions.Select(e => e.GetType()), Is.All.EqualTo(typeof(InvalidOperationException)));
        return ex.InnerExceptions.Select(e => e.Message).ToArray();
    }

    [Test]
    public void ARankWhoseParameterHasAnotherShapeFailsEveryRankNamingTheParameter()
    {
        var messages = ConstructionErrors(3, r => r == 2 ? Mlp(1, input: 5) : Mlp(1));
        Assert.That(messages, Is.All.EqualTo("DistributedDataParallel: rank 2's parameter '0.weight' has shape [8, 5] where rank 0's has [8, 4]."));
    }

    [Test]
    public void ARankWhoseParameterHasAnotherDTypeOrNameOrCountFailsNamingIt()
    {
        Assert.That(ConstructionErrors(2, r => Mlp(1, dtype: r == 1 ? DType.Float64 : DType.Float32)),
            Is.All.EqualTo("DistributedDataParallel: rank 1's parameter '0.weight' is float64 where rank 0's is float32."));
        Assert.That(ConstructionErrors(2, r => r == 1 ? new TwoHeads(1, () => true) : Mlp(1)),
            Is.All.EqualTo("DistributedDataParallel: rank 1's parameter 0 is 'a.weight' where rank 0's is '0.weight'."));
        Assert.That(ConstructionErrors(2, r => r == 1 ? new Sequential(new Linear(4, 8, generator: new Generator(1)), new Tanh()) : Mlp(1)),
            Is.All.EqualTo("DistributedDataParallel: rank 1 has 2 parameters where rank 0 has 4; rank 0's '2.weight' has no counterpart."));
        Assert.That(ConstructionErrors(2, r =>
            {
                var m = Mlp(1);
                if (r == 1) m[2].RequireGrad(false);
                return m;
            }),
            Is.All.EqualTo("DistributedDataParallel: rank 1's parameter '2.weight' does not require grad where rank 0's does."));
    }

    [Test]
    public void ARankWithOtherBuffersOrSettingsFailsNamingThem()
    {
        Assert.That(ConstructionErrors(2, r => new Sequential(new Linear(4, 3, generator: new Generator(1)), new BatchNorm1d(r == 0 ? 3 : 3, trackRunningStats: r == 0))),
            Has.All.StartWith("DistributedDataParallel: rank 1 has 0 buffers where rank 0 has 3; rank 0's '1.running_mean' has no counterpart."));
        Assert.That(ConstructionErrors(2, _ => Mlp(1), cap: r => r == 0 ? 25 : 1),
            Is.All.EqualTo("DistributedDataParallel: rank 1's bucketCapMB is 1 where rank 0's is 25; every rank must wrap its replica with the same settings."));
        Assert.That(ConstructionErrors(2, _ => Mlp(1), findUnused: r => r == 1),
            Is.All.EqualTo("DistributedDataParallel: rank 1's findUnusedParameters is True where rank 0's is False; every rank must wrap its replica with the same settings."));
    }

    [Test]
    public void BuffersAreBroadcastFromRank0BeforeEachForwardInGradMode()
    {
        static Sequential Model() => new(new Linear(4, 3, generator: new Generator(1)), new BatchNorm1d(3));
        static float[] Mean(Module m) => m.NamedBuffers().First(b => b.Name == "1.running_mean").Buffer.ToArray<float>();

        var results = ThreadedWorld.Run(2, group =>
        {
            var model = Model();
            using var ddp = new DistributedDataParallel(model, group);
            // Each rank's forward updates its running statistics from its own batch; the next forward starts from rank 0's.
            Loss(ddp, Batch(group.Rank, 0)).Backward();
            var afterFirst = Mean(model);
            Loss(ddp, Batch(group.Rank, 1)).Backward();
            var local = Model();
            Loss(local, Batch(0, 0));
            Loss(local, Batch(group.Rank, 1));
            return (AfterFirst: afterFirst, After: Mean(model), Expected: Mean(local),
                Batches: model.NamedBuffers().First(b => b.Name == "1.num_batches_tracked").Buffer.Item());
        });
        Assert.That(results[0].AfterFirst, Is.Not.EqualTo(results[1].AfterFirst), "the ranks' batches differ");
        foreach (var r in results)
        {
            Assert.That(r.After, Is.EqualTo(r.Expected));
            Assert.That(r.Batches, Is.EqualTo(2));
        }
    }
}
