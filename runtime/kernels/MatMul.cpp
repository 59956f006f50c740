//===- MatMul.cpp - Batched matmul as Eigen GEMMs over mapped memory ------===//
//
// The kernel maps the plan's buffers in place (no copies) and lets Eigen pick
// its GEMM; with noalias() this is the same code path as calling Eigen
// directly, so it runs at Eigen's speed.
//
//===----------------------------------------------------------------------===//

#include "ipuc/kernels/Half.h"
#include "ipuc/kernels/MatMul.h"

#include "EigenMaps.h"
#include "SmallMatMul.h"

#include <Eigen/Core>
#include <fmt/format.h>

#include <type_traits>
#include <vector>

namespace ipuc::kernels {
namespace {

template <typename T> void matmulTyped(const MatMulArgs &a) {
  const int64_t ldl = a.ldLhs ? a.ldLhs : (a.transposeLhs ? a.m : a.k);
  const int64_t ldr = a.ldRhs ? a.ldRhs : (a.transposeRhs ? a.k : a.n);
  const int64_t ldc = a.ldResult ? a.ldResult : a.n;
  const int64_t outStride = a.m * ldc;
  const T *lhs = static_cast<const T *>(a.lhs);
  const T *rhs = static_cast<const T *>(a.rhs);
  const T *init = static_cast<const T *>(a.init);
  T *res = static_cast<T *>(a.result);
  for (int64_t b = 0; b < a.batch; ++b) {
    const T *l = lhs + b * a.lhsBatchStride;
    const T *r = rhs + b * a.rhsBatchStride;
    if constexpr (std::is_same_v<T, float>) {
      // Tile-sized untransposed blocks (the simulator's vertices) skip
      // Eigen's panel packing (SmallMatMul.cpp).
      const T *in = init ? init + b * outStride : nullptr;
      if (!a.transposeLhs && !a.transposeRhs && useSmallMatMul(a.m, a.n, a.k) &&
          smallMatMulF32(l, ldl, r, ldr, res + b * outStride, in, ldc, a.m, a.n,
                         a.k))
        continue;
    }
    MMap<T> C(res + b * outStride, a.m, a.n, Eigen::OuterStride<>(ldc));
    if (init && init != a.result)
      C = CMap<T>(init + b * outStride, a.m, a.n, Eigen::OuterStride<>(ldc));
    else if (!init)
      C.setZero();
    // Four branches so Eigen sees the transposes statically.
    if (!a.transposeLhs && !a.transposeRhs)
      C.noalias() += CMap<T>(l, a.m, a.k, Eigen::OuterStride<>(ldl)) *
                     CMap<T>(r, a.k, a.n, Eigen::OuterStride<>(ldr));
    else if (a.transposeLhs && !a.transposeRhs)
      C.noalias() +=
          CMap<T>(l, a.k, a.m, Eigen::OuterStride<>(ldl)).transpose() *
          CMap<T>(r, a.k, a.n, Eigen::OuterStride<>(ldr));
    else if (!a.transposeLhs && a.transposeRhs)
      C.noalias() +=
          CMap<T>(l, a.m, a.k, Eigen::OuterStride<>(ldl)) *
          CMap<T>(r, a.n, a.k, Eigen::OuterStride<>(ldr)).transpose();
    else
      C.noalias() +=
          CMap<T>(l, a.k, a.m, Eigen::OuterStride<>(ldl)).transpose() *
          CMap<T>(r, a.n, a.k, Eigen::OuterStride<>(ldr)).transpose();
  }
}

// Half types compute in float: widen the operands once, multiply, round.
bool matmulHalf(const MatMulArgs &a, bool bf16) {
  auto widen = [&](const void *p, int64_t count) {
    std::vector<float> out(count);
    const uint16_t *s = static_cast<const uint16_t *>(p);
    for (int64_t i = 0; i < count; ++i)
      out[i] = bf16 ? bf16ToFloat(s[i]) : halfToFloat(s[i]);
    return out;
  };
  int64_t ldl = a.ldLhs ? a.ldLhs : (a.transposeLhs ? a.m : a.k);
  int64_t ldr = a.ldRhs ? a.ldRhs : (a.transposeRhs ? a.k : a.n);
  int64_t ldc = a.ldResult ? a.ldResult : a.n;
  int64_t lhsRows = a.transposeLhs ? a.k : a.m;
  int64_t rhsRows = a.transposeRhs ? a.n : a.k;
  int64_t lhsCount = (a.batch - 1) * a.lhsBatchStride + lhsRows * ldl;
  int64_t rhsCount = (a.batch - 1) * a.rhsBatchStride + rhsRows * ldr;
  int64_t outCount = a.batch * a.m * ldc;
  std::vector<float> l = widen(a.lhs, lhsCount), r = widen(a.rhs, rhsCount);
  std::vector<float> out = a.init ? widen(a.init, outCount)
                                  : std::vector<float>(outCount, 0.0f);
  MatMulArgs f = a;
  f.dtype = plan::DType::F32;
  f.lhs = l.data();
  f.rhs = r.data();
  f.init = out.data();
  f.result = out.data();
  f.ldLhs = ldl;
  f.ldRhs = ldr;
  f.ldResult = ldc;
  matmulTyped<float>(f);
  uint16_t *dst = static_cast<uint16_t *>(a.result);
  for (int64_t i = 0; i < outCount; ++i)
    dst[i] = bf16 ? floatToBf16(out[i]) : floatToHalf(out[i]);
  return true;
}

} // namespace

bool runMatMul(const MatMulArgs &a, std::string &error) {
  // Eigen handles k == 0 (an empty sum leaves init or zero).
  if (a.batch <= 0 || a.m <= 0 || a.n <= 0)
    return true;
  switch (a.dtype) {
  case plan::DType::F32: matmulTyped<float>(a); return true;
  case plan::DType::F64: matmulTyped<double>(a); return true;
  case plan::DType::I32: matmulTyped<int32_t>(a); return true;
  case plan::DType::I64: matmulTyped<int64_t>(a); return true;
  case plan::DType::F16: return matmulHalf(a, false);
  case plan::DType::BF16: return matmulHalf(a, true);
  default:
    error = fmt::format("matmul does not support element type {}",
                        static_cast<int>(a.dtype));
    return false;
  }
}

} // namespace ipuc::kernels
