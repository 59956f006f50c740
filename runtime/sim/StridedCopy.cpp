//===- StridedCopy.cpp - A box copy as a strided loop nest ----------------===//

#include "StridedCopy.h"

#include "LayoutCopy.h"

#include "CommonDims.h"

#include <algorithm>

namespace ipuc::sim {

namespace {

/// One dimension of a box: `size` elements `stride` bytes apart.
struct Dim {
  int64_t size, stride;
  int dim = 0; // the box dimension, before merging
};

/// The box's dimensions of more than one element, innermost first, with
/// byte strides in tile memory, and where it starts, if all of it is inside
/// one block of `l` (one tile, an affine map from elements to addresses).
/// `dims` has room for the tensor's rank.
bool placeBox(const TensorLayout &l, const int64_t *offsets,
              const int64_t *sizes, Dim *dims, int &n, BoxPlace &place,
              bool merge = true) {
  int rank = static_cast<int>(l.shape.size());
  int64_t stride = 1, first = 0;
  n = 0;
  for (int d = rank - 1; d >= 0; --d) {
    first += offsets[d] * stride;
    if (sizes[d] > 1)
      dims[n++] = {sizes[d], stride, d};
    stride *= l.shape[d];
  }
  // Guessed from the first interval's length, not binary-searched: a split
  // tensor's intervals are mostly of one length, and a search through a
  // big tensor's thousands of intervals was a cache miss per step for every
  // box decoded.
  if (l.intervals.empty())
    return false;
  uint32_t i = detail::findInterval(l, first, 0);
  if (first < l.intervals[i].begin || first >= l.intervals[i].end)
    return false;
  const Block &b = l.blocks[l.blockOf[i]];
  // Element first + sum(i_d * stride_d) is in row row0 + sum(rows) at column
  // col0 + sum(cols) of the block, if each dimension steps by whole rows or
  // stays inside one row, and the extents stay inside the block.
  int64_t rel = first - b.begin, row0 = rel / b.flatStride,
          col0 = rel % b.flatStride, rowExt = 0, colExt = 0;
  int64_t elem = static_cast<int64_t>(l.elemSize);
  for (int k = 0; k < n; ++k) {
    Dim &d = dims[k];
    if (d.stride % b.flatStride == 0) {
      int64_t rows = d.stride / b.flatStride;
      rowExt += (d.size - 1) * rows;
      d.stride = rows * static_cast<int64_t>(b.addrStride);
    } else if (d.stride < b.flatStride) {
      colExt += (d.size - 1) * d.stride;
      d.stride *= elem;
    } else {
      return false;
    }
  }
  if (col0 + colExt >= b.rowLen || row0 + rowExt >= b.rows)
    return false;
  place.tile = b.tile;
  place.address = b.address + static_cast<uint64_t>(row0) * b.addrStride +
                  static_cast<uint64_t>(col0) * l.elemSize;
  if (!merge)
    return true;
  // A dimension dense with the one inside it is merged into it, so that
  // shapes which differ only in how a dense stretch is split (a reshape)
  // still pair up below.
  int m = 0;
  for (int k = 0; k < n; ++k) {
    if (m && dims[k].stride == dims[m - 1].size * dims[m - 1].stride)
      dims[m - 1].size *= dims[k].size;
    else
      dims[m++] = dims[k];
  }
  n = m;
  return true;
}

/// A dimension of the copy: `size` steps of the two byte strides.
using Common = CommonDim;

/// Builds `copy` from its dimensions, innermost first (at most 16).
bool finishCopy(Common *c, int nc, int64_t elem, StridedCopy &copy);

} // namespace

bool describeBoxCopy(const TensorLayout &srcLayout, const int64_t *srcOffsets,
                     const int64_t *srcSizes, const TensorLayout &dstLayout,
                     const int64_t *dstOffsets, const int64_t *dstSizes,
                     StridedCopy &copy, BoxPlace &srcPlace,
                     BoxPlace &dstPlace) {
  if (srcLayout.elemSize != dstLayout.elemSize)
    return false;
  size_t maxRank = std::max(srcLayout.shape.size(), dstLayout.shape.size());
  // Ranks are small; the common dimensions are at most the sum of both.
  constexpr size_t kInline = 16;
  if (maxRank > kInline / 2)
    return false;
  Dim s[kInline], d[kInline];
  int ns = 0, nd = 0;
  if (!placeBox(srcLayout, srcOffsets, srcSizes, s, ns, srcPlace) ||
      !placeBox(dstLayout, dstOffsets, dstSizes, d, nd, dstPlace))
    return false;
  // Common dimensions, innermost first (a reshape nests).
  Common c[kInline];
  int nc = 0;
  if (!pairCommonDims(s, ns, d, nd, c, nc, static_cast<int>(kInline)))
    return false;
  return finishCopy(c, nc, static_cast<int64_t>(srcLayout.elemSize), copy);
}

bool describePermutedCopy(const TensorLayout &srcLayout,
                          const int64_t *srcOffsets, const int64_t *srcSizes,
                          const TensorLayout &dstLayout,
                          const int64_t *dstOffsets, const int64_t *dstSizes,
                          const int64_t *perm, StridedCopy &copy,
                          BoxPlace &srcPlace, BoxPlace &dstPlace) {
  if (srcLayout.elemSize != dstLayout.elemSize)
    return false;
  size_t rank = dstLayout.shape.size();
  constexpr size_t kInline = 16;
  if (rank > kInline || srcLayout.shape.size() != rank)
    return false;
  Dim s[kInline], d[kInline];
  int ns = 0, nd = 0;
  // Unmerged: dimensions are paired by index through perm, not by size.
  if (!placeBox(srcLayout, srcOffsets, srcSizes, s, ns, srcPlace, false) ||
      !placeBox(dstLayout, dstOffsets, dstSizes, d, nd, dstPlace, false))
    return false;
  int64_t srcStride[kInline] = {};
  for (int k = 0; k < ns; ++k)
    srcStride[s[k].dim] = s[k].stride;
  // In the destination's order, innermost first: the walk writes the
  // destination in row-major order and reads the source strided.
  Common c[kInline];
  for (int k = 0; k < nd; ++k)
    c[k] = {d[k].size, srcStride[perm[d[k].dim]], d[k].stride};
  return finishCopy(c, nd, static_cast<int64_t>(srcLayout.elemSize), copy);
}

bool describePackedBox(const TensorLayout &layout, const int64_t *offsets,
                       const int64_t *sizes, StridedCopy &gather,
                       BoxPlace &place) {
  int rank = static_cast<int>(layout.shape.size());
  constexpr int kInline = 16;
  if (rank > kInline)
    return false;
  Dim s[kInline];
  int ns = 0;
  // Unmerged: each dimension is paired with its packed stride by index.
  if (!placeBox(layout, offsets, sizes, s, ns, place, false))
    return false;
  int64_t elem = static_cast<int64_t>(layout.elemSize);
  int64_t packed[kInline];
  for (int d = rank - 1; d >= 0; --d)
    packed[d] = d == rank - 1 ? elem : packed[d + 1] * sizes[d + 1];
  Common c[kInline];
  for (int k = 0; k < ns; ++k)
    c[k] = {s[k].size, s[k].stride, packed[s[k].dim]};
  return finishCopy(c, ns, elem, gather);
}

namespace {

bool finishCopy(Common *c, int nc, int64_t elem, StridedCopy &copy) {
  // Merge a dimension into the one inside it where both sides are dense
  // across the two.
  int nm = mergeDenseDims(c, nc);
  copy = StridedCopy();
  return setCopyLoops(c, nm, elem, copy);
}

} // namespace

namespace {
/// Row-major dense byte strides for the copy's dimensions.
void packedStrides(const StridedCopy &c, int64_t *out) {
  int64_t s = static_cast<int64_t>(c.inner);
  for (int d = static_cast<int>(c.rank) - 1; d >= 0; --d) {
    out[d] = s;
    s *= c.sizes[d];
  }
}
} // namespace

StridedCopy packedSource(const StridedCopy &c, const uint8_t *packed) {
  StridedCopy r = c;
  r.src = packed;
  packedStrides(c, r.srcStride);
  return r;
}

StridedCopy packedDestination(const StridedCopy &c, uint8_t *packed) {
  StridedCopy r = c;
  r.dst = packed;
  packedStrides(c, r.dstStride);
  return r;
}

} // namespace ipuc::sim
