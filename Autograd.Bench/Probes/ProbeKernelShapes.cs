using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Autograd.Bench;

// The AVX-512 float tile shapes probe-kernel holds the production kernel (6×64) against: the 12×32 tile it replaced
// (row-major A panels, 256 apart, as GemmPack.ARows packs them), and the runners-up with k-major A panels. Each is one
// MR×(NV·16) tile, C += acc; written out because the accumulators must be locals to live in registers.
internal static unsafe class ProbeKernelShapes
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void K12x2Rows(int kc, float* a, float* b, float* c, nint ldc)
    {
        Vector512<float> c0_0 = default, c0_1 = default;
        Vector512<float> c1_0 = default, c1_1 = default;
        Vector512<float> c2_0 = default, c2_1 = default;
        Vector512<float> c3_0 = default, c3_1 = default;
        Vector512<float> c4_0 = default, c4_1 = default;
        Vector512<float> c5_0 = default, c5_1 = default;
        Vector512<float> c6_0 = default, c6_1 = default;
        Vector512<float> c7_0 = default, c7_1 = default;
        Vector512<float> c8_0 = default, c8_1 = default;
        Vector512<float> c9_0 = default, c9_1 = default;
        Vector512<float> c10_0 = default, c10_1 = default;
        Vector512<float> c11_0 = default, c11_1 = default;
        for (int k = 0; k < kc; k += 1)
        {
            {
                var b0 = Vector512.Load(b + 0); var b1 = Vector512.Load(b + 16);
                Vector512<float> x;
                x = Vector512.Create(a[0]); c0_0 = Vector512.FusedMultiplyAdd(x, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(x, b1, c0_1);
                x = Vector512.Create(a[256]); c1_0 = Vector512.FusedMultiplyAdd(x, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(x, b1, c1_1);
                x = Vector512.Create(a[512]); c2_0 = Vector512.FusedMultiplyAdd(x, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(x, b1, c2_1);
                x = Vector512.Create(a[768]); c3_0 = Vector512.FusedMultiplyAdd(x, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(x, b1, c3_1);
                x = Vector512.Create(a[1024]); c4_0 = Vector512.FusedMultiplyAdd(x, b0, c4_0); c4_1 = Vector512.FusedMultiplyAdd(x, b1, c4_1);
                x = Vector512.Create(a[1280]); c5_0 = Vector512.FusedMultiplyAdd(x, b0, c5_0); c5_1 = Vector512.FusedMultiplyAdd(x, b1, c5_1);
                x = Vector512.Create(a[1536]); c6_0 = Vector512.FusedMultiplyAdd(x, b0, c6_0); c6_1 = Vector512.FusedMultiplyAdd(x, b1, c6_1);
                x = Vector512.Create(a[1792]); c7_0 = Vector512.FusedMultiplyAdd(x, b0, c7_0); c7_1 = Vector512.FusedMultiplyAdd(x, b1, c7_1);
                x = Vector512.Create(a[2048]); c8_0 = Vector512.FusedMultiplyAdd(x, b0, c8_0); c8_1 = Vector512.FusedMultiplyAdd(x, b1, c8_1);
                x = Vector512.Create(a[2304]); c9_0 = Vector512.FusedMultiplyAdd(x, b0, c9_0); c9_1 = Vector512.FusedMultiplyAdd(x, b1, c9_1);
                x = Vector512.Create(a[2560]); c10_0 = Vector512.FusedMultiplyAdd(x, b0, c10_0); c10_1 = Vector512.FusedMultiplyAdd(x, b1, c10_1);
                x = Vector512.Create(a[2816]); c11_0 = Vector512.FusedMultiplyAdd(x, b0, c11_0); c11_1 = Vector512.FusedMultiplyAdd(x, b1, c11_1);
            }
            a += 1;
            b += 32;
        }
        (Vector512.Load(c + 0 * ldc + 0) + c0_0).Store(c + 0 * ldc + 0); (Vector512.Load(c + 0 * ldc + 16) + c0_1).Store(c + 0 * ldc + 16);
        (Vector512.Load(c + 1 * ldc + 0) + c1_0).Store(c + 1 * ldc + 0); (Vector512.Load(c + 1 * ldc + 16) + c1_1).Store(c + 1 * ldc + 16);
        (Vector512.Load(c + 2 * ldc + 0) + c2_0).Store(c + 2 * ldc + 0); (Vector512.Load(c + 2 * ldc + 16) + c2_1).Store(c + 2 * ldc + 16);
        (Vector512.Load(c + 3 * ldc + 0) + c3_0).Store(c + 3 * ldc + 0); (Vector512.Load(c + 3 * ldc + 16) + c3_1).Store(c + 3 * ldc + 16);
        (Vector512.Load(c + 4 * ldc + 0) + c4_0).Store(c + 4 * ldc + 0); (Vector512.Load(c + 4 * ldc + 16) + c4_1).Store(c + 4 * ldc + 16);
        (Vector512.Load(c + 5 * ldc + 0) + c5_0).Store(c + 5 * ldc + 0); (Vector512.Load(c + 5 * ldc + 16) + c5_1).Store(c + 5 * ldc + 16);
        (Vector512.Load(c + 6 * ldc + 0) + c6_0).Store(c + 6 * ldc + 0); (Vector512.Load(c + 6 * ldc + 16) + c6_1).Store(c + 6 * ldc + 16);
        (Vector512.Load(c + 7 * ldc + 0) + c7_0).Store(c + 7 * ldc + 0); (Vector512.Load(c + 7 * ldc + 16) + c7_1).Store(c + 7 * ldc + 16);
        (Vector512.Load(c + 8 * ldc + 0) + c8_0).Store(c + 8 * ldc + 0); (Vector512.Load(c + 8 * ldc + 16) + c8_1).Store(c + 8 * ldc + 16);
        (Vector512.Load(c + 9 * ldc + 0) + c9_0).Store(c + 9 * ldc + 0); (Vector512.Load(c + 9 * ldc + 16) + c9_1).Store(c + 9 * ldc + 16);
        (Vector512.Load(c + 10 * ldc + 0) + c10_0).Store(c + 10 * ldc + 0); (Vector512.Load(c + 10 * ldc + 16) + c10_1).Store(c + 10 * ldc + 16);
        (Vector512.Load(c + 11 * ldc + 0) + c11_0).Store(c + 11 * ldc + 0); (Vector512.Load(c + 11 * ldc + 16) + c11_1).Store(c + 11 * ldc + 16);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void K12x2(int kc, float* a, float* b, float* c, nint ldc)
    {
        Vector512<float> c0_0 = default, c0_1 = default;
        Vector512<float> c1_0 = default, c1_1 = default;
        Vector512<float> c2_0 = default, c2_1 = default;
        Vector512<float> c3_0 = default, c3_1 = default;
        Vector512<float> c4_0 = default, c4_1 = default;
        Vector512<float> c5_0 = default, c5_1 = default;
        Vector512<float> c6_0 = default, c6_1 = default;
        Vector512<float> c7_0 = default, c7_1 = default;
        Vector512<float> c8_0 = default, c8_1 = default;
        Vector512<float> c9_0 = default, c9_1 = default;
        Vector512<float> c10_0 = default, c10_1 = default;
        Vector512<float> c11_0 = default, c11_1 = default;
        for (int k = 0; k < kc; k += 1)
        {
            {
                var b0 = Vector512.Load(b + 0); var b1 = Vector512.Load(b + 16);
                Vector512<float> x;
                x = Vector512.Create(a[0]); c0_0 = Vector512.FusedMultiplyAdd(x, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(x, b1, c0_1);
                x = Vector512.Create(a[1]); c1_0 = Vector512.FusedMultiplyAdd(x, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(x, b1, c1_1);
                x = Vector512.Create(a[2]); c2_0 = Vector512.FusedMultiplyAdd(x, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(x, b1, c2_1);
                x = Vector512.Create(a[3]); c3_0 = Vector512.FusedMultiplyAdd(x, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(x, b1, c3_1);
                x = Vector512.Create(a[4]); c4_0 = Vector512.FusedMultiplyAdd(x, b0, c4_0); c4_1 = Vector512.FusedMultiplyAdd(x, b1, c4_1);
                x = Vector512.Create(a[5]); c5_0 = Vector512.FusedMultiplyAdd(x, b0, c5_0); c5_1 = Vector512.FusedMultiplyAdd(x, b1, c5_1);
                x = Vector512.Create(a[6]); c6_0 = Vector512.FusedMultiplyAdd(x, b0, c6_0); c6_1 = Vector512.FusedMultiplyAdd(x, b1, c6_1);
                x = Vector512.Create(a[7]); c7_0 = Vector512.FusedMultiplyAdd(x, b0, c7_0); c7_1 = Vector512.FusedMultiplyAdd(x, b1, c7_1);
                x = Vector512.Create(a[8]); c8_0 = Vector512.FusedMultiplyAdd(x, b0, c8_0); c8_1 = Vector512.FusedMultiplyAdd(x, b1, c8_1);
                x = Vector512.Create(a[9]); c9_0 = Vector512.FusedMultiplyAdd(x, b0, c9_0); c9_1 = Vector512.FusedMultiplyAdd(x, b1, c9_1);
                x = Vector512.Create(a[10]); c10_0 = Vector512.FusedMultiplyAdd(x, b0, c10_0); c10_1 = Vector512.FusedMultiplyAdd(x, b1, c10_1);
                x = Vector512.Create(a[11]); c11_0 = Vector512.FusedMultiplyAdd(x, b0, c11_0); c11_1 = Vector512.FusedMultiplyAdd(x, b1, c11_1);
            }
            a += 12;
            b += 32;
        }
        (Vector512.Load(c + 0 * ldc + 0) + c0_0).Store(c + 0 * ldc + 0); (Vector512.Load(c + 0 * ldc + 16) + c0_1).Store(c + 0 * ldc + 16);
        (Vector512.Load(c + 1 * ldc + 0) + c1_0).Store(c + 1 * ldc + 0); (Vector512.Load(c + 1 * ldc + 16) + c1_1).Store(c + 1 * ldc + 16);
        (Vector512.Load(c + 2 * ldc + 0) + c2_0).Store(c + 2 * ldc + 0); (Vector512.Load(c + 2 * ldc + 16) + c2_1).Store(c + 2 * ldc + 16);
        (Vector512.Load(c + 3 * ldc + 0) + c3_0).Store(c + 3 * ldc + 0); (Vector512.Load(c + 3 * ldc + 16) + c3_1).Store(c + 3 * ldc + 16);
        (Vector512.Load(c + 4 * ldc + 0) + c4_0).Store(c + 4 * ldc + 0); (Vector512.Load(c + 4 * ldc + 16) + c4_1).Store(c + 4 * ldc + 16);
        (Vector512.Load(c + 5 * ldc + 0) + c5_0).Store(c + 5 * ldc + 0); (Vector512.Load(c + 5 * ldc + 16) + c5_1).Store(c + 5 * ldc + 16);
        (Vector512.Load(c + 6 * ldc + 0) + c6_0).Store(c + 6 * ldc + 0); (Vector512.Load(c + 6 * ldc + 16) + c6_1).Store(c + 6 * ldc + 16);
        (Vector512.Load(c + 7 * ldc + 0) + c7_0).Store(c + 7 * ldc + 0); (Vector512.Load(c + 7 * ldc + 16) + c7_1).Store(c + 7 * ldc + 16);
        (Vector512.Load(c + 8 * ldc + 0) + c8_0).Store(c + 8 * ldc + 0); (Vector512.Load(c + 8 * ldc + 16) + c8_1).Store(c + 8 * ldc + 16);
        (Vector512.Load(c + 9 * ldc + 0) + c9_0).Store(c + 9 * ldc + 0); (Vector512.Load(c + 9 * ldc + 16) + c9_1).Store(c + 9 * ldc + 16);
        (Vector512.Load(c + 10 * ldc + 0) + c10_0).Store(c + 10 * ldc + 0); (Vector512.Load(c + 10 * ldc + 16) + c10_1).Store(c + 10 * ldc + 16);
        (Vector512.Load(c + 11 * ldc + 0) + c11_0).Store(c + 11 * ldc + 0); (Vector512.Load(c + 11 * ldc + 16) + c11_1).Store(c + 11 * ldc + 16);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void K8x3(int kc, float* a, float* b, float* c, nint ldc)
    {
        Vector512<float> c0_0 = default, c0_1 = default, c0_2 = default;
        Vector512<float> c1_0 = default, c1_1 = default, c1_2 = default;
        Vector512<float> c2_0 = default, c2_1 = default, c2_2 = default;
        Vector512<float> c3_0 = default, c3_1 = default, c3_2 = default;
        Vector512<float> c4_0 = default, c4_1 = default, c4_2 = default;
        Vector512<float> c5_0 = default, c5_1 = default, c5_2 = default;
        Vector512<float> c6_0 = default, c6_1 = default, c6_2 = default;
        Vector512<float> c7_0 = default, c7_1 = default, c7_2 = default;
        for (int k = 0; k < kc; k += 1)
        {
            {
                var b0 = Vector512.Load(b + 0); var b1 = Vector512.Load(b + 16); var b2 = Vector512.Load(b + 32);
                Vector512<float> x;
                x = Vector512.Create(a[0]); c0_0 = Vector512.FusedMultiplyAdd(x, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(x, b1, c0_1); c0_2 = Vector512.FusedMultiplyAdd(x, b2, c0_2);
                x = Vector512.Create(a[1]); c1_0 = Vector512.FusedMultiplyAdd(x, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(x, b1, c1_1); c1_2 = Vector512.FusedMultiplyAdd(x, b2, c1_2);
                x = Vector512.Create(a[2]); c2_0 = Vector512.FusedMultiplyAdd(x, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(x, b1, c2_1); c2_2 = Vector512.FusedMultiplyAdd(x, b2, c2_2);
                x = Vector512.Create(a[3]); c3_0 = Vector512.FusedMultiplyAdd(x, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(x, b1, c3_1); c3_2 = Vector512.FusedMultiplyAdd(x, b2, c3_2);
                x = Vector512.Create(a[4]); c4_0 = Vector512.FusedMultiplyAdd(x, b0, c4_0); c4_1 = Vector512.FusedMultiplyAdd(x, b1, c4_1); c4_2 = Vector512.FusedMultiplyAdd(x, b2, c4_2);
                x = Vector512.Create(a[5]); c5_0 = Vector512.FusedMultiplyAdd(x, b0, c5_0); c5_1 = Vector512.FusedMultiplyAdd(x, b1, c5_1); c5_2 = Vector512.FusedMultiplyAdd(x, b2, c5_2);
                x = Vector512.Create(a[6]); c6_0 = Vector512.FusedMultiplyAdd(x, b0, c6_0); c6_1 = Vector512.FusedMultiplyAdd(x, b1, c6_1); c6_2 = Vector512.FusedMultiplyAdd(x, b2, c6_2);
                x = Vector512.Create(a[7]); c7_0 = Vector512.FusedMultiplyAdd(x, b0, c7_0); c7_1 = Vector512.FusedMultiplyAdd(x, b1, c7_1); c7_2 = Vector512.FusedMultiplyAdd(x, b2, c7_2);
            }
            a += 8;
            b += 48;
        }
        (Vector512.Load(c + 0 * ldc + 0) + c0_0).Store(c + 0 * ldc + 0); (Vector512.Load(c + 0 * ldc + 16) + c0_1).Store(c + 0 * ldc + 16); (Vector512.Load(c + 0 * ldc + 32) + c0_2).Store(c + 0 * ldc + 32);
        (Vector512.Load(c + 1 * ldc + 0) + c1_0).Store(c + 1 * ldc + 0); (Vector512.Load(c + 1 * ldc + 16) + c1_1).Store(c + 1 * ldc + 16); (Vector512.Load(c + 1 * ldc + 32) + c1_2).Store(c + 1 * ldc + 32);
        (Vector512.Load(c + 2 * ldc + 0) + c2_0).Store(c + 2 * ldc + 0); (Vector512.Load(c + 2 * ldc + 16) + c2_1).Store(c + 2 * ldc + 16); (Vector512.Load(c + 2 * ldc + 32) + c2_2).Store(c + 2 * ldc + 32);
        (Vector512.Load(c + 3 * ldc + 0) + c3_0).Store(c + 3 * ldc + 0); (Vector512.Load(c + 3 * ldc + 16) + c3_1).Store(c + 3 * ldc + 16); (Vector512.Load(c + 3 * ldc + 32) + c3_2).Store(c + 3 * ldc + 32);
        (Vector512.Load(c + 4 * ldc + 0) + c4_0).Store(c + 4 * ldc + 0); (Vector512.Load(c + 4 * ldc + 16) + c4_1).Store(c + 4 * ldc + 16); (Vector512.Load(c + 4 * ldc + 32) + c4_2).Store(c + 4 * ldc + 32);
        (Vector512.Load(c + 5 * ldc + 0) + c5_0).Store(c + 5 * ldc + 0); (Vector512.Load(c + 5 * ldc + 16) + c5_1).Store(c + 5 * ldc + 16); (Vector512.Load(c + 5 * ldc + 32) + c5_2).Store(c + 5 * ldc + 32);
        (Vector512.Load(c + 6 * ldc + 0) + c6_0).Store(c + 6 * ldc + 0); (Vector512.Load(c + 6 * ldc + 16) + c6_1).Store(c + 6 * ldc + 16); (Vector512.Load(c + 6 * ldc + 32) + c6_2).Store(c + 6 * ldc + 32);
        (Vector512.Load(c + 7 * ldc + 0) + c7_0).Store(c + 7 * ldc + 0); (Vector512.Load(c + 7 * ldc + 16) + c7_1).Store(c + 7 * ldc + 16); (Vector512.Load(c + 7 * ldc + 32) + c7_2).Store(c + 7 * ldc + 32);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void K5x5(int kc, float* a, float* b, float* c, nint ldc)
    {
        Vector512<float> c0_0 = default, c0_1 = default, c0_2 = default, c0_3 = default, c0_4 = default;
        Vector512<float> c1_0 = default, c1_1 = default, c1_2 = default, c1_3 = default, c1_4 = default;
        Vector512<float> c2_0 = default, c2_1 = default, c2_2 = default, c2_3 = default, c2_4 = default;
        Vector512<float> c3_0 = default, c3_1 = default, c3_2 = default, c3_3 = default, c3_4 = default;
        Vector512<float> c4_0 = default, c4_1 = default, c4_2 = default, c4_3 = default, c4_4 = default;
        for (int k = 0; k < kc; k += 1)
        {
            {
                var b0 = Vector512.Load(b + 0); var b1 = Vector512.Load(b + 16); var b2 = Vector512.Load(b + 32); var b3 = Vector512.Load(b + 48); var b4 = Vector512.Load(b + 64);
                Vector512<float> x;
                x = Vector512.Create(a[0]); c0_0 = Vector512.FusedMultiplyAdd(x, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(x, b1, c0_1); c0_2 = Vector512.FusedMultiplyAdd(x, b2, c0_2); c0_3 = Vector512.FusedMultiplyAdd(x, b3, c0_3); c0_4 = Vector512.FusedMultiplyAdd(x, b4, c0_4);
                x = Vector512.Create(a[1]); c1_0 = Vector512.FusedMultiplyAdd(x, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(x, b1, c1_1); c1_2 = Vector512.FusedMultiplyAdd(x, b2, c1_2); c1_3 = Vector512.FusedMultiplyAdd(x, b3, c1_3); c1_4 = Vector512.FusedMultiplyAdd(x, b4, c1_4);
                x = Vector512.Create(a[2]); c2_0 = Vector512.FusedMultiplyAdd(x, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(x, b1, c2_1); c2_2 = Vector512.FusedMultiplyAdd(x, b2, c2_2); c2_3 = Vector512.FusedMultiplyAdd(x, b3, c2_3); c2_4 = Vector512.FusedMultiplyAdd(x, b4, c2_4);
                x = Vector512.Create(a[3]); c3_0 = Vector512.FusedMultiplyAdd(x, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(x, b1, c3_1); c3_2 = Vector512.FusedMultiplyAdd(x, b2, c3_2); c3_3 = Vector512.FusedMultiplyAdd(x, b3, c3_3); c3_4 = Vector512.FusedMultiplyAdd(x, b4, c3_4);
                x = Vector512.Create(a[4]); c4_0 = Vector512.FusedMultiplyAdd(x, b0, c4_0); c4_1 = Vector512.FusedMultiplyAdd(x, b1, c4_1); c4_2 = Vector512.FusedMultiplyAdd(x, b2, c4_2); c4_3 = Vector512.FusedMultiplyAdd(x, b3, c4_3); c4_4 = Vector512.FusedMultiplyAdd(x, b4, c4_4);
            }
            a += 5;
            b += 80;
        }
        (Vector512.Load(c + 0 * ldc + 0) + c0_0).Store(c + 0 * ldc + 0); (Vector512.Load(c + 0 * ldc + 16) + c0_1).Store(c + 0 * ldc + 16); (Vector512.Load(c + 0 * ldc + 32) + c0_2).Store(c + 0 * ldc + 32); (Vector512.Load(c + 0 * ldc + 48) + c0_3).Store(c + 0 * ldc + 48); (Vector512.Load(c + 0 * ldc + 64) + c0_4).Store(c + 0 * ldc + 64);
        (Vector512.Load(c + 1 * ldc + 0) + c1_0).Store(c + 1 * ldc + 0); (Vector512.Load(c + 1 * ldc + 16) + c1_1).Store(c + 1 * ldc + 16); (Vector512.Load(c + 1 * ldc + 32) + c1_2).Store(c + 1 * ldc + 32); (Vector512.Load(c + 1 * ldc + 48) + c1_3).Store(c + 1 * ldc + 48); (Vector512.Load(c + 1 * ldc + 64) + c1_4).Store(c + 1 * ldc + 64);
        (Vector512.Load(c + 2 * ldc + 0) + c2_0).Store(c + 2 * ldc + 0); (Vector512.Load(c + 2 * ldc + 16) + c2_1).Store(c + 2 * ldc + 16); (Vector512.Load(c + 2 * ldc + 32) + c2_2).Store(c + 2 * ldc + 32); (Vector512.Load(c + 2 * ldc + 48) + c2_3).Store(c + 2 * ldc + 48); (Vector512.Load(c + 2 * ldc + 64) + c2_4).Store(c + 2 * ldc + 64);
        (Vector512.Load(c + 3 * ldc + 0) + c3_0).Store(c + 3 * ldc + 0); (Vector512.Load(c + 3 * ldc + 16) + c3_1).Store(c + 3 * ldc + 16); (Vector512.Load(c + 3 * ldc + 32) + c3_2).Store(c + 3 * ldc + 32); (Vector512.Load(c + 3 * ldc + 48) + c3_3).Store(c + 3 * ldc + 48); (Vector512.Load(c + 3 * ldc + 64) + c3_4).Store(c + 3 * ldc + 64);
        (Vector512.Load(c + 4 * ldc + 0) + c4_0).Store(c + 4 * ldc + 0); (Vector512.Load(c + 4 * ldc + 16) + c4_1).Store(c + 4 * ldc + 16); (Vector512.Load(c + 4 * ldc + 32) + c4_2).Store(c + 4 * ldc + 32); (Vector512.Load(c + 4 * ldc + 48) + c4_3).Store(c + 4 * ldc + 48); (Vector512.Load(c + 4 * ldc + 64) + c4_4).Store(c + 4 * ldc + 64);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void K4x6(int kc, float* a, float* b, float* c, nint ldc)
    {
        Vector512<float> c0_0 = default, c0_1 = default, c0_2 = default, c0_3 = default, c0_4 = default, c0_5 = default;
        Vector512<float> c1_0 = default, c1_1 = default, c1_2 = default, c1_3 = default, c1_4 = default, c1_5 = default;
        Vector512<float> c2_0 = default, c2_1 = default, c2_2 = default, c2_3 = default, c2_4 = default, c2_5 = default;
        Vector512<float> c3_0 = default, c3_1 = default, c3_2 = default, c3_3 = default, c3_4 = default, c3_5 = default;
        for (int k = 0; k < kc; k += 1)
        {
            {
                var b0 = Vector512.Load(b + 0); var b1 = Vector512.Load(b + 16); var b2 = Vector512.Load(b + 32); var b3 = Vector512.Load(b + 48); var b4 = Vector512.Load(b + 64); var b5 = Vector512.Load(b + 80);
                Vector512<float> x;
                x = Vector512.Create(a[0]); c0_0 = Vector512.FusedMultiplyAdd(x, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(x, b1, c0_1); c0_2 = Vector512.FusedMultiplyAdd(x, b2, c0_2); c0_3 = Vector512.FusedMultiplyAdd(x, b3, c0_3); c0_4 = Vector512.FusedMultiplyAdd(x, b4, c0_4); c0_5 = Vector512.FusedMultiplyAdd(x, b5, c0_5);
                x = Vector512.Create(a[1]); c1_0 = Vector512.FusedMultiplyAdd(x, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(x, b1, c1_1); c1_2 = Vector512.FusedMultiplyAdd(x, b2, c1_2); c1_3 = Vector512.FusedMultiplyAdd(x, b3, c1_3); c1_4 = Vector512.FusedMultiplyAdd(x, b4, c1_4); c1_5 = Vector512.FusedMultiplyAdd(x, b5, c1_5);
                x = Vector512.Create(a[2]); c2_0 = Vector512.FusedMultiplyAdd(x, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(x, b1, c2_1); c2_2 = Vector512.FusedMultiplyAdd(x, b2, c2_2); c2_3 = Vector512.FusedMultiplyAdd(x, b3, c2_3); c2_4 = Vector512.FusedMultiplyAdd(x, b4, c2_4); c2_5 = Vector512.FusedMultiplyAdd(x, b5, c2_5);
                x = Vector512.Create(a[3]); c3_0 = Vector512.FusedMultiplyAdd(x, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(x, b1, c3_1); c3_2 = Vector512.FusedMultiplyAdd(x, b2, c3_2); c3_3 = Vector512.FusedMultiplyAdd(x, b3, c3_3); c3_4 = Vector512.FusedMultiplyAdd(x, b4, c3_4); c3_5 = Vector512.FusedMultiplyAdd(x, b5, c3_5);
            }
            a += 4;
            b += 96;
        }
        (Vector512.Load(c + 0 * ldc + 0) + c0_0).Store(c + 0 * ldc + 0); (Vector512.Load(c + 0 * ldc + 16) + c0_1).Store(c + 0 * ldc + 16); (Vector512.Load(c + 0 * ldc + 32) + c0_2).Store(c + 0 * ldc + 32); (Vector512.Load(c + 0 * ldc + 48) + c0_3).Store(c + 0 * ldc + 48); (Vector512.Load(c + 0 * ldc + 64) + c0_4).Store(c + 0 * ldc + 64); (Vector512.Load(c + 0 * ldc + 80) + c0_5).Store(c + 0 * ldc + 80);
        (Vector512.Load(c + 1 * ldc + 0) + c1_0).Store(c + 1 * ldc + 0); (Vector512.Load(c + 1 * ldc + 16) + c1_1).Store(c + 1 * ldc + 16); (Vector512.Load(c + 1 * ldc + 32) + c1_2).Store(c + 1 * ldc + 32); (Vector512.Load(c + 1 * ldc + 48) + c1_3).Store(c + 1 * ldc + 48); (Vector512.Load(c + 1 * ldc + 64) + c1_4).Store(c + 1 * ldc + 64); (Vector512.Load(c + 1 * ldc + 80) + c1_5).Store(c + 1 * ldc + 80);
        (Vector512.Load(c + 2 * ldc + 0) + c2_0).Store(c + 2 * ldc + 0); (Vector512.Load(c + 2 * ldc + 16) + c2_1).Store(c + 2 * ldc + 16); (Vector512.Load(c + 2 * ldc + 32) + c2_2).Store(c + 2 * ldc + 32); (Vector512.Load(c + 2 * ldc + 48) + c2_3).Store(c + 2 * ldc + 48); (Vector512.Load(c + 2 * ldc + 64) + c2_4).Store(c + 2 * ldc + 64); (Vector512.Load(c + 2 * ldc + 80) + c2_5).Store(c + 2 * ldc + 80);
        (Vector512.Load(c + 3 * ldc + 0) + c3_0).Store(c + 3 * ldc + 0); (Vector512.Load(c + 3 * ldc + 16) + c3_1).Store(c + 3 * ldc + 16); (Vector512.Load(c + 3 * ldc + 32) + c3_2).Store(c + 3 * ldc + 32); (Vector512.Load(c + 3 * ldc + 48) + c3_3).Store(c + 3 * ldc + 48); (Vector512.Load(c + 3 * ldc + 64) + c3_4).Store(c + 3 * ldc + 64); (Vector512.Load(c + 3 * ldc + 80) + c3_5).Store(c + 3 * ldc + 80);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static void K6x4Unroll2(int kc, float* a, float* b, float* c, nint ldc)
    {
        Vector512<float> c0_0 = default, c0_1 = default, c0_2 = default, c0_3 = default;
        Vector512<float> c1_0 = default, c1_1 = default, c1_2 = default, c1_3 = default;
        Vector512<float> c2_0 = default, c2_1 = default, c2_2 = default, c2_3 = default;
        Vector512<float> c3_0 = default, c3_1 = default, c3_2 = default, c3_3 = default;
        Vector512<float> c4_0 = default, c4_1 = default, c4_2 = default, c4_3 = default;
        Vector512<float> c5_0 = default, c5_1 = default, c5_2 = default, c5_3 = default;
        for (int k = 0; k < kc; k += 2)
        {
            {
                var b0 = Vector512.Load(b + 0); var b1 = Vector512.Load(b + 16); var b2 = Vector512.Load(b + 32); var b3 = Vector512.Load(b + 48);
                Vector512<float> x;
                x = Vector512.Create(a[0]); c0_0 = Vector512.FusedMultiplyAdd(x, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(x, b1, c0_1); c0_2 = Vector512.FusedMultiplyAdd(x, b2, c0_2); c0_3 = Vector512.FusedMultiplyAdd(x, b3, c0_3);
                x = Vector512.Create(a[1]); c1_0 = Vector512.FusedMultiplyAdd(x, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(x, b1, c1_1); c1_2 = Vector512.FusedMultiplyAdd(x, b2, c1_2); c1_3 = Vector512.FusedMultiplyAdd(x, b3, c1_3);
                x = Vector512.Create(a[2]); c2_0 = Vector512.FusedMultiplyAdd(x, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(x, b1, c2_1); c2_2 = Vector512.FusedMultiplyAdd(x, b2, c2_2); c2_3 = Vector512.FusedMultiplyAdd(x, b3, c2_3);
                x = Vector512.Create(a[3]); c3_0 = Vector512.FusedMultiplyAdd(x, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(x, b1, c3_1); c3_2 = Vector512.FusedMultiplyAdd(x, b2, c3_2); c3_3 = Vector512.FusedMultiplyAdd(x, b3, c3_3);
                x = Vector512.Create(a[4]); c4_0 = Vector512.FusedMultiplyAdd(x, b0, c4_0); c4_1 = Vector512.FusedMultiplyAdd(x, b1, c4_1); c4_2 = Vector512.FusedMultiplyAdd(x, b2, c4_2); c4_3 = Vector512.FusedMultiplyAdd(x, b3, c4_3);
                x = Vector512.Create(a[5]); c5_0 = Vector512.FusedMultiplyAdd(x, b0, c5_0); c5_1 = Vector512.FusedMultiplyAdd(x, b1, c5_1); c5_2 = Vector512.FusedMultiplyAdd(x, b2, c5_2); c5_3 = Vector512.FusedMultiplyAdd(x, b3, c5_3);
            }
            {
                var b0 = Vector512.Load(b + 64); var b1 = Vector512.Load(b + 80); var b2 = Vector512.Load(b + 96); var b3 = Vector512.Load(b + 112);
                Vector512<float> x;
                x = Vector512.Create(a[6]); c0_0 = Vector512.FusedMultiplyAdd(x, b0, c0_0); c0_1 = Vector512.FusedMultiplyAdd(x, b1, c0_1); c0_2 = Vector512.FusedMultiplyAdd(x, b2, c0_2); c0_3 = Vector512.FusedMultiplyAdd(x, b3, c0_3);
                x = Vector512.Create(a[7]); c1_0 = Vector512.FusedMultiplyAdd(x, b0, c1_0); c1_1 = Vector512.FusedMultiplyAdd(x, b1, c1_1); c1_2 = Vector512.FusedMultiplyAdd(x, b2, c1_2); c1_3 = Vector512.FusedMultiplyAdd(x, b3, c1_3);
                x = Vector512.Create(a[8]); c2_0 = Vector512.FusedMultiplyAdd(x, b0, c2_0); c2_1 = Vector512.FusedMultiplyAdd(x, b1, c2_1); c2_2 = Vector512.FusedMultiplyAdd(x, b2, c2_2); c2_3 = Vector512.FusedMultiplyAdd(x, b3, c2_3);
                x = Vector512.Create(a[9]); c3_0 = Vector512.FusedMultiplyAdd(x, b0, c3_0); c3_1 = Vector512.FusedMultiplyAdd(x, b1, c3_1); c3_2 = Vector512.FusedMultiplyAdd(x, b2, c3_2); c3_3 = Vector512.FusedMultiplyAdd(x, b3, c3_3);
                x = Vector512.Create(a[10]); c4_0 = Vector512.FusedMultiplyAdd(x, b0, c4_0); c4_1 = Vector512.FusedMultiplyAdd(x, b1, c4_1); c4_2 = Vector512.FusedMultiplyAdd(x, b2, c4_2); c4_3 = Vector512.FusedMultiplyAdd(x, b3, c4_3);
                x = Vector512.Create(a[11]); c5_0 = Vector512.FusedMultiplyAdd(x, b0, c5_0); c5_1 = Vector512.FusedMultiplyAdd(x, b1, c5_1); c5_2 = Vector512.FusedMultiplyAdd(x, b2, c5_2); c5_3 = Vector512.FusedMultiplyAdd(x, b3, c5_3);
            }
            a += 12;
            b += 128;
        }
        (Vector512.Load(c + 0 * ldc + 0) + c0_0).Store(c + 0 * ldc + 0); (Vector512.Load(c + 0 * ldc + 16) + c0_1).Store(c + 0 * ldc + 16); (Vector512.Load(c + 0 * ldc + 32) + c0_2).Store(c + 0 * ldc + 32); (Vector512.Load(c + 0 * ldc + 48) + c0_3).Store(c + 0 * ldc + 48);
        (Vector512.Load(c + 1 * ldc + 0) + c1_0).Store(c + 1 * ldc + 0); (Vector512.Load(c + 1 * ldc + 16) + c1_1).Store(c + 1 * ldc + 16); (Vector512.Load(c + 1 * ldc + 32) + c1_2).Store(c + 1 * ldc + 32); (Vector512.Load(c + 1 * ldc + 48) + c1_3).Store(c + 1 * ldc + 48);
        (Vector512.Load(c + 2 * ldc + 0) + c2_0).Store(c + 2 * ldc + 0); (Vector512.Load(c + 2 * ldc + 16) + c2_1).Store(c + 2 * ldc + 16); (Vector512.Load(c + 2 * ldc + 32) + c2_2).Store(c + 2 * ldc + 32); (Vector512.Load(c + 2 * ldc + 48) + c2_3).Store(c + 2 * ldc + 48);
        (Vector512.Load(c + 3 * ldc + 0) + c3_0).Store(c + 3 * ldc + 0); (Vector512.Load(c + 3 * ldc + 16) + c3_1).Store(c + 3 * ldc + 16); (Vector512.Load(c + 3 * ldc + 32) + c3_2).Store(c + 3 * ldc + 32); (Vector512.Load(c + 3 * ldc + 48) + c3_3).Store(c + 3 * ldc + 48);
        (Vector512.Load(c + 4 * ldc + 0) + c4_0).Store(c + 4 * ldc + 0); (Vector512.Load(c + 4 * ldc + 16) + c4_1).Store(c + 4 * ldc + 16); (Vector512.Load(c + 4 * ldc + 32) + c4_2).Store(c + 4 * ldc + 32); (Vector512.Load(c + 4 * ldc + 48) + c4_3).Store(c + 4 * ldc + 48);
        (Vector512.Load(c + 5 * ldc + 0) + c5_0).Store(c + 5 * ldc + 0); (Vector512.Load(c + 5 * ldc + 16) + c5_1).Store(c + 5 * ldc + 16); (Vector512.Load(c + 5 * ldc + 32) + c5_2).Store(c + 5 * ldc + 32); (Vector512.Load(c + 5 * ldc + 48) + c5_3).Store(c + 5 * ldc + 48);
    }
}
