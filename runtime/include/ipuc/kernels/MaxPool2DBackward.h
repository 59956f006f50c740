//===- MaxPool2DBackward.h - Gradient of a tiling max pool ------*- C++ -*-===//
#ifndef IPUC_KERNELS_MAXPOOL2DBACKWARD_H
#define IPUC_KERNELS_MAXPOOL2DBACKWARD_H

#include "ipuc/plan/plan_generated.h"

#include <cstdint>
#include <string>

namespace ipuc::kernels {

/// result[i] = ((input[i] == max[p] ? 1 : 0) * grad[p]) *
/// (mask[i] >= 0 ? 1 : 0), the last factor only when `mask` is set, for
/// every i = (n, oh, ow, c, kh, kw) with p = (n, oh, ow, c). Operands are
/// addressed through element strides in those index orders (6 for input,
/// mask and result, 4 for max and grad). The products are computed as
/// written, so the result is bitwise the Generic's (signed zeros, NaN).
struct MaxPool2DBackwardArgs {
  plan::DType dtype = plan::DType::F32;
  const void *input = nullptr;
  const void *max = nullptr;
  const void *grad = nullptr;
  const void *mask = nullptr; ///< Optional.
  void *result = nullptr;
  int64_t n = 0, oh = 0, ow = 0, c = 0, kh = 0, kw = 0;
  int64_t inputStrides[6] = {0, 0, 0, 0, 0, 0};
  int64_t maxStrides[4] = {0, 0, 0, 0};
  int64_t gradStrides[4] = {0, 0, 0, 0};
  int64_t maskStrides[6] = {0, 0, 0, 0, 0, 0};
  int64_t resultStrides[6] = {0, 0, 0, 0, 0, 0};
  /// Threads to split the batch over; 0 lets the kernel choose.
  int numThreads = 1;
};

bool runMaxPool2DBackward(const MaxPool2DBackwardArgs &args,
                          std::string &error);

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_MAXPOOL2DBACKWARD_H
