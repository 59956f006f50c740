//===- TileMapping.h - Linear tile mappings and box arithmetic --*- C++ -*-===//
//
// Pure C++ helpers of the partitioner (no MLIR): how a tensor's row-major
// elements are spread over tiles, and how a contiguous element range splits
// into rectangular boxes (the unit a vertex or an exchange copy works on).
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PARTITION_TILEMAPPING_H
#define IPUC_COMPILER_PARTITION_TILEMAPPING_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace ipuc::partition {

/// Elements [begin, end) of a tensor on `tile`.
struct TileRange {
  int64_t tile = 0;
  int64_t begin = 0, end = 0;
};

/// A rectangular region in a tensor's own coordinates. Its dims are stored
/// inline for the usual ranks: the partitioner makes millions of boxes (every
/// operand box of every vertex and of every candidate mapping), and two heap
/// vectors each were a large share of its allocations.
struct Box {
  Box() = default;
  Box(llvm::ArrayRef<int64_t> offsets, llvm::ArrayRef<int64_t> sizes)
      : offsets(offsets), sizes(sizes) {}
  llvm::SmallVector<int64_t, 4> offsets, sizes;
  int64_t numElements() const;
};

/// Spreads `numElements` over at most `numTiles` tiles, from tile 0, in
/// balanced contiguous chunks of at least `grain` elements, so that small
/// tensors use few tiles and their vertices are not dominated by launch
/// overhead. A 0-element tensor maps to nothing.
///
/// Every mapping starts at tile 0 (a round-robin cursor used to start each
/// where the last had ended): a mapping is then a function of the tensor's
/// shape and its op alone, not of how many tiles the ops before it used, so
/// the repetitions of a layer get the same mappings and so the same compute
/// sets and exchanges, which the simulator decodes once. Each op is its own
/// compute set, so small ops sharing the first tiles never run at the same
/// time (docs/cost-model.md, "Choosing a result's tile mapping").
std::vector<TileRange> linearMapping(int64_t numElements, int64_t numTiles,
                                     int64_t grain);

/// Sorts `ranges` by begin. Most come sorted (mappings are made in element
/// order and kept sorted), so they are only checked: sorting every candidate
/// and every buffer's mapping again was a visible share of partitioning.
void sortByBegin(std::vector<TileRange> &ranges);

/// Row-major element strides of `shape`.
std::vector<int64_t> rowMajorStrides(const std::vector<int64_t> &shape);

/// Splits the flat range [begin, end) of a row-major `shape` into the fewest
/// boxes that tile it in order (at most 2 * rank - 1 of them). Every box is
/// itself a contiguous flat range.
std::vector<Box> rangeToBoxes(const std::vector<int64_t> &shape, int64_t begin,
                              int64_t end);

/// Splits [begin, end) into contiguous pieces each of which is a box of both
/// `a` and `b` (shapes with the same number of elements): the pieces a
/// reshape is copied in. Returns the piece boundaries (begin, ..., end).
std::vector<int64_t> commonBoxBoundaries(const std::vector<int64_t> &a,
                                         const std::vector<int64_t> &b,
                                         int64_t begin, int64_t end);

/// The flat index of the first element of `box` and one past its last.
void boxFlatExtent(const std::vector<int64_t> &shape, const Box &box,
                   int64_t &first, int64_t &last);

/// Calls `fn(begin, length)` for each contiguous flat run of `box` of a
/// row-major `shape`, in order (one run per row of the box's last dim, or
/// one for a box whose trailing dims are whole). A template: the cost model
/// calls it for every operand box of every candidate mapping, and a
/// std::function of the caller's lambda was a heap allocation per call.
template <typename Fn>
void forEachBoxRun(const std::vector<int64_t> &shape, const Box &box, Fn &&fn);

/// Whether every element of `box` lies in a range of `ranges` (sorted by
/// begin, disjoint) on `tile`.
bool boxOnTile(const std::vector<int64_t> &shape,
               const std::vector<TileRange> &ranges, const Box &box,
               int64_t tile);

/// Whether the elements of `box` of a row-major `from` are, in the same flat
/// order, exactly a box of `to` (a shape with as many elements): then `out`
/// is that box, and a reshape copies `box` as one piece.
bool sameElementsAsBox(const std::vector<int64_t> &from, const Box &box,
                       const std::vector<int64_t> &to, Box &out);

/// The boxes a tensor mapped by `ranges` (sorted by begin, disjoint) is
/// worked on in, tile by tile: each range's boxes (rangeToBoxes), where a
/// box that continues the previous box on the same tile along one dim (the
/// next rows of a matmul block, say) is merged into it. A block-mapped
/// tensor is then one box per tile rather than one per row: fewer vertices,
/// the same elements.
std::vector<std::pair<int64_t, Box>>
tileBoxes(const std::vector<int64_t> &shape,
          const std::vector<TileRange> &ranges);

template <typename Fn>
void forEachBoxRun(const std::vector<int64_t> &shape, const Box &box, Fn &&fn) {
  int64_t rank = shape.size();
  if (box.numElements() == 0)
    return;
  if (rank == 0) {
    fn(int64_t(0), int64_t(1));
    return;
  }
  // Strides and the outer point on the stack for the usual ranks.
  constexpr int64_t kInline = 8;
  int64_t inlineStrides[kInline], inlineAt[kInline];
  std::vector<int64_t> heapStrides, heapAt;
  int64_t *strides = inlineStrides, *at = inlineAt;
  if (rank > kInline) {
    heapStrides.resize(rank);
    heapAt.resize(rank);
    strides = heapStrides.data();
    at = heapAt.data();
  }
  strides[rank - 1] = 1;
  for (int64_t i = rank - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  // Trailing dims the box covers whole join the run: [inner, rank) is one
  // contiguous block of `run` elements per point of the outer dims.
  int64_t inner = rank - 1;
  while (inner > 0 && box.offsets[inner] == 0 &&
         box.sizes[inner] == shape[inner])
    --inner;
  int64_t run = box.sizes[inner] * strides[inner];
  for (int64_t d = 0; d < inner; ++d)
    at[d] = box.offsets[d];
  while (true) {
    int64_t begin = box.offsets[inner] * strides[inner];
    for (int64_t d = 0; d < inner; ++d)
      begin += at[d] * strides[d];
    fn(begin, run);
    // Next point of the outer dims, last fastest.
    int64_t d = inner - 1;
    while (d >= 0 && ++at[d] == box.offsets[d] + box.sizes[d]) {
      at[d] = box.offsets[d];
      --d;
    }
    if (d < 0)
      return;
  }
}

} // namespace ipuc::partition

#endif // IPUC_COMPILER_PARTITION_TILEMAPPING_H
