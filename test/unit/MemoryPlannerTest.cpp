// Tests of the per-tile memory planner (compiler/Partition/MemoryPlanner.h):
// its addresses must be the first-fit answer of a plain quadratic reference
// (every placed block of the tile examined for every new one), on random
// blocks as on a planned program's, and blocks live at the same time never
// overlap.

#include "compiler/Partition/MemoryPlanner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>

using namespace ipuc::partition;

namespace {

/// First fit by definition: per tile, blocks by decreasing size (ties in
/// input order); a block's address is the lowest of 0 and the aligned ends
/// of the placed blocks live with it that overlaps none of them.
std::vector<int64_t> referenceAddresses(std::vector<MemoryBlock> &blocks,
                                        int64_t numTiles, int64_t alignment) {
  std::vector<int64_t> peak(numTiles, 0);
  std::map<int64_t, std::vector<size_t>> byTile;
  for (size_t i = 0; i < blocks.size(); ++i)
    byTile[blocks[i].tile].push_back(i);
  auto align = [&](int64_t v) {
    return (v + alignment - 1) / alignment * alignment;
  };
  for (auto &[tile, indices] : byTile) {
    std::stable_sort(indices.begin(), indices.end(), [&](size_t a, size_t b) {
      return blocks[a].bytes > blocks[b].bytes;
    });
    std::vector<const MemoryBlock *> placed;
    for (size_t i : indices) {
      MemoryBlock &blk = blocks[i];
      std::vector<const MemoryBlock *> live;
      for (const MemoryBlock *o : placed)
        if (o->first <= blk.last && blk.first <= o->last)
          live.push_back(o);
      std::vector<int64_t> candidates{0};
      for (const MemoryBlock *o : live)
        candidates.push_back(align(o->address + o->bytes));
      std::sort(candidates.begin(), candidates.end());
      for (int64_t c : candidates) {
        bool fits = std::none_of(live.begin(), live.end(), [&](auto *o) {
          return o->address < c + blk.bytes && o->address + o->bytes > c;
        });
        if (fits) {
          blk.address = c;
          break;
        }
      }
      placed.push_back(&blk);
      if (tile >= 0 && tile < numTiles)
        peak[tile] = std::max(peak[tile], blk.address + blk.bytes);
    }
  }
  return peak;
}

/// Blocks of `tiles` tiles over `steps` steps: a few live throughout (the
/// inputs and constants of a program), the others short-lived, some long.
std::vector<MemoryBlock> randomBlocks(std::mt19937 &rng, int64_t count,
                                      int64_t tiles, int64_t steps,
                                      int64_t maxBytes) {
  std::vector<MemoryBlock> blocks;
  std::uniform_int_distribution<int64_t> tile(0, tiles - 1), step(0, steps - 1),
      bytes(0, maxBytes), kind(0, 9),
      shortSpan(0, std::max<int64_t>(steps / 50, 1));
  for (int64_t i = 0; i < count; ++i) {
    MemoryBlock blk;
    blk.tile = tile(rng);
    // Repeated sizes, so that ties in the size order matter.
    blk.bytes = kind(rng) < 3 ? 4 * (bytes(rng) % 8) : bytes(rng);
    int64_t k = kind(rng);
    if (k == 0) {
      blk.first = 0;
      blk.last = steps - 1;
    } else {
      blk.first = step(rng);
      int64_t span = k == 1 ? step(rng) : shortSpan(rng);
      blk.last = std::min(steps - 1, blk.first + span);
    }
    blk.owner = i;
    blocks.push_back(blk);
  }
  return blocks;
}

void expectSameAsReference(std::vector<MemoryBlock> blocks, int64_t numTiles,
                           int64_t alignment) {
  std::vector<MemoryBlock> expected = blocks;
  std::vector<int64_t> expectedPeak =
      referenceAddresses(expected, numTiles, alignment);
  std::vector<int64_t> peak = assignAddresses(blocks, numTiles, alignment);
  EXPECT_EQ(peak, expectedPeak);
  ASSERT_EQ(blocks.size(), expected.size());
  for (size_t i = 0; i < blocks.size(); ++i)
    ASSERT_EQ(blocks[i].address, expected[i].address)
        << "block " << i << " (tile " << blocks[i].tile << ", "
        << blocks[i].bytes << " bytes, steps " << blocks[i].first << ".."
        << blocks[i].last << ")";
  // Independently of the reference: blocks live together are disjoint.
  for (size_t i = 0; i < blocks.size(); ++i)
    for (size_t j = i + 1; j < blocks.size(); ++j) {
      const MemoryBlock &a = blocks[i], &b = blocks[j];
      if (a.tile != b.tile || a.bytes == 0 || b.bytes == 0 ||
          a.last < b.first || b.last < a.first)
        continue;
      ASSERT_TRUE(a.address + a.bytes <= b.address ||
                  b.address + b.bytes <= a.address)
          << "blocks " << i << " and " << j << " overlap";
    }
}

TEST(MemoryPlanner, BlocksNotLiveTogetherShareMemory) {
  std::vector<MemoryBlock> blocks{
      {0, 100, 0, 1, 0, 0}, {0, 60, 2, 3, 1, 0}, {0, 40, 1, 2, 2, 0}};
  std::vector<int64_t> peak = assignAddresses(blocks, 1);
  EXPECT_EQ(blocks[0].address, 0);
  // Live after block 0, before block 2 ends: above block 2.
  EXPECT_EQ(blocks[2].address, 104);
  EXPECT_EQ(blocks[1].address, 0);
  EXPECT_EQ(peak, std::vector<int64_t>{144});
}

TEST(MemoryPlanner, FillsTheFirstGapThatFits) {
  // Block 0 is gone at step 1: block 2 takes its memory at 0, and block 3
  // the first aligned address after block 2, below block 1.
  std::vector<MemoryBlock> blocks{{0, 200, 0, 0, 0, 0},
                                  {0, 100, 0, 1, 1, 0},
                                  {0, 50, 1, 1, 2, 0},
                                  {0, 20, 1, 1, 3, 0}};
  assignAddresses(blocks, 1);
  EXPECT_EQ(blocks[0].address, 0);
  EXPECT_EQ(blocks[1].address, 200);
  EXPECT_EQ(blocks[2].address, 0);
  EXPECT_EQ(blocks[3].address, 56);
}

TEST(MemoryPlanner, MatchesTheReferenceOnRandomBlocks) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 40; ++round) {
    int64_t steps = round % 4 == 0 ? 7 : 50 + 97 * round;
    int64_t tiles = 1 + round % 5;
    int64_t count = 50 + 37 * round;
    std::vector<MemoryBlock> blocks =
        randomBlocks(rng, count, tiles, steps, round % 3 ? 4096 : 17);
    expectSameAsReference(blocks, tiles, round % 2 ? 8 : 1);
  }
}

