//===- SmallMatMul.h - Register-blocked f32 GEMM for small blocks -*- C++
//-*-===//
//
// Internal to the kernel library: MatMul.cpp sends the untransposed f32
// products of tile-sized blocks here instead of to Eigen (SmallMatMul.cpp
// says why and how).
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_KERNELS_SMALLMATMUL_H
#define IPUC_KERNELS_SMALLMATMUL_H

#include <cstdint>

namespace ipuc::kernels {

/// The largest dimension the small kernel takes. Above it Eigen's cache
/// blocking pays for itself (`bench/matmul_bench --sizes 256,512,1024` with
/// the limit raised: 113 %, 97 %, 65 % of Eigen; docs/benchmarks.md).
constexpr int64_t kSmallMatMulMaxDim = 256;

/// Whether an untransposed f32 product of this shape goes to
/// smallMatMulF32. Only shapes matMulStridesExact admits (the predicate must
/// keep holding for every shape), each dimension at most kSmallMatMulMaxDim.
bool useSmallMatMul(int64_t m, int64_t n, int64_t k);

/// c = (cin ? cin : 0) + a b for row-major a (m x k, row stride lda), b
/// (k x n, ldb), c and cin (m x n, ldc; cin may be c). False when the build
/// has no AVX2/FMA (the caller uses Eigen).
bool smallMatMulF32(const float *a, int64_t lda, const float *b, int64_t ldb,
                    float *c, const float *cin, int64_t ldc, int64_t m,
                    int64_t n, int64_t k);

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_SMALLMATMUL_H
