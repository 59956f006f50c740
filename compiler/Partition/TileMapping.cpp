//===- TileMapping.cpp - Linear tile mappings and box arithmetic ---------===//

#include "compiler/Partition/TileMapping.h"

#include <algorithm>
#include <set>

using namespace ipuc::partition;

int64_t Box::numElements() const {
  int64_t n = 1;
  for (int64_t s : sizes)
    n *= s;
  return n;
}

std::vector<TileRange> ipuc::partition::linearMapping(int64_t numElements,
                                                      int64_t numTiles,
                                                      int64_t grain) {
  std::vector<TileRange> out;
  if (numElements <= 0 || numTiles <= 0)
    return out;
  grain = std::max<int64_t>(grain, 1);
  int64_t chunks = std::min(numTiles, (numElements + grain - 1) / grain);
  chunks = std::max<int64_t>(chunks, 1);
  // Balanced: the first `extra` chunks get one more element.
  int64_t base = numElements / chunks, extra = numElements % chunks;
  int64_t begin = 0;
  for (int64_t c = 0; c < chunks; ++c) {
    int64_t size = base + (c < extra ? 1 : 0);
    out.push_back({c, begin, begin + size});
    begin += size;
  }
  return out;
}

void ipuc::partition::sortByBegin(std::vector<TileRange> &ranges) {
  auto byBegin = [](const TileRange &a, const TileRange &c) {
    return a.begin < c.begin;
  };
  if (!std::is_sorted(ranges.begin(), ranges.end(), byBegin))
    std::sort(ranges.begin(), ranges.end(), byBegin);
}

std::vector<int64_t>
ipuc::partition::rowMajorStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

std::vector<Box>
ipuc::partition::rangeToBoxes(const std::vector<int64_t> &shape, int64_t begin,
                              int64_t end) {
  std::vector<Box> out;
  int64_t rank = shape.size();
  if (rank == 0) {
    if (begin < end)
      out.push_back(Box{});
    return out;
  }
  std::vector<int64_t> strides = rowMajorStrides(shape);
  int64_t total = strides[0] * shape[0];
  while (begin < end) {
    // The outermost dim j whose blocks (of strides[j] elements) start at
    // `begin` and at least one of which fits.
    int64_t j = 0;
    while (j < rank && (begin % strides[j] != 0 || begin + strides[j] > end))
      ++j;
    // j == rank cannot happen: strides[rank-1] == 1.
    int64_t outer = j == 0 ? total : strides[j - 1];
    int64_t untilOuter = (outer - begin % outer) / strides[j];
    int64_t count = std::min((end - begin) / strides[j], untilOuter);
    Box box;
    box.offsets.reserve(rank);
    box.sizes.reserve(rank);
    int64_t rest = begin;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t index = rest / strides[d];
      rest %= strides[d];
      if (d < j) {
        box.offsets.push_back(index);
        box.sizes.push_back(1);
      } else if (d == j) {
        box.offsets.push_back(index);
        box.sizes.push_back(count);
      } else {
        box.offsets.push_back(0);
        box.sizes.push_back(shape[d]);
      }
    }
    out.push_back(std::move(box));
    begin += count * strides[j];
  }
  return out;
}

std::vector<int64_t>
ipuc::partition::commonBoxBoundaries(const std::vector<int64_t> &a,
                                     const std::vector<int64_t> &b,
                                     int64_t begin, int64_t end) {
  std::set<int64_t> bounds{begin, end};
  // Refine until every piece is a single box of both shapes; each round only
  // adds boundaries, so this terminates (at worst at single elements).
  bool changed = true;
  while (changed) {
    changed = false;
    std::vector<int64_t> current(bounds.begin(), bounds.end());
    for (size_t i = 0; i + 1 < current.size(); ++i) {
      for (const std::vector<int64_t> *shape : {&a, &b}) {
        std::vector<Box> boxes =
            rangeToBoxes(*shape, current[i], current[i + 1]);
        if (boxes.size() <= 1)
          continue;
        int64_t at = current[i];
        for (const Box &box : boxes) {
          at += box.numElements();
          changed |= bounds.insert(at).second;
        }
      }
    }
  }
  return std::vector<int64_t>(bounds.begin(), bounds.end());
}

