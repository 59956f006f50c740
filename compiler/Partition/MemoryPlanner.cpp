//===- MemoryPlanner.cpp - Liveness-based per-tile addresses -------------===//

#include "compiler/Partition/MemoryPlanner.h"

#include <algorithm>
#include <tuple>
#include <utility>

using namespace ipuc::partition;

namespace {
/// A placed block: its bytes [begin, end) and the steps it is live.
struct Placed {
  int64_t begin, end, first, last;
  bool operator<(const Placed &o) const {
    return std::tie(begin, end) < std::tie(o.begin, o.end);
  }
};

/// The placed blocks of one tile in address order, also cut by time: the
/// first-fit walk of a block only looks at blocks live at the same time, and
/// on a large program most of a tile's blocks are not (a 12-layer encoder's
/// tiles hold ~1 000 blocks each, and walking all of them for every block
/// made the planner quadratic: a second of its compile). Level 0 holds
/// every block; each finer level cuts the tile's steps into buckets and
/// lists in each bucket, in address order, every block whose steps touch
/// it. A block whose steps lie within one bucket of a level can only meet
/// blocks listed in that bucket, so its walk visits the blocks live with it
/// in the same order as a walk of level 0 and finds the same address.
class TileBlocks {
public:
  TileBlocks(int64_t lo, int64_t hi) : lo(lo) {
    levels.push_back({hi - lo + 1, {{}}});
    // Two finer levels, by factors of 16, while buckets hold several steps:
    // a block live throughout is listed in every bucket.
    for (int64_t width = (hi - lo + 1) / 16; width >= 4 && levels.size() < 3;
         width /= 16) {
      int64_t count = (hi - lo) / width + 1;
      levels.push_back({width, std::vector<std::vector<Placed>>(count)});
    }
  }

  /// The blocks to walk for steps [first, last]. A block given first > last
  /// is bucketed by the range between the two, as it is listed: a block the
  /// overlap test admits then shares a bucket with it, as for any other.
  const std::vector<Placed> &candidates(int64_t first, int64_t last) const {
    auto [from, to] = std::minmax(first, last);
    for (size_t k = levels.size(); k-- > 1;) {
      const Level &level = levels[k];
      int64_t b = (from - lo) / level.width;
      if (b == (to - lo) / level.width)
        return level.buckets[b];
    }
    return levels[0].buckets[0];
  }

  void insert(const Placed &p) {
    auto [from, to] = std::minmax(p.first, p.last);
    for (Level &level : levels) {
      int64_t b1 = (to - lo) / level.width;
      for (int64_t b = (from - lo) / level.width; b <= b1; ++b) {
        std::vector<Placed> &list = level.buckets[b];
        list.insert(std::upper_bound(list.begin(), list.end(), p), p);
      }
    }
  }

private:
  struct Level {
    int64_t width;
    std::vector<std::vector<Placed>> buckets;
  };
  int64_t lo;
  std::vector<Level> levels;
};
} // namespace

int64_t ipuc::partition::assignTileAddresses(std::vector<MemoryBlock> &blocks,
                                             std::vector<size_t> &indices,
                                             int64_t alignment) {
  auto align = [&](int64_t v) {
    return (v + alignment - 1) / alignment * alignment;
  };
  if (indices.empty())
    return 0;
  // Larger, longer-lived blocks first packs better (a common heuristic for
  // offline interval allocation); ties keep program order.
  std::stable_sort(indices.begin(), indices.end(), [&](size_t a, size_t b) {
    return blocks[a].bytes > blocks[b].bytes;
  });
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (size_t i : indices) {
    lo = std::min({lo, blocks[i].first, blocks[i].last});
    hi = std::max({hi, blocks[i].first, blocks[i].last});
  }
  TileBlocks placed(lo, hi);
  int64_t peak = 0;
  for (size_t i : indices) {
    MemoryBlock &blk = blocks[i];
    // Walking the placed blocks in address order and skipping those not
    // live at the same time visits the busy ranges in order; the block goes
    // into the first gap that fits.
    int64_t address = 0;
    for (const Placed &o : placed.candidates(blk.first, blk.last)) {
      if (!(o.first <= blk.last && blk.first <= o.last))
        continue;
      if (address + blk.bytes <= o.begin)
        break;
      address = std::max(address, align(o.end));
    }
    blk.address = address;
    placed.insert({address, address + blk.bytes, blk.first, blk.last});
    peak = std::max(peak, address + blk.bytes);
  }
  return peak;
}

std::vector<int64_t>
ipuc::partition::assignAddresses(std::vector<MemoryBlock> &blocks,
                                 int64_t numTiles, int64_t alignment,
                                 const ParallelFor &parallelFor) {
  // The blocks of each tile, tiles in increasing order and each tile's in
  // program order.
  std::vector<std::pair<int64_t, size_t>> order(blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i)
    order[i] = {blocks[i].tile, i};
  std::sort(order.begin(), order.end());
  std::vector<std::pair<int64_t, std::vector<size_t>>> byTile;
  for (size_t k = 0; k < order.size(); ++k) {
    if (byTile.empty() || byTile.back().first != order[k].first)
      byTile.push_back({order[k].first, {}});
    byTile.back().second.push_back(order[k].second);
  }
  // Tiles are independent: each writes only its blocks and its peak.
  std::vector<int64_t> tilePeak(byTile.size(), 0);
  auto planTile = [&](size_t t) {
    tilePeak[t] = assignTileAddresses(blocks, byTile[t].second, alignment);
  };
  if (parallelFor)
    parallelFor(byTile.size(), planTile);
  else
    for (size_t t = 0; t < byTile.size(); ++t)
      planTile(t);
  std::vector<int64_t> peak(numTiles, 0);
  for (size_t t = 0; t < byTile.size(); ++t)
    if (byTile[t].first >= 0 && byTile[t].first < numTiles)
      peak[byTile[t].first] = tilePeak[t];
  return peak;
}
