//===- Copy.h - Strided box copies and fills --------------------*- C++ -*-===//
#ifndef IPUC_KERNELS_COPY_H
#define IPUC_KERNELS_COPY_H

#include "ipuc/plan/plan_generated.h"

#include <cstddef>
#include <cstdint>

namespace ipuc::kernels {

/// dst[dstOffset + i.dstStrides] = src[srcOffset + i.srcStrides] for every i
/// in the box `sizes` (rank entries each). Offsets and strides are in
/// elements of `elemSize` bytes. Source and destination must not overlap.
void runCopy(const void *src, void *dst, size_t elemSize, int rank,
             const int64_t *sizes, int64_t srcOffset,
             const int64_t *srcStrides, int64_t dstOffset,
             const int64_t *dstStrides);

/// Sets `count` elements of `dtype` to the value: fimm for float types,
/// iimm (truncated to the width) for integer types.
void runFill(void *dst, plan::DType dtype, int64_t count, double fimm,
             int64_t iimm);

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_COPY_H
