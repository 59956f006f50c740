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

/// The placed blocks of one tile in address order, cut by time: the
/// first-fit walk of a block only looks at blocks live at the same time, and
/// on a large program most of a tile's blocks are not (a 12-layer encoder's
/// tiles hold ~900 blocks over ~1 000 steps; walking all of them for every
/// block made the planner quadratic: over a second of its compile). Blocks
/// live over more than two buckets of the coarser level (the constants and
/// inputs, live throughout) are kept apart in `longs`, met by every walk. The
/// others are listed in levels: level 0 holds them all, each finer one cuts the
/// tile's steps into buckets and lists in each bucket, in address order, the
/// blocks whose steps touch it. A block whose steps lie within one bucket of a
/// level can only meet blocks of `longs` or of that bucket, so its walk through
/// both in address order visits the blocks live with it in the order a walk of
/// all of them does, and finds the same address.
class TileBlocks {
public:
  TileBlocks(int64_t lo, int64_t hi) : lo(lo) {
    levels.push_back({hi - lo + 1, {{}}});
    // Two finer levels, by factors of 16, while buckets hold several steps.
    for (int64_t width = (hi - lo + 1) / 16; width >= 4 && levels.size() < 3;
         width /= 16) {
      int64_t count = (hi - lo) / width + 1;
      levels.push_back({width, std::vector<std::vector<Placed>>(count)});
    }
  }

  /// The first address from which `bytes` bytes overlap no placed block
  /// live during steps [first, last], skipping only the aligned ends of the
  /// blocks in the way.
  int64_t firstFit(int64_t bytes, int64_t first, int64_t last,
                   int64_t alignment) const {
    const std::vector<Placed> &a = longs, &b = bucket(first, last);
    int64_t address = 0;
    for (size_t i = 0, j = 0; i < a.size() || j < b.size();) {
      const Placed &o =
          j == b.size() || (i < a.size() && !(b[j] < a[i])) ? a[i++] : b[j++];
      if (!(o.first <= last && first <= o.last))
        continue;
      if (address + bytes <= o.begin)
        break;
      address =
          std::max(address, (o.end + alignment - 1) / alignment * alignment);
    }
    return address;
  }

  void insert(const Placed &p) {
    auto [from, to] = std::minmax(p.first, p.last);
    bool isLong =
        levels.size() > 1 &&
        (to - lo) / levels[1].width - (from - lo) / levels[1].width >= 2;
    if (isLong) {
      longs.insert(std::upper_bound(longs.begin(), longs.end(), p), p);
      return;
    }
    for (Level &level : levels) {
      int64_t b1 = (to - lo) / level.width;
      for (int64_t b = (from - lo) / level.width; b <= b1; ++b) {
        std::vector<Placed> &list = level.buckets[b];
        list.insert(std::upper_bound(list.begin(), list.end(), p), p);
      }
    }
  }

private:
  /// The bucket of the finest level that holds steps [first, last]. A block
  /// given first > last is bucketed by the range between the two, as it is
  /// listed: a block the overlap test admits then shares a bucket with it,
  /// as for any other.
  const std::vector<Placed> &bucket(int64_t first, int64_t last) const {
    auto [from, to] = std::minmax(first, last);
    for (size_t k = levels.size(); k-- > 1;) {
      const Level &level = levels[k];
      int64_t b = (from - lo) / level.width;
      if (b == (to - lo) / level.width)
        return level.buckets[b];
    }
    return levels[0].buckets[0];
  }

  struct Level {
    int64_t width;
    std::vector<std::vector<Placed>> buckets;
  };
  int64_t lo;
  std::vector<Level> levels;
  std::vector<Placed> longs;
};
} // namespace

int64_t ipuc::partition::assignTileAddresses(std::vector<MemoryBlock> &blocks,
                                             std::vector<size_t> &indices,
                                             int64_t alignment) {
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
    int64_t address =
        placed.firstFit(blk.bytes, blk.first, blk.last, alignment);
    blk.address = address;
    placed.insert({address, address + blk.bytes, blk.first, blk.last});
    peak = std::max(peak, address + blk.bytes);
  }
  return peak;
}

using TileGroups = std::vector<std::pair<int64_t, std::vector<size_t>>>;

/// The blocks of each tile, tiles in increasing order and each tile's in
/// program order. Counted by tile (sorting the million blocks of a large
/// program showed in profiles), unless the tile numbers spread far beyond
/// the device's (a malformed program: it is not verified yet).
static TileGroups groupByTile(const std::vector<MemoryBlock> &blocks,
                              int64_t numTiles) {
  TileGroups byTile;
  if (blocks.empty())
    return byTile;
  auto [lowest, highest] =
      std::minmax_element(blocks.begin(), blocks.end(),
                          [](const MemoryBlock &a, const MemoryBlock &b) {
                            return a.tile < b.tile;
                          });
  int64_t base = lowest->tile, range = highest->tile - base;
  if (range < 0 || range >= int64_t(blocks.size()) + numTiles) {
    std::vector<std::pair<int64_t, size_t>> order;
    for (size_t i = 0; i < blocks.size(); ++i)
      order.push_back({blocks[i].tile, i});
    std::sort(order.begin(), order.end());
    for (auto [tile, i] : order) {
      if (byTile.empty() || byTile.back().first != tile)
        byTile.push_back({tile, {}});
      byTile.back().second.push_back(i);
    }
    return byTile;
  }
  std::vector<size_t> count(range + 1, 0);
  for (const MemoryBlock &blk : blocks)
    ++count[blk.tile - base];
  std::vector<size_t> slot(count.size());
  for (size_t t = 0; t < count.size(); ++t) {
    if (!count[t])
      continue;
    slot[t] = byTile.size();
    byTile.push_back({base + int64_t(t), {}});
    byTile.back().second.reserve(count[t]);
  }
  for (size_t i = 0; i < blocks.size(); ++i)
    byTile[slot[blocks[i].tile - base]].second.push_back(i);
  return byTile;
}

std::vector<int64_t>
ipuc::partition::assignAddresses(std::vector<MemoryBlock> &blocks,
                                 int64_t numTiles, int64_t alignment,
                                 const ParallelFor &parallelFor) {
  TileGroups byTile = groupByTile(blocks, numTiles);
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
