//===- Ranges.h - Overlap tests on byte ranges ------------------*- C++ -*-===//
//
// Whether an exchange may copy straight from sources to destinations comes
// down to overlap tests between [begin, end) address ranges (Decode.cpp,
// chooseDirect). Exchanges of a big plan have hundreds of thousands of
// ranges, so the tests work on sorted lists.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_RANGES_H
#define IPUC_SIM_RANGES_H

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

namespace ipuc::sim {

/// [begin, end) of host addresses.
using Range = std::pair<uintptr_t, uintptr_t>;

/// True if any of [begin, end) ranges in `a` (sorted by begin) overlaps
/// another of them.
inline bool selfOverlapping(const std::vector<Range> &a) {
  for (size_t i = 1; i < a.size(); ++i)
    if (a[i].first < a[i - 1].second)
      return true;
  return false;
}

/// True if range r overlaps any range of the sorted, disjoint `a`.
inline bool overlapsAny(const std::vector<Range> &a, Range r) {
  auto it =
      std::upper_bound(a.begin(), a.end(), r.first,
                       [](uintptr_t v, const Range &x) { return v < x.first; });
  if (it != a.begin() && std::prev(it)->second > r.first)
    return true;
  return it != a.end() && it->first < r.second;
}

/// True if any range of `src` overlaps a range of the sorted, disjoint
/// `dst`: the same answer as overlapsAny on each, but sources in address
/// order (the usual case: partitioned copies read in order) take one
/// merge-like pass instead of a binary search each.
inline bool anyOverlaps(const std::vector<Range> &dst,
                        const std::vector<Range> &src) {
  if (!std::is_sorted(src.begin(), src.end())) {
    for (const auto &r : src)
      if (overlapsAny(dst, r))
        return true;
    return false;
  }
  // dst[j] is the first range ending after r begins; disjoint sorted ranges
  // also end in order, so j only moves forward.
  size_t j = 0;
  for (const auto &r : src) {
    while (j < dst.size() && dst[j].second <= r.first)
      ++j;
    if (j == dst.size())
      return false;
    if (dst[j].first <= r.first || dst[j].first < r.second)
      return true;
  }
  return false;
}

} // namespace ipuc::sim

#endif // IPUC_SIM_RANGES_H
