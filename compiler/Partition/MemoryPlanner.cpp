//===- MemoryPlanner.cpp - Liveness-based per-tile addresses -------------===//

#include "compiler/Partition/MemoryPlanner.h"

#include <algorithm>
#include <map>

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
    std::vector<size_t> placed;
    for (size_t i : indices) {
      MemoryBlock &blk = blocks[i];
      // Address ranges of already placed blocks that are live at the same
      // time, sorted by address; take the lowest gap that fits.
      std::vector<std::pair<int64_t, int64_t>> busy;
      for (size_t j : placed) {
        const MemoryBlock &o = blocks[j];
        if (o.first <= blk.last && blk.first <= o.last)
          busy.push_back({o.address, o.address + o.bytes});
      }
      std::sort(busy.begin(), busy.end());
      int64_t address = 0;
      for (auto [b, e] : busy) {
        if (address + blk.bytes <= b)
          break;
        address = std::max(address, align(e));
      }
      blk.address = address;
      placed.push_back(i);
      if (tile >= 0 && tile < numTiles)
        peak[tile] = std::max(peak[tile], address + blk.bytes);
    }
  }
  return peak;
}
