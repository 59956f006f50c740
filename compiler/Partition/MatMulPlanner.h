//===- MatMulPlanner.h - Block grid of a (batch) matmul over tiles -*- C++
//-*-===//
//
// Chooses how a batch x m x n x k matmul is cut into a grid of blocks, one
// block per tile, by modelling each candidate grid's supersteps with the
// simulator's own cost model (runtime/include/ipuc/sim/CostModel.h): the
// exchange that brings A and B blocks to their tiles, the matmul compute set,
// and, when k is split over tiles, the exchange and compute set that reduce
// the partial sums.
//
// When a grid's operand blocks do not fit in a tile's memory budget, each
// tile's k range is processed serially in `sk` chunks: one gather exchange
// and one compute set per chunk, each accumulating into the tile's result
// block, so only one chunk of A and B is resident at a time. The exchanged
// bytes are the same as without chunks; the price is sk - 1 more supersteps.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PARTITION_MATMULPLANNER_H
#define IPUC_COMPILER_PARTITION_MATMULPLANNER_H

#include "ipuc/sim/CostModel.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace ipuc::partition {

struct MatMulProblem {
  int64_t batch = 1, m = 1, n = 1, k = 1;
  int64_t elemBytes = 4;
  plan::DType dtype = plan::DType::F32;
  /// Elements of A and B on the most loaded tile of their current mapping
  /// (what that tile has to send); negative: spread evenly over the grid.
  double lhsShare = -1, rhsShare = -1;
  /// B is a constant whose home mapping the matmul chooses: each chunk of a
  /// B block is split over the block's pm consumer tiles, so each of them
  /// holds 1/pm of it and receives only the rest (PartitionMatMul.cpp).
  bool rhsHomed = false;

  // The implicit-GEMM view of a convolution (PartitionConv.cpp): batch is
  // the images, m the output rows, n the output channels, k the input
  // channels. The defaults describe a plain matmul.
  /// Result elements per unit of m and n (the output row width).
  int64_t mInner = 1;
  /// Reduction length and B elements per unit of k (the filter window).
  int64_t kWindow = 1;
  /// A rows read for r result rows: (r - 1) * aRowStride + 1 + aRowHalo,
  /// each of aRowElems elements per unit of k (input row width).
  int64_t aRowStride = 1, aRowHalo = 0, aRowElems = 1;
  /// Whether B has the batch dim (a filter is shared by all images, and one
  /// vertex then covers a tile's whole batch block).
  bool rhsBatched = true;
  /// Most k blocks over tiles: 1 when the lowering has no partial-sum reduce.
  int64_t maxKSplit = std::numeric_limits<int64_t>::max();

  int64_t aRows(int64_t rows) const {
    return (rows - 1) * aRowStride + 1 + aRowHalo;
  }
};

struct MatMulGrid {
  /// Blocks along each dimension, serial k chunks per tile, the (ceil)
  /// block sizes and the (ceil) k extent of one chunk.
  int64_t pb = 1, pm = 1, pn = 1, pk = 1, sk = 1;
  int64_t bb = 1, bm = 1, bn = 1, bk = 1, ck = 1;
  /// Modelled cycles of all supersteps and the per-tile working set (the
  /// peak over the matmul and reduce phases; staging of one chunk is dead
  /// before the next chunk's is gathered).
  double cycles = 0;
  int64_t bytesPerTile = 0;
  int64_t tiles() const { return pb * pm * pn * pk; }
  /// "pbxpmxpnxpk", the `grid` attribute of the compute sets.
  std::string str() const;
};

/// The cheapest grid using at most `tiles` tiles whose working set fits in
/// `memoryBudget` bytes per tile (with the fewest serial k chunks that make
/// it fit); if none fits, the grid with the smallest working set (the memory
/// planner then reports the overflow).
MatMulGrid planMatMul(const sim::DeviceModel &dev, const MatMulProblem &p,
                      int64_t tiles, int64_t memoryBudget);

/// Modelled cycles and working set of one grid (pb..pk and sk set); exposed
/// for tests.
void costMatMulGrid(const sim::DeviceModel &dev, const MatMulProblem &p,
                    MatMulGrid &grid);

/// The split counts worth trying along a dim of size `dim` with at most
/// `cap` blocks: for every distinct block size ceil(dim / v), the smallest
/// such v (larger ones only add empty blocks). About 2 sqrt(dim) values.
std::vector<int64_t> splitCandidates(int64_t dim, int64_t cap);

/// The chunk of a tile's k range that the tile in row `mi` of the grid
/// processes in serial step `step`. Rows start at different chunks so that,
/// in one step, the tiles sharing a B block ask for different rows of it and
/// the linearly mapped B is sent by many tiles, not by the few holding one
/// chunk's rows.
inline int64_t chunkAtStep(int64_t step, int64_t mi, int64_t sk) {
  return (step + mi) % sk;
}

} // namespace ipuc::partition

#endif // IPUC_COMPILER_PARTITION_MATMULPLANNER_H
