using System.Diagnostics;
using Autograd.Kernels;

namespace Autograd.Bench;

internal static unsafe class ProbePack
{
    public static void Run()
    {
        const int ld = 1024, kb = 256, nc = 512, mc = 144;
        var src = GC.AllocateArray<float>(ld * ld, pinned: true);
        for (int i = 0; i < src.Length; i++) src[i] = i;
        var dst = GC.AllocateArray<float>(kb * 2048 + 64, pinned: true);
        float* s = (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref src[0]), d = (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref dst[0]);
        {
            Console.WriteLine($"{(nint)s:X} {(nint)d:X}");
            GemmPack.B<float, Avx512Kernel<float>>(s, ld, 1, kb, nc, d);
            Time("PackB rowmajor kb=256 nc=512", kb * nc, () => GemmPack.B<float, Avx512Kernel<float>>(s, ld, 1, kb, nc, d));
            Time("PackB transposed kb=256 nc=512", kb * nc, () => GemmPack.B<float, Avx512Kernel<float>>(s, 1, ld, kb, nc, d));
            Time("PackB transposed ld=784 kb=196 nc=256", 196 * 256, () => GemmPack.B<float, Avx512Kernel<float>>(s, 1, 784, 196, 256, d));
            Time("PackB rowmajor kb=256 nc=10", kb * 10, () => GemmPack.B<float, Avx512Kernel<float>>(s, 10, 1, kb, 10, d));
            Time("PackARows kb=256 mc=144", kb * mc, () => GemmPack.ARows<float, Avx512Kernel<float>>(s, ld, kb, mc, d));
            Time("PackAColumns kb=256 mc=144", kb * mc, () => GemmPack.AColumns<float, Avx512Kernel<float>>(s, 1, ld, kb, mc, d));
            GC.KeepAlive(src);
            GC.KeepAlive(dst);
        }
    }

    private static void Time(string name, int elements, Action f)
    {
        for (int i = 0; i < 200; i++) f();
        var best = double.MaxValue;
        for (int r = 0; r < 20; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 50; i++) f();
            best = Math.Min(best, sw.Elapsed.TotalSeconds / 50);
        }
        Console.WriteLine($"{name,-40} {best * 1e6,8:F2} us  {best * 1e9 / elements,6:F3} ns/element");
    }
}
