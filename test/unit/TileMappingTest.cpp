// Tests of the partitioner's box helpers (compiler/Partition/TileMapping.h)
// against element sets enumerated by brute force.

#include "compiler/Partition/TileMapping.h"

#include <gtest/gtest.h>

#include <set>

using namespace ipuc::partition;

namespace {

/// The flat indices of `box` in `shape`, enumerated point by point.
std::vector<int64_t> elementsOf(const std::vector<int64_t> &shape,
                                const Box &box) {
  std::vector<int64_t> strides = rowMajorStrides(shape), out;
  std::vector<int64_t> at(box.offsets.begin(), box.offsets.end());
  if (box.numElements() == 0)
    return out;
  while (true) {
    int64_t flat = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      flat += at[d] * strides[d];
    out.push_back(flat);
    int64_t d = shape.size() - 1;
    while (d >= 0 && ++at[d] == box.offsets[d] + box.sizes[d]) {
      at[d] = box.offsets[d];
      --d;
    }
    if (d < 0)
      return out;
  }
}

TEST(TileMapping, ForEachBoxRunCoversTheBoxInOrder) {
  std::vector<int64_t> shape{3, 4, 5};
  for (Box box : {Box{{0, 0, 0}, {3, 4, 5}}, Box{{1, 1, 2}, {2, 2, 3}},
                  Box{{0, 2, 0}, {2, 2, 5}}, Box{{2, 3, 4}, {1, 1, 1}}}) {
    std::vector<int64_t> flat;
    forEachBoxRun(shape, box, [&](int64_t begin, int64_t length) {
      for (int64_t i = 0; i < length; ++i)
        flat.push_back(begin + i);
    });
    EXPECT_EQ(flat, elementsOf(shape, box));
  }
}

TEST(TileMapping, TileBoxesMergesTheRowsOfABlock) {
  // A 4x6 tensor in 2x3 blocks, one interval per row of a block: tile
  // (r / 2) * 2 + c / 3.
  std::vector<int64_t> shape{4, 6};
  std::vector<TileRange> ranges;
  for (int64_t r = 0; r < 4; ++r)
    for (int64_t c = 0; c < 2; ++c)
      ranges.push_back({(r / 2) * 2 + c, r * 6 + c * 3, r * 6 + c * 3 + 3});
  auto boxes = tileBoxes(shape, ranges);
  ASSERT_EQ(boxes.size(), 4u);
  std::set<int64_t> tiles;
  for (auto &[tile, box] : boxes) {
    tiles.insert(tile);
    EXPECT_EQ(box.sizes, (llvm::SmallVector<int64_t, 4>{2, 3}));
    EXPECT_EQ(box.offsets,
              (llvm::SmallVector<int64_t, 4>{(tile / 2) * 2, (tile % 2) * 3}));
  }
  EXPECT_EQ(tiles.size(), 4u);
}

TEST(TileMapping, TileBoxesKeepsALinearRangeAsItsBoxes) {
  std::vector<int64_t> shape{4, 6};
  std::vector<TileRange> ranges{{0, 0, 8}, {1, 8, 24}};
  auto boxes = tileBoxes(shape, ranges);
  // [0, 8): a row and 2 elements; [8, 24): 4 elements and 2 rows.
  ASSERT_EQ(boxes.size(), 4u);
  std::vector<int64_t> covered;
  for (auto &[tile, box] : boxes)
    for (int64_t e : elementsOf(shape, box)) {
      covered.push_back(e);
      EXPECT_EQ(tile, e < 8 ? 0 : 1);
    }
  std::sort(covered.begin(), covered.end());
  for (int64_t i = 0; i < 24; ++i)
    EXPECT_EQ(covered[i], i);
}

TEST(TileMapping, BoxOnTileChecksEveryRun) {
  std::vector<int64_t> shape{4, 6};
  std::vector<TileRange> ranges{
      {0, 0, 3}, {1, 3, 6}, {0, 6, 9}, {1, 9, 12}, {2, 12, 24}};
  EXPECT_TRUE(boxOnTile(shape, ranges, Box{{0, 0}, {2, 3}}, 0));
  EXPECT_FALSE(boxOnTile(shape, ranges, Box{{0, 0}, {2, 4}}, 0));
  EXPECT_FALSE(boxOnTile(shape, ranges, Box{{0, 0}, {3, 3}}, 0));
  EXPECT_TRUE(boxOnTile(shape, ranges, Box{{0, 3}, {2, 3}}, 1));
  EXPECT_TRUE(boxOnTile(shape, ranges, Box{{2, 0}, {2, 6}}, 2));
  EXPECT_FALSE(boxOnTile(shape, ranges, Box{{2, 0}, {2, 6}}, 1));
  // Unmapped elements are on no tile.
  EXPECT_FALSE(boxOnTile(shape, {{0, 0, 3}}, Box{{0, 0}, {1, 4}}, 0));
}

TEST(TileMapping, SameElementsAsBoxAgreesWithBruteForce) {
  std::vector<int64_t> from{8, 12}, to{8, 3, 4};
  Box out;
  // Whole groups of 4 columns are boxes of 8x3x4.
  ASSERT_TRUE(sameElementsAsBox(from, Box{{2, 4}, {3, 8}}, to, out));
  EXPECT_EQ(out.offsets, (llvm::SmallVector<int64_t, 4>{2, 1, 0}));
  EXPECT_EQ(out.sizes, (llvm::SmallVector<int64_t, 4>{3, 2, 4}));
  EXPECT_EQ(elementsOf(from, Box{{2, 4}, {3, 8}}), elementsOf(to, out));
  // Columns 2..5 cut a group: no box of 8x3x4 holds exactly them.
  EXPECT_FALSE(sameElementsAsBox(from, Box{{2, 2}, {3, 4}}, to, out));
  // One row's columns 2..5 are not a box either (they span two groups
  // partially), but a row's group is.
  EXPECT_FALSE(sameElementsAsBox(from, Box{{0, 2}, {1, 4}}, to, out));
  EXPECT_TRUE(sameElementsAsBox(from, Box{{0, 8}, {1, 4}}, to, out));
  // Flattening: only whole-row blocks stay boxes.
  EXPECT_TRUE(sameElementsAsBox(from, Box{{1, 0}, {2, 12}}, {96}, out));
  EXPECT_EQ(out.offsets, (llvm::SmallVector<int64_t, 4>{12}));
  EXPECT_FALSE(sameElementsAsBox(from, Box{{1, 0}, {2, 6}}, {96}, out));
}

} // namespace