TEST(MemoryPlanner, MatchesTheReferenceOnManyStepsOneTile) {
  // More steps than time chunks, many blocks on one tile.
  std::mt19937 rng(7);
  std::vector<MemoryBlock> blocks = randomBlocks(rng, 3000, 1, 5000, 1 << 14);
  expectSameAsReference(blocks, 1, 8);
}

TEST(MemoryPlanner, MatchesTheReferenceWithStepsGivenBackwards) {
  // The planner reads first > last as the reference's overlap test does
  // (the time index must not lose such a block).
  std::mt19937 rng(99);
  std::vector<MemoryBlock> blocks = randomBlocks(rng, 1500, 2, 3000, 4096);
  for (size_t i = 0; i < blocks.size(); i += 7)
    std::swap(blocks[i].first, blocks[i].last);
  expectSameAsReference(blocks, 2, 8);
}

TEST(MemoryPlanner, TilesInAnyOrderGiveTheSameAddresses) {
  // A parallelFor that runs the tiles backwards, on one thread at a time,
  // stands for the thread pool: the result must not depend on the order.
  std::mt19937 rng(3);
  std::vector<MemoryBlock> blocks = randomBlocks(rng, 4000, 9, 2000, 4096);
  std::vector<MemoryBlock> serial = blocks;
  std::vector<int64_t> serialPeak = assignAddresses(serial, 9);
  size_t calls = 0;
  std::vector<int64_t> peak = assignAddresses(
      blocks, 9, 8, [&](size_t count, const std::function<void(size_t)> &body) {
        ++calls;
        for (size_t t = count; t-- > 0;)
          body(t);
      });
  EXPECT_EQ(calls, 1u);
  EXPECT_EQ(peak, serialPeak);
  for (size_t i = 0; i < blocks.size(); ++i)
    ASSERT_EQ(blocks[i].address, serial[i].address) << "block " << i;
}

TEST(MemoryPlanner, TilesOutsideTheDeviceGetAddressesButNoPeak) {
  // Tile numbers far apart (a malformed program, before verification) are
  // planned like any others.
  std::vector<MemoryBlock> blocks{{3, 16, 0, 0, 0, 0},
                                  {-1, 8, 0, 0, 1, 0},
                                  {int64_t(1) << 40, 8, 0, 0, 2, 0},
                                  {3, 8, 0, 0, 3, 0}};
  std::vector<int64_t> peak = assignAddresses(blocks, 2);
  EXPECT_EQ(peak, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(blocks[0].address, 0);
  EXPECT_EQ(blocks[1].address, 0);
  EXPECT_EQ(blocks[2].address, 0);
  EXPECT_EQ(blocks[3].address, 16);
}

} // namespace