void ipuc::partition::boxFlatExtent(const std::vector<int64_t> &shape,
                                    const Box &box, int64_t &first,
                                    int64_t &last) {
  std::vector<int64_t> strides = rowMajorStrides(shape);
  first = 0;
  last = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    first += box.offsets[d] * strides[d];
    last += (box.offsets[d] + box.sizes[d] - 1) * strides[d];
  }
  last += 1;
}

bool ipuc::partition::boxOnTile(const std::vector<int64_t> &shape,
                                const std::vector<TileRange> &ranges,
                                const Box &box, int64_t tile) {
  bool on = true;
  forEachBoxRun(shape, box, [&](int64_t begin, int64_t length) {
    int64_t end = begin + length;
    while (on && begin < end) {
      auto it = std::upper_bound(
          ranges.begin(), ranges.end(), begin,
          [](int64_t v, const TileRange &r) { return v < r.begin; });
      if (it == ranges.begin()) {
        on = false;
        return;
      }
      --it;
      if (it->tile != tile || it->end <= begin) {
        on = false;
        return;
      }
      begin = it->end;
    }
  });
  return on;
}

/// Merges `next` into `open` when together they are one box: equal in all
/// dims but one, along which `next` starts where `open` ends.
static bool mergeBoxes(Box &open, const Box &next) {
  int64_t along = -1;
  for (size_t d = 0; d < open.sizes.size(); ++d) {
    if (open.offsets[d] == next.offsets[d] && open.sizes[d] == next.sizes[d])
      continue;
    if (along >= 0 || next.offsets[d] != open.offsets[d] + open.sizes[d])
      return false;
    along = d;
  }
  if (along < 0)
    return false;
  open.sizes[along] += next.sizes[along];
  return true;
}

std::vector<std::pair<int64_t, Box>>
ipuc::partition::tileBoxes(const std::vector<int64_t> &shape,
                           const std::vector<TileRange> &ranges) {
  std::vector<std::pair<int64_t, Box>> out;
  // The index in `out` of each tile's last box (or -1): only it can be
  // continued. By tile rather than a tree: this runs for every candidate
  // mapping of every op.
  int64_t minTile = 0, maxTile = -1;
  for (const TileRange &r : ranges) {
    minTile = std::min(minTile, r.tile);
    maxTile = std::max(maxTile, r.tile);
  }
  std::vector<int64_t> last(maxTile - minTile + 1, -1);
  for (const TileRange &r : ranges)
    for (Box &box : rangeToBoxes(shape, r.begin, r.end)) {
      int64_t &at = last[r.tile - minTile];
      if (at >= 0 && mergeBoxes(out[at].second, box))
        continue;
      at = out.size();
      out.push_back({r.tile, std::move(box)});
    }
  return out;
}

/// The flat runs of `box`, adjacent ones joined.
static std::vector<std::pair<int64_t, int64_t>>
joinedRuns(const std::vector<int64_t> &shape, const Box &box) {
  std::vector<std::pair<int64_t, int64_t>> runs;
  forEachBoxRun(shape, box, [&](int64_t begin, int64_t length) {
    if (!runs.empty() && runs.back().first + runs.back().second == begin)
      runs.back().second += length;
    else
      runs.push_back({begin, length});
  });
  return runs;
}

bool ipuc::partition::sameElementsAsBox(const std::vector<int64_t> &from,
                                        const Box &box,
                                        const std::vector<int64_t> &to,
                                        Box &out) {
  if (box.numElements() == 0)
    return false;
  int64_t first, last;
  boxFlatExtent(from, box, first, last);
  // The candidate is the box spanned by the first and last element in `to`'s
  // coordinates; it is the answer iff it has the same runs.
  std::vector<int64_t> strides = rowMajorStrides(to);
  out = Box{};
  int64_t a = first, z = last - 1;
  for (size_t d = 0; d < to.size(); ++d) {
    int64_t lo = a / strides[d], hi = z / strides[d];
    a %= strides[d], z %= strides[d];
    if (hi < lo)
      return false;
    out.offsets.push_back(lo);
    out.sizes.push_back(hi - lo + 1);
  }
  return out.numElements() == box.numElements() &&
         joinedRuns(from, box) == joinedRuns(to, out);
}
