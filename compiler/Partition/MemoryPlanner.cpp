//===- MemoryPlanner.cpp - Liveness-based per-tile addresses -------------===//
//
// First fit, largest block first: a block gets the lowest address that is 0
// or the (aligned) end of a placed block and overlaps no placed block live
// at the same time. Walking a tile's placed blocks in address order and
// skipping those not live with the new one finds it, but costs every placed
// block per new one: quadratic in a tile's blocks, which grow with the
// layers of a model (a transformer layer has ~500 tensors, most of them
// intermediates dead in the other layers). Here a tile's placed blocks are
// also indexed by time, so that only those live with the new block are
// visited.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/MemoryPlanner.h"

#include <algorithm>
#include <numeric>

using namespace ipuc::partition;

namespace {

struct Placed {
  int64_t begin, end, first, last;
};

/// One tile's placed blocks. Those live over many time chunks (inputs,
/// constants, outputs, long-lived intermediates) are kept in one list in
/// address order; the others in the list of every chunk they are live in.
class TilePlacer {
public:
  TilePlacer(int64_t chunkSteps, int64_t numChunks, int64_t longChunks)
      : chunkSteps(chunkSteps), longChunks(longChunks), chunks(numChunks) {}

  int64_t place(const MemoryBlock &blk, int64_t alignment) {
    auto align = [&](int64_t v) {
      return (v + alignment - 1) / alignment * alignment;
    };
    auto live = [&](const Placed &o) {
      return o.first <= blk.last && blk.first <= o.last;
    };
    // The short blocks live with `blk`, each once: a block in several of
    // the visited chunks is taken from the first of them.
    int64_t c0 = chunkOf(blk.first), c1 = chunkOf(blk.last);
    candidates.clear();
    for (int64_t c = c0; c <= c1; ++c)
      for (const Placed &o : chunks[c])
        if (std::max(c0, chunkOf(o.first)) == c && live(o))
          candidates.push_back(o);
    std::sort(candidates.begin(), candidates.end(), byBegin);
    // The walk in address order over both lists. Only the order of begins
    // matters to its answer (the lowest fitting address), not how blocks
    // with equal begins are ordered.
    int64_t address = 0;
    size_t i = 0, j = 0;
    while (i < longPlaced.size() || j < candidates.size()) {
      const Placed *o;
      if (j == candidates.size() ||
          (i < longPlaced.size() &&
           longPlaced[i].begin <= candidates[j].begin)) {
        o = &longPlaced[i++];
        if (!live(*o))
          continue;
      } else {
        o = &candidates[j++];
      }
      if (address + blk.bytes <= o->begin)
        break;
      address = std::max(address, align(o->end));
    }
    Placed p{address, address + blk.bytes, blk.first, blk.last};
    if (c1 - c0 + 1 > longChunks) {
      longPlaced.insert(
          std::upper_bound(longPlaced.begin(), longPlaced.end(), p, byBegin),
          p);
    } else {
      for (int64_t c = c0; c <= c1; ++c)
        chunks[c].push_back(p);
    }
    return address;
  }

private:
  static bool byBegin(const Placed &a, const Placed &b) {
    return a.begin < b.begin;
  }
  int64_t chunkOf(int64_t step) const {
    return std::clamp<int64_t>(step / chunkSteps, 0,
                               int64_t(chunks.size()) - 1);
  }

  int64_t chunkSteps, longChunks;
  std::vector<std::vector<Placed>> chunks;
  std::vector<Placed> longPlaced;
  std::vector<Placed> candidates;
};

} // namespace

std::vector<int64_t>
ipuc::partition::assignAddresses(std::vector<MemoryBlock> &blocks,
                                 int64_t numTiles, int64_t alignment) {
  std::vector<int64_t> peak(numTiles, 0);
  // Larger, longer-lived blocks first packs better (a common heuristic for
  // offline interval allocation); ties keep program order. Tiles are
  // independent: grouped by tile, each tile's blocks in that order.
  std::vector<size_t> order(blocks.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (blocks[a].tile != blocks[b].tile)
      return blocks[a].tile < blocks[b].tile;
    return blocks[a].bytes > blocks[b].bytes;
  });
  int64_t lastStep = 0;
  for (const MemoryBlock &blk : blocks)
    lastStep = std::max(lastStep, blk.last);
  // About 256 chunks of time; a block live in more than 8 of them is long.
  int64_t chunkSteps = lastStep / 256 + 1;
  int64_t numChunks = lastStep / chunkSteps + 1;
  for (size_t k = 0; k < order.size();) {
    int64_t tile = blocks[order[k]].tile;
    TilePlacer placer(chunkSteps, numChunks, /*longChunks=*/8);
    for (; k < order.size() && blocks[order[k]].tile == tile; ++k) {
      MemoryBlock &blk = blocks[order[k]];
      blk.address = placer.place(blk, alignment);
      if (tile >= 0 && tile < numTiles)
        peak[tile] = std::max(peak[tile], blk.address + blk.bytes);
    }
  }
  return peak;
}
