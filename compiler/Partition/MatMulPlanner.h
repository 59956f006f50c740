//===- MatMulPlanner.h - Block grid of a (batch) matmul over tiles -*- C++ -*-===//
//
// Chooses how a batch x m x n x k matmul is cut into a grid of blocks, one
// block per tile, by modelling each candidate grid's supersteps with the
// simulator's own cost model (runtime/include/ipuc/sim/CostModel.h): the
// exchange that brings A and B blocks to their tiles, the matmul compute set,
// and, when k is split, the exchange and compute set that reduce the partial
// sums. Candidates whose per-tile working set exceeds the memory budget are
// discarded.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PARTITION_MATMULPLANNER_H
#define IPUC_COMPILER_PARTITION_MATMULPLANNER_H

#include "ipuc/sim/CostModel.h"

#include <cstdint>
#include <string>

namespace ipuc::partition {

struct MatMulProblem {
  int64_t batch = 1, m = 1, n = 1, k = 1;
  int64_t elemBytes = 4;
  plan::DType dtype = plan::DType::F32;
};

struct MatMulGrid {
  /// Blocks along each dimension and the (ceil) block sizes.
  int64_t pb = 1, pm = 1, pn = 1, pk = 1;
  int64_t bb = 1, bm = 1, bn = 1, bk = 1;
  /// Modelled cycles of all supersteps and the per-tile working set.
  double cycles = 0;
  int64_t bytesPerTile = 0;
  int64_t tiles() const { return pb * pm * pn * pk; }
  std::string str() const;
};

/// The cheapest grid using at most `tiles` tiles whose working set fits in
/// `memoryBudget` bytes per tile; if none fits, the grid with the smallest
/// working set (the memory planner then reports the overflow).
MatMulGrid planMatMul(const sim::DeviceModel &dev, const MatMulProblem &p,
                      int64_t tiles, int64_t memoryBudget);

/// Modelled cycles and working set of one grid (exposed for tests).
void costMatMulGrid(const sim::DeviceModel &dev, const MatMulProblem &p,
                    MatMulGrid &grid);

} // namespace ipuc::partition

#endif // IPUC_COMPILER_PARTITION_MATMULPLANNER_H
