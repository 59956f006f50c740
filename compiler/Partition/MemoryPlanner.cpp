//===- MemoryPlanner.cpp - Liveness-based per-tile addresses -------------===//

#include "compiler/Partition/MemoryPlanner.h"

#include <algorithm>
#include <map>
#include <tuple>

using namespace ipuc::partition;

std::vector<int64_t>
ipuc::partition::assignAddresses(std::vector<MemoryBlock> &blocks,
                                 int64_t numTiles, int64_t alignment) {
  std::vector<int64_t> peak(numTiles, 0);
  std::map<int64_t, std::vector<size_t>> byTile;
  for (size_t i = 0; i < blocks.size(); ++i)
    byTile[blocks[i].tile].push_back(i);
  auto align = [&](int64_t v) {
    return (v + alignment - 1) / alignment * alignment;
  };
  for (auto &[tile, indices] : byTile) {
    // Larger, longer-lived blocks first packs better (a common heuristic for
    // offline interval allocation); ties keep program order.
    std::stable_sort(indices.begin(), indices.end(), [&](size_t a, size_t b) {
      return blocks[a].bytes > blocks[b].bytes;
    });
    // Placed blocks in address order. Walking them in that order and
    // skipping those not live at the same time visits the same busy ranges,
    // in the same order, as collecting and sorting them per block did, so
    // the addresses are unchanged; but it needs no allocation or sort per
    // block and stops at the first gap that fits.
    struct Placed {
      int64_t begin, end, first, last;
      bool operator<(const Placed &o) const {
        return std::tie(begin, end) < std::tie(o.begin, o.end);
      }
    };
    std::vector<Placed> placed;
    for (size_t i : indices) {
      MemoryBlock &blk = blocks[i];
      int64_t address = 0;
      for (const Placed &o : placed) {
        if (!(o.first <= blk.last && blk.first <= o.last))
          continue;
        if (address + blk.bytes <= o.begin)
          break;
        address = std::max(address, align(o.end));
      }
      blk.address = address;
      Placed p{address, address + blk.bytes, blk.first, blk.last};
      placed.insert(std::upper_bound(placed.begin(), placed.end(), p), p);
      if (tile >= 0 && tile < numTiles)
        peak[tile] = std::max(peak[tile], address + blk.bytes);
    }
  }
  return peak;
}
