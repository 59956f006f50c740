//===- LayoutCopy.h - A box copy walked through the layouts ----*- C++ -*-===//
//
// Most copies of a big plan's exchanges read a box that spans several
// mapping intervals: a staging gather reads 32 rows of 48 elements out of a
// tensor split over 1472 tiles in pieces of 67 elements, so each row is one
// or two pieces on different tiles. Such a copy is not one strided region
// (StridedCopy.h); the decoder used to list both boxes' segments and pair
// them into moves (the 12-layer encoder: 585 k such copies, 15.4 M moves).
//
// A LayoutCopy is such a copy as the plan says it, the two boxes in the
// flat element order of their tensors: rows of `inner` elements that are
// contiguous in both tensors, on a grid of at most kMaxCopyDims outer
// dimensions. Its pieces are found by walking it, stepping through each
// side's sorted intervals: the next piece of a row is in the next interval
// of whichever side ended, and a row's first interval is found from the
// previous row's by a guess from its length. The walk yields the pieces the
// segment pairing would (split where either side's interval ends, joined
// where both go on contiguously on the same tiles), so moves, charges and
// overlap checks are unchanged.
//
// Only the decoder walks it: keeping the descriptors and walking them at
// every run instead of storing the moves saved 300 MB of host memory on the
// 12-layer encoder but made its runs slower (docs/benchmarks.md, branch
// `simxchg`).
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_LAYOUTCOPY_H
#define IPUC_SIM_LAYOUTCOPY_H

#include "StridedCopy.h"
#include "TileMemory.h"

#include <algorithm>
#include <cstdint>

namespace ipuc::sim {

/// The copy of a box of `src` into an equally many-elemented box of `dst`
/// (row-major element k to element k). Strides are in elements of the flat
/// tensors; dimensions are outermost first.
struct LayoutCopy {
  const TensorLayout *src = nullptr, *dst = nullptr;
  int64_t srcBegin = 0, dstBegin = 0; // flat element of each box's first
  int64_t inner = 0;                  // elements per row, contiguous both sides
  uint32_t rank = 0;
  uint32_t sizes[kMaxCopyDims] = {};
  int64_t srcStride[kMaxCopyDims] = {}, dstStride[kMaxCopyDims] = {};
  /// The intervals holding srcBegin and dstBegin: where the walk starts.
  uint32_t srcFirst = 0, dstFirst = 0;

  uint64_t elements() const {
    uint64_t n = static_cast<uint64_t>(inner);
    for (uint32_t d = 0; d < rank; ++d)
      n *= sizes[d];
    return n;
  }
  uint64_t bytes() const { return elements() * src->elemSize; }

