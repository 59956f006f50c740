//===- SmallMatMul.cpp - Register-blocked f32 GEMM for tile-sized blocks --===//
//
// The simulator runs a partitioned matmul as thousands of vertices, each a
// block of at most a few dozen rows, columns and depth (a 12-layer encoder's
// tiles see m <= 64, n <= 70, k <= 48). For such blocks Eigen's GEMM spends
// as long packing its panels as multiplying them (gemm_pack_lhs/rhs were 14 %
// of the simulator's run phase beside gebp's 25 %). This kernel reads the
// row-major operands where they are: 6 rows x 2 vectors of columns of the
// result (16 columns with AVX2, 32 with AVX-512, the width Eigen uses for
// the host device on the same machine) live in 12 registers while the depth
// is walked, each step one broadcast per row and two loads of B per 12 FMAs
// (the loops carry `#pragma GCC unroll`: without it GCC kept the accumulator
// array on the stack); the last columns go through masked loads and stores.
// Every result element is the depth's products summed in order into
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

#ifdef __AVX512F__
/// 16 f32 lanes, masks in a k-register: Eigen uses them for the host
/// device's GEMMs on such a machine, and on cores with two 512-bit FMA ports
/// (Intel's server parts) they do twice the multiply-adds per cycle of AVX2.
struct Lanes {
  using Vec = __m512;
  using Mask = __mmask16;
  static constexpr int kWidth = 16;
  static Mask all() { return Mask(0xffff); }
  static Mask first(int64_t n) { return Mask((1u << n) - 1); }
  static Vec zero() { return _mm512_setzero_ps(); }
  static Vec broadcast(const float *p) { return _mm512_set1_ps(*p); }
  static Vec load(const float *p) { return _mm512_loadu_ps(p); }
  static Vec load(const float *p, Mask m) {
    return _mm512_maskz_loadu_ps(m, p);
  }
  static void store(float *p, Vec v) { _mm512_storeu_ps(p, v); }
  static void store(float *p, Vec v, Mask m) { _mm512_mask_storeu_ps(p, m, v); }
  static Vec fmadd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
  static Vec add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
};
#else
/// 8 f32 lanes (AVX2), masks as vectors.
struct Lanes {
  using Vec = __m256;
  using Mask = __m256i;
  static constexpr int kWidth = 8;
  static Mask all() { return _mm256_set1_epi32(-1); }
  /// Lanes [0, n), n in 1..8.
  static Mask first(int64_t n) {
    alignas(32) static const int32_t ramp[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                                 0,  0,  0,  0,  0,  0,  0,  0};
    return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(ramp + 8 - n));
  }
  static Vec zero() { return _mm256_setzero_ps(); }
  static Vec broadcast(const float *p) { return _mm256_broadcast_ss(p); }
  static Vec load(const float *p) { return _mm256_loadu_ps(p); }
  static Vec load(const float *p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float *p, Vec v) { _mm256_storeu_ps(p, v); }
  static void store(float *p, Vec v, Mask m) { _mm256_maskstore_ps(p, m, v); }
  static Vec fmadd(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
  static Vec add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
};
#endif

using Vec = Lanes::Vec;
using Mask = Lanes::Mask;
constexpr int64_t kW = Lanes::kWidth;

/// C[MR x NV*kW (the last vector masked by `tail`)] = (Cin ? Cin : 0) + A B.
template <int MR, int NV, bool Masked>
inline void block(const float *a, int64_t lda, const float *b, int64_t ldb,
                  float *c, const float *cin, int64_t ldc, int64_t k,
                  Mask tail) {
  Vec acc[MR][NV];
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v)
      acc[i][v] = Lanes::zero();
  for (int64_t p = 0; p < k; ++p) {
    const float *bRow = b + p * ldb;
    Vec bv[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v)
      bv[v] = (Masked && v == NV - 1) ? Lanes::load(bRow + kW * v, tail)
                                      : Lanes::load(bRow + kW * v);
#pragma GCC unroll 6
    for (int i = 0; i < MR; ++i) {
      Vec av = Lanes::broadcast(a + i * lda + p);
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v)
        acc[i][v] = Lanes::fmadd(av, bv[v], acc[i][v]);
    }
  }
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      float *out = c + i * ldc + kW * v;
      bool masked = Masked && v == NV - 1;
      Vec r = acc[i][v];
      if (cin) {
        const float *in = cin + i * ldc + kW * v;
        r = Lanes::add(masked ? Lanes::load(in, tail) : Lanes::load(in), r);
      }
      if (masked)
        Lanes::store(out, r, tail);
      else
        Lanes::store(out, r);
    }
}

/// Rows [i, i + MR) of the result, every column.
template <int MR>
void rowBlock(const float *a, int64_t lda, const float *b, int64_t ldb,
              float *c, const float *cin, int64_t ldc, int64_t n, int64_t k) {
  int64_t j = 0;
  for (; j + 2 * kW <= n; j += 2 * kW)
    block<MR, 2, false>(a, lda, b + j, ldb, c + j, cin ? cin + j : nullptr, ldc,
                        k, Lanes::all());
  if (n - j > kW) {
    block<MR, 2, true>(a, lda, b + j, ldb, c + j, cin ? cin + j : nullptr, ldc,
                       k, Lanes::first(n - j - kW));
  } else if (n - j > 0) {
    block<MR, 1, true>(a, lda, b + j, ldb, c + j, cin ? cin + j : nullptr, ldc,
                       k, Lanes::first(n - j));
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
