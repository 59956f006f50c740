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

std::vector<TileRange>
ipuc::partition::linearMapping(int64_t numElements, int64_t numTiles,
                               int64_t grain, int64_t firstTile,
                               int64_t totalTiles) {
  std::vector<TileRange> out;
  if (numElements <= 0 || numTiles <= 0 || totalTiles <= 0)
    return out;
  grain = std::max<int64_t>(grain, 1);
  int64_t chunks = std::min(numTiles, (numElements + grain - 1) / grain);
  chunks = std::max<int64_t>(chunks, 1);
  // Balanced: the first `extra` chunks get one more element.
  int64_t base = numElements / chunks, extra = numElements % chunks;
  int64_t begin = 0;
  for (int64_t c = 0; c < chunks; ++c) {
    int64_t size = base + (c < extra ? 1 : 0);
    out.push_back({(firstTile + c) % totalTiles, begin, begin + size});
    begin += size;
  }
  return out;
}

std::vector<int64_t>
ipuc::partition::rowMajorStrides(const std::vector<int64_t> &shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

std::vector<Box> ipuc::partition::rangeToBoxes(const std::vector<int64_t> &shape,
                                               int64_t begin, int64_t end) {
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
        std::vector<Box> boxes = rangeToBoxes(*shape, current[i], current[i + 1]);
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
