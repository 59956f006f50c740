//===- StridedCopy.cpp - A box copy as a strided loop nest ----------------===//

#include "StridedCopy.h"

#include <algorithm>

namespace ipuc::sim {

namespace {

/// One dimension of a box: `size` elements `stride` elements apart.
struct Dim {
  int64_t size, stride;
};

/// The box's dimensions of more than one element, outermost first, and where
/// it starts, if all of it is in one interval of `l`. Dimensions are at most
/// the tensor's rank; `dims` has room for that.
bool placeBox(const TensorLayout &l, const int64_t *offsets,
              const int64_t *sizes, Dim *dims, int &n, BoxPlace &place) {
  int rank = static_cast<int>(l.shape.size());
  int64_t stride = 1, first = 0, last = 0;
  n = 0;
  for (int d = rank - 1; d >= 0; --d) {
    first += offsets[d] * stride;
    last += (offsets[d] + sizes[d] - 1) * stride;
    // Innermost first here; a dimension dense with the one inside it is
    // merged into it, so that shapes which differ only in how a dense
    // stretch is split (a reshape) still pair up below.
    if (sizes[d] > 1) {
      if (n && stride == dims[n - 1].size * dims[n - 1].stride)
        dims[n - 1].size *= sizes[d];
      else
        dims[n++] = {sizes[d], stride};
    }
    stride *= l.shape[d];
  }
  std::reverse(dims, dims + n);
  auto it = std::upper_bound(
      l.intervals.begin(), l.intervals.end(), first,
      [](int64_t v, const Interval &iv) { return v < iv.begin; });
  if (it == l.intervals.begin())
    return false;
  --it;
  // The box's elements lie in [first, last]; one interval must hold both
  // ends for the box to be one tile's strided block.
  if (first >= it->end || last >= it->end)
    return false;
  place.tile = it->tile;
  place.address =
      it->address + static_cast<uint64_t>(first - it->begin) * l.elemSize;
  return true;
}

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
  // Common dimensions, innermost first: split the larger of the two
  // innermost sizes when the smaller divides it (a reshape nests).
  struct Common {
    int64_t size, srcStride, dstStride;
  } c[kInline];
  int nc = 0;
  while (ns > 0 && nd > 0) {
    Dim &a = s[ns - 1], &b = d[nd - 1];
    int64_t size = std::min(a.size, b.size);
    if (std::max(a.size, b.size) % size != 0)
      return false;
    c[nc++] = {size, a.stride, b.stride};
    auto consume = [&](Dim &x, int &n) {
      if (x.size == size) {
        --n;
      } else {
        x.size /= size;
        x.stride *= size;
      }
    };
    consume(a, ns);
    consume(b, nd);
    if (nc == static_cast<int>(kInline))
      return false;
  }
  if (ns || nd)
    return false;
  // Merge a dimension into the one inside it where both sides are dense
  // across the two.
  int nm = 0;
  for (int k = 0; k < nc; ++k) {
    if (nm && c[k].srcStride == c[nm - 1].size * c[nm - 1].srcStride &&
        c[k].dstStride == c[nm - 1].size * c[nm - 1].dstStride) {
      c[nm - 1].size *= c[k].size;
      continue;
    }
    c[nm++] = c[k];
  }
  uint64_t elem = srcLayout.elemSize;
  copy = StridedCopy();
  copy.inner = elem;
  int k = 0;
  if (nm && c[0].srcStride == 1 && c[0].dstStride == 1) {
    copy.inner = static_cast<uint64_t>(c[0].size) * elem;
    k = 1;
  }
  if (nm - k > kMaxCopyDims)
    return false;
  copy.rank = static_cast<uint32_t>(nm - k);
  for (int i = nm - 1, o = 0; i >= k; --i, ++o) {
    copy.sizes[o] = static_cast<uint32_t>(c[i].size);
    copy.srcStride[o] = c[i].srcStride * static_cast<int64_t>(elem);
    copy.dstStride[o] = c[i].dstStride * static_cast<int64_t>(elem);
  }
  return true;
}

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
