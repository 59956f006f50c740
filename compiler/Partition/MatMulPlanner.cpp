//===- MatMulPlanner.cpp - Block grid of a (batch) matmul over tiles -----===//

#include "compiler/Partition/MatMulPlanner.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

using namespace ipuc;
using namespace ipuc::partition;

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::string MatMulGrid::str() const {
  return std::to_string(pb) + "x" + std::to_string(pm) + "x" +
         std::to_string(pn) + "x" + std::to_string(pk);
}

void ipuc::partition::costMatMulGrid(const sim::DeviceModel &dev,
                                     const MatMulProblem &p, MatMulGrid &g) {
  g.bb = ceilDiv(p.batch, g.pb);
  g.bm = ceilDiv(p.m, g.pm);
  g.bn = ceilDiv(p.n, g.pn);
  g.bk = ceilDiv(p.k, g.pk);
  int64_t eb = p.elemBytes;
  int64_t aBytes = g.bb * g.bm * g.bk * eb, bBytes = g.bb * g.bk * g.bn * eb;
  int64_t cBytes = g.bb * g.bm * g.bn * eb;
  // Operand blocks are gathered from linearly mapped tensors: each tile
  // receives its blocks and, on average, sends its share of the replicas.
  double tiles = g.tiles();
  double sent = (double(p.batch) * p.m * p.k * g.pn +
                 double(p.batch) * p.k * p.n * g.pm) *
                eb / tiles;
  double gather = sim::tileExchangeCycles(dev, (uint64_t)sent,
                                          (uint64_t)(aBytes + bBytes));
  double cycles = sim::exchangePhaseCycles(dev, gather) + dev.syncCycles;
  double work = sim::matMulWorkCycles(
      dev, p.dtype, sim::matMulFlops(1, g.bm, g.bn, g.bk));
  cycles += sim::tileComputeCycles(dev, work * g.bb, g.bb);
  g.bytesPerTile = aBytes + bBytes + cBytes;
  if (g.pk > 1) {
    // Each tile of a k-group reduces 1/pk of the block's rows from pk
    // partials (pk - 1 of them remote).
    int64_t piece = g.bb * ceilDiv(g.bm, g.pk) * g.bn;
    double bytes = double(piece) * g.pk * eb;
    double reduceEx = sim::tileExchangeCycles(dev, (uint64_t)bytes,
                                              (uint64_t)bytes);
    cycles += dev.syncCycles + sim::exchangePhaseCycles(dev, reduceEx);
    double reduceWork = sim::genericWorkCycles(dev, piece, double(g.pk - 1),
                                               (size_t)eb);
    cycles += sim::tileComputeCycles(dev, reduceWork, 1);
    g.bytesPerTile += int64_t(bytes) + piece * eb;
  }
  g.cycles = cycles;
}

/// Split counts worth trying along a dim: powers of two, divisors and the dim
/// itself, capped by the dim and the tile count.
static std::vector<int64_t> candidates(int64_t dim, int64_t tiles) {
  std::set<int64_t> out{1};
  int64_t cap = std::min(dim, tiles);
  for (int64_t v = 2; v <= cap; v *= 2)
    out.insert(v);
  for (int64_t v = 1; v * v <= dim; ++v)
    if (dim % v == 0) {
      if (v <= cap)
        out.insert(v);
      if (dim / v <= cap)
        out.insert(dim / v);
    }
  // Splits that leave the same block size are redundant: keep the smallest.
  std::vector<int64_t> result;
  std::set<int64_t> blocks;
  for (int64_t v : out)
    if (blocks.insert(ceilDiv(dim, v)).second)
      result.push_back(v);
  return result;
}

MatMulGrid ipuc::partition::planMatMul(const sim::DeviceModel &dev,
                                       const MatMulProblem &p, int64_t tiles,
                                       int64_t memoryBudget) {
  MatMulGrid best, smallest;
  bool haveBest = false, haveSmallest = false;
  for (int64_t pb : candidates(p.batch, tiles))
    for (int64_t pm : candidates(p.m, tiles / pb))
      for (int64_t pn : candidates(p.n, tiles / (pb * pm)))
        for (int64_t pk : candidates(p.k, tiles / (pb * pm * pn))) {
          MatMulGrid g;
          g.pb = pb, g.pm = pm, g.pn = pn, g.pk = pk;
          costMatMulGrid(dev, p, g);
          if (!haveSmallest || g.bytesPerTile < smallest.bytesPerTile) {
            smallest = g;
            haveSmallest = true;
          }
          if (g.bytesPerTile > memoryBudget)
            continue;
          // Ties go to fewer tiles, then to not splitting k.
          if (!haveBest || g.cycles < best.cycles ||
              (g.cycles == best.cycles &&
               (g.tiles() < best.tiles() ||
                (g.tiles() == best.tiles() && g.pk < best.pk)))) {
            best = g;
            haveBest = true;
          }
        }
  return haveBest ? best : smallest;
}
