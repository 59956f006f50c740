//===- MatMul.h - Batched matrix multiply via Eigen -------------*- C++ -*-===//
#ifndef IPUC_KERNELS_MATMUL_H
#define IPUC_KERNELS_MATMUL_H

#include "ipuc/plan/plan_generated.h"

#include <cstdint>
#include <string>

namespace ipuc::kernels {

/// result[b] = (init ? init[b] : 0) + op(lhs[b]) x op(rhs[b]), row-major.
/// lhs[b] is m x k (k x m when transposeLhs), rhs[b] is k x n (n x k when
/// transposeRhs); leading dimensions default to the packed row length.
/// Batch strides are in elements; 0 reuses one matrix for every batch.
struct MatMulArgs {
  plan::DType dtype = plan::DType::F32;
  const void *lhs = nullptr;
  const void *rhs = nullptr;
  const void *init = nullptr; // may alias result
  void *result = nullptr;
  int64_t batch = 1, m = 0, n = 0, k = 0;
  bool transposeLhs = false, transposeRhs = false;
  int64_t lhsBatchStride = 0, rhsBatchStride = 0;
  int64_t ldLhs = 0, ldRhs = 0, ldResult = 0; // 0: packed
};

bool runMatMul(const MatMulArgs &args, std::string &error);

/// Whether a single (batch 1) matmul of this dtype and shape computes the
/// same bytes with leading dimensions as with packed operands, so that a
/// caller may skip packing blocks of larger matrices. True where Eigen runs
/// its blocked GEMM, which packs its panels from either layout before any
/// arithmetic; below EIGEN_GEMM_TO_COEFFBASED_THRESHOLD (m + n + k < 20) it
/// evaluates coefficient by coefficient and with one row or column it runs a
/// GEMV, whose vectorisation can depend on the strides.
inline bool matMulStridesExact(plan::DType dtype, int64_t m, int64_t n,
                               int64_t k) {
  return dtype == plan::DType::F32 && m > 1 && n > 1 && k > 0 &&
         m + n + k >= 20;
}

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_MATMUL_H
