//===- SmallMatMul.cpp - Register-blocked f32 GEMM for tile-sized blocks --===//
//
// The simulator runs a partitioned matmul as thousands of vertices, each a
// block of at most a few dozen rows, columns and depth (a 12-layer encoder's
// tiles see m <= 64, n <= 70, k <= 48). For such blocks Eigen's GEMM spends
// as long packing its panels as multiplying them (gemm_pack_lhs/rhs were 14 %
// of the simulator's run phase beside gebp's 25 %). This kernel reads the
// row-major operands where they are: 6 rows x 16 columns of the result live
// in 12 registers while the depth is walked, each step one broadcast per row
// and two loads of B per 12 FMAs (the loops carry `#pragma GCC unroll`:
// without it GCC kept the accumulator array on the stack); the last columns
// go through masked loads and stores. Every result element is the depth's products summed in order into
// zero and then added to the accumulator, whatever the strides, so the bytes
// do not depend on the leading dimensions (matMulStridesExact's promise).
//
//===----------------------------------------------------------------------===//

#include "SmallMatMul.h"

#include "ipuc/kernels/MatMul.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace ipuc::kernels {

bool useSmallMatMul(int64_t m, int64_t n, int64_t k) {
  return matMulStridesExact(plan::DType::F32, m, n, k) &&
         m <= kSmallMatMulMaxDim && n <= kSmallMatMulMaxDim &&
         k <= kSmallMatMulMaxDim;
}

#if defined(__AVX2__) && defined(__FMA__)
namespace {

/// Lanes [0, n) of a vector, n in 1..8.
__m256i laneMask(int64_t n) {
  alignas(32) static const int32_t ramp[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                               0,  0,  0,  0,  0,  0,  0,  0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(ramp + 8 - n));
}

/// C[MR x NV*8 (the last vector masked by `tail`)] = (Cin ? Cin : 0) + A B.
template <int MR, int NV, bool Masked>
inline void block(const float *a, int64_t lda, const float *b, int64_t ldb,
                  float *c, const float *cin, int64_t ldc, int64_t k,
                  __m256i tail) {
  __m256 acc[MR][NV];
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v)
      acc[i][v] = _mm256_setzero_ps();
  for (int64_t p = 0; p < k; ++p) {
    const float *bRow = b + p * ldb;
    __m256 bv[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v)
      bv[v] = (Masked && v == NV - 1) ? _mm256_maskload_ps(bRow + 8 * v, tail)
                                      : _mm256_loadu_ps(bRow + 8 * v);
#pragma GCC unroll 6
    for (int i = 0; i < MR; ++i) {
      __m256 av = _mm256_broadcast_ss(a + i * lda + p);
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v)
        acc[i][v] = _mm256_fmadd_ps(av, bv[v], acc[i][v]);
    }
  }
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      float *out = c + i * ldc + 8 * v;
      bool masked = Masked && v == NV - 1;
      __m256 r = acc[i][v];
      if (cin) {
        const float *in = cin + i * ldc + 8 * v;
        r = _mm256_add_ps(
            masked ? _mm256_maskload_ps(in, tail) : _mm256_loadu_ps(in), r);
      }
      if (masked)
        _mm256_maskstore_ps(out, tail, r);
      else
        _mm256_storeu_ps(out, r);
    }
}

/// Rows [i, i + MR) of the result, every column.
template <int MR>
void rowBlock(const float *a, int64_t lda, const float *b, int64_t ldb,
              float *c, const float *cin, int64_t ldc, int64_t n, int64_t k) {
  const __m256i all = _mm256_set1_epi32(-1);
  int64_t j = 0;
  for (; j + 16 <= n; j += 16)
    block<MR, 2, false>(a, lda, b + j, ldb, c + j, cin ? cin + j : nullptr, ldc,
                        k, all);
  if (n - j > 8) {
    block<MR, 2, true>(a, lda, b + j, ldb, c + j, cin ? cin + j : nullptr, ldc,
                       k, laneMask(n - j - 8));
  } else if (n - j > 0) {
    block<MR, 1, true>(a, lda, b + j, ldb, c + j, cin ? cin + j : nullptr, ldc,
                       k, laneMask(n - j));
  }
}

} // namespace

bool smallMatMulF32(const float *a, int64_t lda, const float *b, int64_t ldb,
                    float *c, const float *cin, int64_t ldc, int64_t m,
                    int64_t n, int64_t k) {
  int64_t i = 0;
  for (; i + 6 <= m; i += 6)
    rowBlock<6>(a + i * lda, lda, b, ldb, c + i * ldc,
                cin ? cin + i * ldc : nullptr, ldc, n, k);
  // The 1..5 rows left over, each count its own fully unrolled block.
  using RowBlockFn =
      void (*)(const float *, int64_t, const float *, int64_t, float *,
               const float *, int64_t, int64_t, int64_t);
  static constexpr RowBlockFn remainder[] = {
      nullptr, rowBlock<1>, rowBlock<2>, rowBlock<3>, rowBlock<4>, rowBlock<5>};
  if (i < m)
    remainder[m - i](a + i * lda, lda, b, ldb, c + i * ldc,
                     cin ? cin + i * ldc : nullptr, ldc, n, k);
  return true;
}

#else

bool smallMatMulF32(const float *, int64_t, const float *, int64_t, float *,
                    const float *, int64_t, int64_t, int64_t, int64_t) {
  return false;
}

#endif

} // namespace ipuc::kernels
