//===- Conv2DBackwardData.h - Input gradient of a conv2d --------*- C++ -*-===//
#ifndef IPUC_KERNELS_CONV2DBACKWARDDATA_H
#define IPUC_KERNELS_CONV2DBACKWARDDATA_H

#include "ipuc/plan/plan_generated.h"

#include <cstdint>
#include <string>

namespace ipuc::kernels {

/// The input gradient of a forward convolution with the given strides,
/// dilations and top/left padding (padTop/padLeft may be negative or larger
/// than the kernel):
///   result[n, y, x, c] = sum over oy, ox, o, ky, kx with
///     oy * strideH + ky * dilationH - padTop == y and
///     ox * strideW + kx * dilationW - padLeft == x
///   of grad[n, oy, ox, o] * filter[o, ky, kx, c].
/// The result is overwritten (positions no window reaches are zero). Every
/// operand is addressed through element strides in the index order written
/// above (grad: n, oy, ox, o; filter: o, ky, kx, c; result: n, y, x, c).
struct Conv2DBackwardDataArgs {
  plan::DType dtype = plan::DType::F32;
  const void *grad = nullptr;
  const void *filter = nullptr;
  void *result = nullptr;
  int64_t n = 0, oh = 0, ow = 0, o = 0, kh = 0, kw = 0, c = 0, h = 0, w = 0;
  int64_t strideH = 1, strideW = 1, dilationH = 1, dilationW = 1;
  int64_t padTop = 0, padLeft = 0;
  int64_t gradStrides[4] = {0, 0, 0, 0};
  int64_t filterStrides[4] = {0, 0, 0, 0};
  int64_t resultStrides[4] = {0, 0, 0, 0};
  /// Threads to split the images over; 0 lets the kernel choose.
  int numThreads = 1;
};

bool runConv2DBackwardData(const Conv2DBackwardDataArgs &args,
                           std::string &error);

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_CONV2DBACKWARDDATA_H
