//===- CommonDims.h - Pairing two boxes' dimensions for a copy -*- C++ -*-===//
//
// A box copy reads its source and writes its destination in the same
// row-major element order; when the two sides' dimensions nest (one side's
// innermost size divides the other's), the copy is a loop nest over common
// dimensions, each stepping both sides at their own stride. Both the strided
// copy descriptor and the layout walk need that pairing, and the same loop
// nest made of it.
//
//===----------------------------------------------------------------------===//

#ifndef IPUC_RUNTIME_SIM_COMMONDIMS_H
#define IPUC_RUNTIME_SIM_COMMONDIMS_H

#include <algorithm>
#include <cstdint>

namespace ipuc::sim {

/// A dimension of the copy: `size` steps of the source's and the
/// destination's stride (in whatever unit the caller's strides are).
struct CommonDim {
  int64_t size, srcStride, dstStride;
};

/// Pairs `s` (ns dims) and `d` (nd dims), each innermost first with `size`
/// and `stride` members, into `c`: the larger of the two innermost sizes is
/// split when the smaller divides it (a reshape nests). Consumes `s` and `d`.
/// False if the two do not nest or more than `capacity` dims are needed.
template <typename Dim>
bool pairCommonDims(Dim *s, int ns, Dim *d, int nd, CommonDim *c, int &nc,
                    int capacity) {
  nc = 0;
  int is = 0, id = 0;
  while (is < ns && id < nd) {
    Dim &a = s[is], &b = d[id];
    int64_t size = std::min(a.size, b.size);
    if (std::max(a.size, b.size) % size != 0 || nc == capacity)
      return false;
    c[nc++] = {size, a.stride, b.stride};
    auto consume = [&](Dim &x, int &i) {
      if (x.size == size) {
        ++i;
      } else {
        x.size /= size;
        x.stride *= size;
      }
    };
    consume(a, is);
    consume(b, id);
  }
  return is == ns && id == nd;
}

/// Merges, in place, each of the `nc` dimensions of `c` (innermost first)
/// into the one inside it where both sides are dense across the two;
/// returns how many remain.
inline int mergeDenseDims(CommonDim *c, int nc) {
  int nm = 0;
  for (int k = 0; k < nc; ++k) {
    if (nm && c[k].srcStride == c[nm - 1].size * c[nm - 1].srcStride &&
        c[k].dstStride == c[nm - 1].size * c[nm - 1].dstStride) {
      c[nm - 1].size *= c[k].size;
      continue;
    }
    c[nm++] = c[k];
  }
  return nm;
}

/// Fills `copy`'s loop nest from the `nm` merged dimensions of `c`
/// (innermost first): the innermost is the contiguous row when both sides
/// step it by `unit` (then `copy.inner` is its size times `unit`, else
/// `unit`), the others are the outer loops, outermost first. False if more
/// outer loops remain than `copy.sizes` holds.
template <typename Copy>
bool setCopyLoops(const CommonDim *c, int nm, int64_t unit, Copy &copy) {
  constexpr int kMaxDims =
      static_cast<int>(sizeof(copy.sizes) / sizeof(copy.sizes[0]));
  using Inner = decltype(copy.inner);
  copy.inner = static_cast<Inner>(unit);
  int k = 0;
  if (nm && c[0].srcStride == unit && c[0].dstStride == unit) {
    copy.inner = static_cast<Inner>(c[0].size * unit);
    k = 1;
  }
  if (nm - k > kMaxDims)
    return false;
  copy.rank = static_cast<uint32_t>(nm - k);
  for (int i = nm - 1, o = 0; i >= k; --i, ++o) {
    copy.sizes[o] = static_cast<uint32_t>(c[i].size);
    copy.srcStride[o] = c[i].srcStride;
    copy.dstStride[o] = c[i].dstStride;
  }
  return true;
}

} // namespace ipuc::sim

#endif // IPUC_RUNTIME_SIM_COMMONDIMS_H
