//===- SimFootprintTest.cpp - Tiles' bytes in use and extents -------------===//
//
// tileFootprints gives each tile the size of the union of its intervals'
// address ranges and their highest end. It sorts the ranges as packed
// 64-bit keys when the device's SRAM fits 32 bits and as pairs otherwise;
// both are checked here against a set of every byte in use, on random,
// overlapping ranges (the memory planner reuses addresses), with and
// without a thread pool.
//
//===----------------------------------------------------------------------===//

#include "Program.h"
#include "ThreadPool.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

using namespace ipuc;

namespace {

TEST(SimFootprint, UnionAndExtentMatchEveryByte) {
  constexpr uint32_t kTiles = 5;
  std::mt19937 rng(11);
  sim::ThreadPool pool(3);
  for (int trial = 0; trial < 60; ++trial) {
    std::vector<sim::TensorLayout> layouts(1 + rng() % 6);
    std::vector<std::set<uint64_t>> bytes(kTiles);
    std::vector<uint64_t> wantExtent(kTiles, 0);
    for (sim::TensorLayout &l : layouts) {
      l.mapped = true;
      l.elemSize = 1 + rng() % 4;
      int64_t e = 0;
      for (int i = 0, n = static_cast<int>(rng() % 20); i < n; ++i) {
        int64_t len = 1 + rng() % 9;
        uint32_t tile = rng() % (kTiles - 1); // the last tile stays unused
        uint64_t address = rng() % 200;
        l.intervals.push_back({e, e + len, tile, address});
        for (uint64_t a = address; a < address + len * l.elemSize; ++a)
          bytes[tile].insert(a);
        wantExtent[tile] =
            std::max(wantExtent[tile], address + len * l.elemSize);
        e += len;
      }
      l.shape = {e};
    }
    // And a matrix in column blocks, one per tile, its rows end to end on
    // the tile (one contiguous block, as the memory planner lays a tensor
    // out) or `gap` bytes apart (a block of separate rows).
    {
      sim::TensorLayout &l = layouts.emplace_back();
      l.mapped = true;
      l.elemSize = 4;
      int64_t rows = 1 + rng() % 6, blockCols = 1 + rng() % 5;
      uint32_t tilesUsed = 1 + rng() % (kTiles - 1);
      uint64_t gap = rng() % 2 ? 0 : 4 * (1 + rng() % 3);
      uint64_t base = 300 + rng() % 50;
      for (int64_t r = 0; r < rows; ++r)
        for (uint32_t t = 0; t < tilesUsed; ++t) {
          int64_t b = (r * tilesUsed + t) * blockCols;
          uint64_t address = base + r * (blockCols * 4 + gap);
          l.intervals.push_back({b, b + blockCols, t, address});
          for (uint64_t a = address; a < address + blockCols * 4; ++a)
            bytes[t].insert(a);
          wantExtent[t] = std::max(wantExtent[t], address + blockCols * 4);
        }
      l.shape = {rows * tilesUsed * blockCols};
    }
    // With blocks built (the simulator's layouts) the ranges come from the
    // blocks; without, from the intervals: the same footprints either way.
    if (trial % 2) {
      std::vector<int32_t> openBlock(kTiles, -1);
      for (sim::TensorLayout &l : layouts)
        l.buildBlocks(openBlock);
    }
    for (uint64_t shift : {uint64_t(0), uint64_t(1) << 33}) {
      // Shifted past 32 bits, with an SRAM to match: the pair path.
      std::vector<sim::TensorLayout> shifted = layouts;
      for (sim::TensorLayout &l : shifted) {
        for (sim::Interval &iv : l.intervals.own())
          iv.address += shift;
        for (sim::Block &b : l.blocks.own())
          b.address += shift;
      }
      uint64_t sram = shift ? shift + 4096 : 4096;
      for (sim::ThreadPool *p : {static_cast<sim::ThreadPool *>(nullptr),
                                 &pool}) {
        std::vector<uint64_t> used, extents;
        sim::tileFootprints(shifted, kTiles, sram, p, used, extents);
        ASSERT_EQ(used.size(), kTiles);
        ASSERT_EQ(extents.size(), kTiles);
        for (uint32_t t = 0; t < kTiles; ++t) {
          EXPECT_EQ(used[t], bytes[t].size())
              << "trial " << trial << " tile " << t << " shift " << shift;
          EXPECT_EQ(extents[t], wantExtent[t] ? wantExtent[t] + shift : 0)
              << "trial " << trial << " tile " << t << " shift " << shift;
        }
      }
    }
  }
}

} // namespace
