//===- Conv2DBackwardFilter.h - Weight gradient of a conv2d -----*- C++ -*-===//
#ifndef IPUC_KERNELS_CONV2DBACKWARDFILTER_H
#define IPUC_KERNELS_CONV2DBACKWARDFILTER_H

#include "ipuc/plan/plan_generated.h"

#include <cstdint>
#include <string>

namespace ipuc::kernels {

/// result[o, ky, kx, c] = sum over n, oy, ox of grad[n, oy, ox, o] *
/// input[n, oy * strideH + ky * dilationH, ox * strideW + kx * dilationW, c],
/// the input already padded. Every operand is addressed through element
/// strides in the index order written above.
struct Conv2DBackwardFilterArgs {
  plan::DType dtype = plan::DType::F32;
  const void *input = nullptr;
  const void *grad = nullptr;
  void *result = nullptr;
  int64_t n = 0, h = 0, w = 0, c = 0, o = 0, kh = 0, kw = 0, oh = 0, ow = 0;
  int64_t strideH = 1, strideW = 1, dilationH = 1, dilationW = 1;
  int64_t inputStrides[4] = {0, 0, 0, 0};
  int64_t gradStrides[4] = {0, 0, 0, 0};
  int64_t resultStrides[4] = {0, 0, 0, 0};
  /// Threads to split the images over; 0 lets the kernel choose.
  int numThreads = 1;
};

bool runConv2DBackwardFilter(const Conv2DBackwardFilterArgs &args,
                             std::string &error);

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_CONV2DBACKWARDFILTER_H
