//===- LayoutCopy.cpp - A box copy walked through the layouts -------------===//

#include "LayoutCopy.h"

#include "CommonDims.h"

#include <algorithm>

namespace ipuc::sim {

namespace {

/// A dimension in elements of the flat tensor: `size` steps of `stride`.
struct FlatDim {
  int64_t size, stride;
};

/// The box's dimensions of more than one element, innermost first, with a
/// dimension dense with the one inside it merged into it (so that boxes
/// which differ only in how a dense stretch is split still pair up); and
/// the flat element where the box starts.
int flatDims(const TensorLayout &l, const int64_t *offsets,
             const int64_t *sizes, FlatDim *dims, int64_t &first) {
  int n = 0;
  int64_t stride = 1;
  first = 0;
  for (int d = static_cast<int>(l.shape.size()) - 1; d >= 0; --d) {
    first += offsets[d] * stride;
    if (sizes[d] > 1) {
      if (n && stride == dims[n - 1].size * dims[n - 1].stride)
        dims[n - 1].size *= sizes[d];
      else
        dims[n++] = {sizes[d], stride};
    }
    stride *= l.shape[d];
  }
  return n;
}

/// A dimension of the copy: `size` steps of the two element strides.
using Common = CommonDim;

} // namespace

bool describeLayoutCopy(const TensorLayout &src, const int64_t *srcOffsets,
                        const int64_t *srcSizes, const TensorLayout &dst,
                        const int64_t *dstOffsets, const int64_t *dstSizes,
                        LayoutCopy &copy) {
  if (src.elemSize != dst.elemSize || src.intervals.empty() ||
      dst.intervals.empty())
    return false;
  constexpr size_t kInline = 16;
  if (std::max(src.shape.size(), dst.shape.size()) > kInline / 2)
    return false;
  for (size_t d = 0; d < src.shape.size(); ++d)
    if (srcSizes[d] == 0)
      return false;
  FlatDim s[kInline], t[kInline];
  int64_t srcFirst = 0, dstFirst = 0;
  int ns = flatDims(src, srcOffsets, srcSizes, s, srcFirst);
  int nd = flatDims(dst, dstOffsets, dstSizes, t, dstFirst);
  // Common dimensions, innermost first (as describeBoxCopy does).
  Common c[kInline];
  int nc = 0;
  if (!pairCommonDims(s, ns, t, nd, c, nc, static_cast<int>(kInline)))
    return false;
  // Merge a dimension into the one inside it where both sides are dense
  // across the two; the innermost, if contiguous on both sides, is the row.
  int nm = mergeDenseDims(c, nc);
  copy = LayoutCopy();
  copy.src = &src;
  copy.dst = &dst;
  copy.srcBegin = srcFirst;
  copy.dstBegin = dstFirst;
  if (!setCopyLoops(c, nm, 1, copy))
    return false;
  copy.srcFirst = detail::findInterval(src, srcFirst, 0);
  copy.dstFirst = detail::findInterval(dst, dstFirst, 0);
  return true;
}

namespace detail {

uint32_t findInterval(const TensorLayout &l, int64_t e, uint32_t from) {
  const IntervalList &ivs = l.intervals;
  auto before = [](int64_t v, const Interval &iv) { return v < iv.begin; };
  size_t n = ivs.size(), lo = 0, hi = n;
  if (from < n && ivs[from].begin <= e && e < ivs[from].end)
    return from;
  // A walk through the intervals (a layout copy run) asks for the next one:
  // it is at hand, where the index is one more load from elsewhere.
  if (size_t{from} + 1 < n && ivs[from].begin <= e &&
      ivs[from + 1].begin <= e && e < ivs[from + 1].end)
    return from + 1;
  if (uint32_t i; l.lookUp(e, i))
    return i;
  if (from < n && ivs[from].begin <= e) {
    const Interval &f = ivs[from];
    // Intervals of a split tensor are mostly of one length: stepping by the
    // length of the last one lands on the interval, or next to it, in one
    // probe, where a search would touch a cache line per step.
    size_t g = std::min(
        n - 1, from + static_cast<size_t>((e - f.begin) / (f.end - f.begin)));
    if (ivs[g].begin > e) {
      lo = from + 1;
      hi = g;
    } else {
      // Then gallop from the guess: the interval is at or a few after it.
      lo = g;
      size_t step = 1;
      while (n - lo > step && ivs[lo + step].begin <= e) {
        lo += step;
        step *= 2;
      }
      hi = n - lo > step ? lo + step : n;
      ++lo;
    }
  }
  auto it = std::upper_bound(ivs.begin() + lo, ivs.begin() + hi, e, before);
  if (it == ivs.begin())
    return 0;
  return static_cast<uint32_t>(std::prev(it) - ivs.begin());
}

} // namespace detail

} // namespace ipuc::sim
