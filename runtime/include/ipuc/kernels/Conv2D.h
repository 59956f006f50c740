//===- Conv2D.h - Grouped, strided, dilated 2-D convolution -----*- C++ -*-===//
#ifndef IPUC_KERNELS_CONV2D_H
#define IPUC_KERNELS_CONV2D_H

#include "ipuc/plan/plan_generated.h"

#include <cstdint>
#include <string>

namespace ipuc::kernels {

/// result = (init or 0) + conv(input, filter): NHWC input (already padded),
/// FHWC filter with c / groups channels, NHWC result of oh x ow.
struct Conv2DArgs {
  plan::DType dtype = plan::DType::F32;
  const void *input = nullptr;
  const void *filter = nullptr;
  const void *init = nullptr; // may alias result
  void *result = nullptr;
  int64_t n = 0, h = 0, w = 0, c = 0, f = 0, kh = 0, kw = 0, oh = 0, ow = 0;
  int64_t strideH = 1, strideW = 1, dilationH = 1, dilationW = 1, groups = 1;
  /// Threads to split the images over; 0 lets the kernel choose.
  int numThreads = 1;
};

bool runConv2D(const Conv2DArgs &args, std::string &error);

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_CONV2D_H
