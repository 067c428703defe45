// The blocking of Autograd's AVX-512 SGEMM (Autograd.Core/Kernels/Gemm.cs: a 6×64 micro-kernel, B packed in 64-wide
// k-major panels, A in 6-row panels of depth Kc, Mc rows of A per block, B panels outermost) written in C, so that the
// share of the FMA peak that the algorithm reaches on a machine can be told apart from what the .NET code loses. Each
// block times an FMA loop and then one product in the same process, and the median of their ratios is printed, as
// `Autograd.Bench -- probe-isa` does for the .NET kernels.
//
//   gcc -O2 -mavx512f -mfma gemm_blocked.c -o /tmp/gemm_blocked
//   /tmp/gemm_blocked [n=1024] [kc=256] [mc=144] [order=0: B panels outermost, 1: A panels outermost] [blocks=11]
//
// One thread; n a multiple of 64 (rows of A past the last multiple of 6 are left out of both the work and the count).
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

// C[6, 64] (+)= A[6, kc]·B[kc, 64]; A row i at a + i·rs, B k-major; C's lines are fetched at the start, as in the .NET kernel.
static __attribute__((noinline)) void kernel(int kc, const float *a, long rs, const float *b, float *c, long ldc, int first) {
  __m512 z = _mm512_setzero_ps(), acc[6][4];
  for (int i = 0; i < 6; i++) for (int j = 0; j < 4; j++) acc[i][j] = z;
  for (int i = 0; i < 6; i++) for (int j = 0; j < 4; j++) _mm_prefetch((const char *)(c + i * ldc + 16 * j), _MM_HINT_T0);
  for (int k = 0; k < kc; k++) {
    __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16), b2 = _mm512_load_ps(b + 32), b3 = _mm512_load_ps(b + 48);
    #pragma GCC unroll 6
    for (int i = 0; i < 6; i++) {
      __m512 x = _mm512_set1_ps(a[i * rs]);
      acc[i][0] = _mm512_fmadd_ps(x, b0, acc[i][0]); acc[i][1] = _mm512_fmadd_ps(x, b1, acc[i][1]);
      acc[i][2] = _mm512_fmadd_ps(x, b2, acc[i][2]); acc[i][3] = _mm512_fmadd_ps(x, b3, acc[i][3]);
    }
    a += 1; b += 64;
  }
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 4; j++) {
      float *p = c + i * ldc + 16 * j;
      _mm512_storeu_ps(p, first ? acc[i][j] : _mm512_add_ps(_mm512_loadu_ps(p), acc[i][j]));
    }
}

// GFLOP/s of 12 independent FMA chains, about 5 ms.
static __attribute__((noinline)) double peak(void) {
  __m512 s[12], x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(0.9999999f);
  for (int i = 0; i < 12; i++) s[i] = _mm512_set1_ps((float)i);
  long iters = 2000000;
  double t0 = now();
  for (long k = 0; k < iters; k++) {
    #pragma GCC unroll 12
    for (int i = 0; i < 12; i++) s[i] = _mm512_fmadd_ps(s[i], x, y);
  }
  double t = now() - t0;
  float sum = 0;
  for (int i = 0; i < 12; i++) sum += _mm512_reduce_add_ps(s[i]);
  if (sum == 42) printf(" ");
  return iters * 12.0 * 16 * 2 / t / 1e9;
}

static int n, kc, mc, order;
static float *A, *B, *C, *ap, *bp;

static double gemm(void) {
  int rows = n / 6 * 6;
  double t0 = now();
  for (int pc = 0; pc < n; pc += kc) {
    int kb = pc + kc <= n ? kc : n - pc;
    for (int jr = 0; jr < n; jr += 64)
      for (int k = 0; k < kb; k++) memcpy(bp + (long)jr * kb + k * 64, B + (long)(pc + k) * n + jr, 64 * sizeof(float));
    for (int ic = 0; ic < rows; ic += mc) {
      int m = ic + mc <= rows ? mc : rows - ic;
      for (int i = 0; i < m; i++) memcpy(ap + (long)i * kc, A + (long)(ic + i) * n + pc, kb * sizeof(float));
      if (order == 0) {
        for (int jr = 0; jr < n; jr += 64)
          for (int ir = 0; ir < m; ir += 6) kernel(kb, ap + (long)ir * kc, kc, bp + (long)jr * kb, C + (long)(ic + ir) * n + jr, n, pc == 0);
      } else {
        for (int ir = 0; ir < m; ir += 6)
          for (int jr = 0; jr < n; jr += 64) kernel(kb, ap + (long)ir * kc, kc, bp + (long)jr * kb, C + (long)(ic + ir) * n + jr, n, pc == 0);
      }
    }
  }
  return 2.0 * rows * n * n / (now() - t0) / 1e9;
}

static int compare(const void *x, const void *y) { double a = *(const double *)x, b = *(const double *)y; return (a > b) - (a < b); }

int main(int argc, char **argv) {
  n = argc > 1 ? atoi(argv[1]) : 1024;
  kc = argc > 2 ? atoi(argv[2]) : 256;
  mc = argc > 3 ? atoi(argv[3]) / 6 * 6 : 144;
  order = argc > 4 ? atoi(argv[4]) : 0;
  int blocks = argc > 5 ? atoi(argv[5]) : 11;
  if (n % 64 != 0 || kc < 1 || mc < 6 || blocks < 1 || blocks > 1000) { fprintf(stderr, "n must be a multiple of 64; kc ≥ 1, mc ≥ 6, 1 ≤ blocks ≤ 1000\n"); return 2; }
  A = aligned_alloc(64, (size_t)n * n * sizeof(float));
  B = aligned_alloc(64, (size_t)n * n * sizeof(float));
  C = aligned_alloc(64, (size_t)n * n * sizeof(float));
  // aligned_alloc wants a size that is a multiple of the alignment.
  ap = aligned_alloc(64, ((size_t)mc * kc * sizeof(float) + 63) / 64 * 64);
  bp = aligned_alloc(64, ((size_t)n * kc * sizeof(float) + 63) / 64 * 64);
  for (long i = 0; i < (long)n * n; i++) { A[i] = (float)(i % 7) * 0.01f; B[i] = (float)(i % 5) * 0.01f; }
  for (int i = 0; i < 3; i++) gemm();
  double ratio[1000], rate[1000], fma[1000];
  for (int b = 0; b < blocks; b++) {
    fma[b] = peak();
    rate[b] = gemm();
    ratio[b] = rate[b] / fma[b];
  }
  qsort(ratio, blocks, sizeof(double), compare);
  qsort(rate, blocks, sizeof(double), compare);
  qsort(fma, blocks, sizeof(double), compare);
  printf("n %d kc %d mc %d order %d: %.1f GFLOP/s, FMA loop %.1f, ratio %.3f (%.3f-%.3f quartiles)\n", n, kc, mc, order,
         rate[blocks / 2], fma[blocks / 2], ratio[blocks / 2], ratio[blocks / 4], ratio[3 * blocks / 4]);
  return 0;
}