  /// Calls f(srcTile, srcPtr, dstTile, dstPtr, bytes) for each piece, in
  /// row-major order of the box, until f returns false; false then, true
  /// when every piece was seen. With `Checked`, also false (f not called
  /// for it) at the first element that no interval maps: a LayoutCopy
  /// describes any box, and only a checked walk at decode proves it mapped,
  /// so that later walks need not check.
  template <bool Checked = false, typename F>
  bool forEachPiece(TileMemory &memory, F &&f) const;
};

/// Describes the copy of box (srcOffsets, srcSizes) of `src` into box
/// (dstOffsets, dstSizes) of `dst` (same element count; the plan verifier
/// checked that and that both boxes lie inside their tensors). False when
/// the element sizes differ, a box is empty, or the boxes' dimensions do
/// not nest into kMaxCopyDims outer dimensions of common rows; the caller
/// then decodes the copy run by run. Whether every element is mapped is
/// left to a checked walk.
bool describeLayoutCopy(const TensorLayout &src, const int64_t *srcOffsets,
                        const int64_t *srcSizes, const TensorLayout &dst,
                        const int64_t *dstOffsets, const int64_t *dstSizes,
                        LayoutCopy &copy);

namespace detail {
/// The index of the interval of `l` holding flat element `e`: interval
/// `from` if it holds it, else through the layout's index when it has one
/// (TensorLayout::lookUp), else searched from `from` when it starts at or
/// before `e` (a guess from its length, then a gallop, so that a near one
/// is found in a probe or two), through all intervals otherwise; the last
/// interval starting before `e` (or 0) when none holds it.
uint32_t findInterval(const TensorLayout &l, int64_t e, uint32_t from);

/// The interval of `l` holding flat element `e`, the start of a row of a
/// copy, when the current interval `cur` does not: the row before started
/// in interval `lastRow`, and rows are a fixed number of elements apart, so
/// the number of intervals between row starts is mostly the same, give or
/// take one (tensors split in pieces of 67 elements read in rows of 48).
/// Three probes then, instead of a search (findInterval, the fallback,
/// which gives the same answer).
inline uint32_t rowInterval(const TensorLayout &l, int64_t e, uint32_t cur,
                            uint32_t lastRow, uint32_t step) {
  const Interval *iv = l.intervals.data();
  size_t n = l.intervals.size();
  size_t g = static_cast<size_t>(lastRow) + step;
  for (size_t k : {g, g + 1, g - 1})
    if (k < n && iv[k].begin <= e && e < iv[k].end)
      return static_cast<uint32_t>(k);
  return findInterval(l, e, cur);
}
} // namespace detail

template <bool Checked, typename F>
bool LayoutCopy::forEachPiece(TileMemory &memory, F &&f) const {
  const Interval *si = src->intervals.data(), *di = dst->intervals.data();
  const size_t ns = src->intervals.size(), nd = dst->intervals.size();
  const uint64_t elem = src->elemSize;
  uint32_t a = srcFirst, b = dstFirst; // the intervals of the current piece
  // The piece found last, not yet passed to f: a piece that continues it
  // on the same tiles on both sides is joined to it (a box's rows in a
  // block of row intervals that lie end to end in memory), as the
  // run-by-run decode joins its segments.
  uint32_t pendingFrom = 0, pendingTo = 0;
  const uint8_t *pendingSrc = nullptr;
  uint8_t *pendingDst = nullptr;
  uint64_t pendingBytes = 0;
  uint32_t idx[kMaxCopyDims] = {};
  // The intervals the last row started in, and how many on from the row
  // before's they were (detail::rowInterval).
  uint32_t rowA = a, rowB = b, stepA = 0, stepB = 0;
  for (;;) {
    int64_t s = srcBegin, d = dstBegin;
    for (uint32_t k = 0; k < rank; ++k) {
      s += idx[k] * srcStride[k];
      d += idx[k] * dstStride[k];
    }
    // A row starts a short way on from where the last one ended (rows are
    // in increasing flat order on both sides).
    if (s < si[a].begin || s >= si[a].end)
      a = detail::rowInterval(*src, s, a, rowA, stepA);
    if (d < di[b].begin || d >= di[b].end)
      b = detail::rowInterval(*dst, d, b, rowB, stepB);
    stepA = a - rowA;
    stepB = b - rowB;
    rowA = a;
    rowB = b;
    for (int64_t left = inner;;) {
      const Interval &x = si[a], &y = di[b];
      if constexpr (Checked)
        if (s < x.begin || s >= x.end || d < y.begin || d >= y.end)
          return false;
      int64_t n = std::min({left, x.end - s, y.end - d});
      const uint8_t *sp =
          memory.tile(x.tile) + x.address + (s - x.begin) * elem;
      uint8_t *dp = memory.tile(y.tile) + y.address + (d - y.begin) * elem;
      uint64_t bytes = static_cast<uint64_t>(n) * elem;
      if (pendingBytes && pendingFrom == x.tile && pendingTo == y.tile &&
          pendingSrc + pendingBytes == sp && pendingDst + pendingBytes == dp) {
        pendingBytes += bytes;
      } else {
        if (pendingBytes &&
            !f(pendingFrom, pendingSrc, pendingTo, pendingDst, pendingBytes))
          return false;
        pendingFrom = x.tile;
        pendingTo = y.tile;
        pendingSrc = sp;
        pendingDst = dp;
        pendingBytes = bytes;
      }
      left -= n;
      if (!left)
        break;
      s += n;
      d += n;
      // Intervals are sorted and non-empty: a row that goes on past one
      // goes on in the next, or in none (checked above).
      if (s == x.end && a + 1 < ns)
        ++a;
      if (d == y.end && b + 1 < nd)
        ++b;
    }
    uint32_t k = rank;
    while (k > 0 && ++idx[k - 1] == sizes[k - 1])
      idx[--k] = 0;
    if (k == 0)
      return f(pendingFrom, pendingSrc, pendingTo, pendingDst, pendingBytes);
  }
}

} // namespace ipuc::sim

#endif // IPUC_SIM_LAYOUTCOPY_H
