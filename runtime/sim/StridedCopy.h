//===- StridedCopy.h - A box copy as a strided loop nest --------*- C++ -*-===//
//
// Exchanges copy boxes, and a box of a tensor whose elements all lie in one
// mapping interval is, in tile memory, a base address and a few strides.
// Decoding a copy into that form costs O(rank) instead of one record per
// contiguous run: the partitioner's copies are often thousands of runs of a
// few bytes each (a column block of a row-major matrix), and expanding them
// at load was most of the simulator's set-up time. The runs are walked by a
// loop nest when the exchange executes instead.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_STRIDEDCOPY_H
#define IPUC_SIM_STRIDEDCOPY_H

#include "TileMemory.h"

#include <cstdint>
#include <cstring>
#include <utility>

namespace ipuc::sim {

/// Outer dimensions a descriptor holds; copies needing more (after merging
/// dimensions that are contiguous on both sides) are decoded run by run.
constexpr int kMaxCopyDims = 4;

/// Copies sizes[0] x ... x sizes[rank-1] pieces of `inner` contiguous bytes
/// from `src` to `dst`; piece (i0, ..., ik) is at sum(i_d * stride_d) bytes
/// from each base. Dimensions are outermost first; strides are positive, so
/// a side's bytes lie in [base, base + span()).
struct StridedCopy {
  const uint8_t *src = nullptr;
  uint8_t *dst = nullptr;
  uint64_t inner = 0;
  uint32_t rank = 0;
  uint32_t sizes[kMaxCopyDims] = {};
  int64_t srcStride[kMaxCopyDims] = {}, dstStride[kMaxCopyDims] = {};

  uint64_t bytes() const {
    uint64_t n = inner;
    for (uint32_t d = 0; d < rank; ++d)
      n *= sizes[d];
    return n;
  }
  /// Bytes from a base to one past the last byte that side touches.
  uint64_t srcSpan() const { return span(srcStride); }
  uint64_t dstSpan() const { return span(dstStride); }
  /// Calls f(srcPtr, dstPtr, bytes) for each contiguous piece, in row-major
  /// order of the box.
  template <typename F> void forEachPiece(F &&f) const { walk(0, src, dst, f); }
  void run() const {
    forEachPiece(
        [](const uint8_t *s, uint8_t *d, uint64_t n) { std::memcpy(d, s, n); });
  }
  /// The same pieces copied the other way, from `dst` back to `src`.
  StridedCopy reversed() const {
    StridedCopy r = *this;
    r.src = dst;
    r.dst = const_cast<uint8_t *>(src);
    for (uint32_t d = 0; d < rank; ++d)
      std::swap(r.srcStride[d], r.dstStride[d]);
    return r;
  }

private:
  uint64_t span(const int64_t *stride) const {
    uint64_t s = inner;
    for (uint32_t d = 0; d < rank; ++d)
      s += static_cast<uint64_t>(stride[d]) * (sizes[d] - 1);
    return s;
  }
  template <typename F>
  void walk(uint32_t d, const uint8_t *s, uint8_t *t, F &f) const {
    if (d == rank)
      return f(s, t, inner);
    if (d + 1 == rank) {
      // The innermost loop, without a call per piece: it is the hot one.
      for (uint32_t i = 0; i < sizes[d]; ++i)
        f(s + i * srcStride[d], t + i * dstStride[d], inner);
      return;
    }
    for (uint32_t i = 0; i < sizes[d]; ++i)
      walk(d + 1, s + i * srcStride[d], t + i * dstStride[d], f);
  }
};

/// Where a box sits when all its elements are in one mapping interval.
struct BoxPlace {
  uint32_t tile = 0;
  uint64_t address = 0; // of the box's first element
};

/// Tries to describe the copy of box `src` of `srcLayout` into box `dst` of
/// `dstLayout` (same element count and size; the plan verifier checked that
/// and that both boxes lie inside their tensors) as one StridedCopy. Fails,
/// returning false, when a box spans more than one interval, the element
/// sizes differ, or the two shapes do not nest into kMaxCopyDims common
/// dimensions; the caller then decodes the copy run by run. On success the
/// pointers are left null: `srcPlace`/`dstPlace` say where each box starts,
/// and every byte the copy touches is inside those intervals, which
/// buildLayouts() checked against the tile's memory.
bool describeBoxCopy(const TensorLayout &srcLayout, const int64_t *srcOffsets,
                     const int64_t *srcSizes, const TensorLayout &dstLayout,
                     const int64_t *dstOffsets, const int64_t *dstSizes,
                     StridedCopy &copy, BoxPlace &srcPlace, BoxPlace &dstPlace);

/// The same for a transposing copy (an ExchangeCopy with `perm`, both
/// tensors of its rank): dst box dim i is src box dim perm[i]. The copy's
/// dimensions follow the destination, so its pieces are written in
/// row-major order and read strided; it fails on the same grounds.
bool describePermutedCopy(const TensorLayout &srcLayout,
                          const int64_t *srcOffsets, const int64_t *srcSizes,
                          const TensorLayout &dstLayout,
                          const int64_t *dstOffsets, const int64_t *dstSizes,
                          const int64_t *perm, StridedCopy &copy,
                          BoxPlace &srcPlace, BoxPlace &dstPlace);

/// The gather of a box of `layout` (its offsets and sizes, in the tensor's
/// rank) into a packed row-major buffer, when the whole box lies in one
/// block of the layout (one tile) and its pieces nest into kMaxCopyDims
/// dimensions: `gather.src` is left null (the box starts at `place`),
/// `gather.dst` null (offset 0 of the buffer). A compute operand that is a
/// column block of a matrix is then one descriptor instead of a memory run
/// per row. Fails, returning false, like describeBoxCopy.
bool describePackedBox(const TensorLayout &layout, const int64_t *offsets,
                       const int64_t *sizes, StridedCopy &gather,
                       BoxPlace &place);

/// The same copy with one side replaced by a packed (row-major, dense)
/// buffer at `packed`: the gather into, or the scatter out of, staging.
StridedCopy packedSource(const StridedCopy &c, const uint8_t *packed);
StridedCopy packedDestination(const StridedCopy &c, uint8_t *packed);

} // namespace ipuc::sim

#endif // IPUC_SIM_STRIDEDCOPY_H
