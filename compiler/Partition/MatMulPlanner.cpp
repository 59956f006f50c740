//===- MatMulPlanner.cpp - Block grid of a (batch) matmul over tiles -----===//

#include "compiler/Partition/MatMulPlanner.h"

#include <algorithm>
#include <cmath>

using namespace ipuc;
using namespace ipuc::partition;

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::string MatMulGrid::str() const {
  return std::to_string(pb) + "x" + std::to_string(pm) + "x" +
         std::to_string(pn) + "x" + std::to_string(pk);
}

namespace {
/// The pieces of one grid's model that do not depend on the chunk count.
struct GridShape {
  int64_t bb, bm, bn, bk;
  /// Bytes per tile: result block, B home share, and per unit of chunk k.
  int64_t cBytes, homeBytes, perK;
  /// Reduce phase (pk > 1): partial piece elements and its peak bytes.
  int64_t piece, reduceBytes;
};
} // namespace

static GridShape shapeOf(const MatMulProblem &p, const MatMulGrid &g) {
  GridShape s;
  int64_t eb = p.elemBytes;
  s.bb = ceilDiv(p.batch, g.pb);
  s.bm = ceilDiv(p.m, g.pm);
  s.bn = ceilDiv(p.n, g.pn);
  s.bk = ceilDiv(p.k, g.pk);
  int64_t bBatch = p.rhsBatched ? s.bb : 1;
  s.cBytes = s.bb * s.bm * p.mInner * s.bn * eb;
  s.homeBytes =
      p.rhsHomed ? ceilDiv(bBatch * s.bk * p.kWindow * s.bn, g.pm) * eb : 0;
  s.perK =
      (s.bb * p.aRows(s.bm) * p.aRowElems + bBatch * p.kWindow * s.bn) * eb;
  s.piece = 0;
  s.reduceBytes = 0;
  if (g.pk > 1) {
    // Each tile of a k-group reduces 1/pk of the block's rows: it receives
    // the pk - 1 remote partials of its piece and writes the result piece.
    s.piece = s.bb * ceilDiv(s.bm, g.pk) * p.mInner * s.bn;
    s.reduceBytes = s.cBytes + s.homeBytes + s.piece * g.pk * eb;
  }
  return s;
}

void ipuc::partition::costMatMulGrid(const sim::DeviceModel &dev,
                                     const MatMulProblem &p, MatMulGrid &g) {
  GridShape s = shapeOf(p, g);
  g.bb = s.bb, g.bm = s.bm, g.bn = s.bn, g.bk = s.bk;
  g.ck = ceilDiv(g.bk, g.sk);
  int64_t eb = p.elemBytes;
  double tiles = g.tiles();
  int64_t bBatch = p.rhsBatched ? g.bb : 1;
  double lhsShare = p.lhsShare >= 0 ? p.lhsShare
                                    : double(p.batch) * p.aRows(p.m) *
                                          p.aRowElems * p.k / tiles;
  double rhsShare = p.rhsShare >= 0 ? p.rhsShare
                                    : double(p.rhsBatched ? p.batch : 1) * p.k *
                                          p.kWindow * p.n / tiles;
  // One serial step: each tile receives its A chunk and its B chunk (only
  // the part homed elsewhere when B is homed). A linearly mapped A is sent
  // by every tile in each step (a chunk is a column range of every row),
  // each element to the pn tiles of its row block (a convolution's row
  // blocks also share their halo rows); a linearly mapped B row belongs to
  // one chunk, and chunkAtStep spreads its requests (pm tiles, times pb when
  // B is shared by the batch blocks) over the steps. A homed B slice goes
  // to the pm - 1 other consumers.
  double aChunk = double(g.bb) * p.aRows(g.bm) * p.aRowElems * g.ck * eb;
  double bChunk = double(bBatch) * g.ck * p.kWindow * g.bn * eb;
  double bRemote = p.rhsHomed ? bChunk * double(g.pm - 1) / g.pm : bChunk;
  double halo = double(p.aRows(g.bm)) / g.bm;
  double sentA = lhsShare * eb * g.pn * halo / g.sk;
  double bUsers = double(g.pm) * (p.rhsBatched ? 1 : g.pb);
  double sentB =
      p.rhsHomed ? bRemote : rhsShare * eb * std::ceil(bUsers / g.sk);
  double gather = sim::tileExchangeCycles(dev, (uint64_t)(sentA + sentB),
                                          (uint64_t)(aChunk + bRemote));
  // A homed B splits a tile's chunk into its own slice and the remote rows
  // before and after it: up to three vertices per batch element (a
  // convolution vertex covers the whole batch block).
  size_t vertices =
      (p.rhsBatched ? g.bb : 1) * (p.rhsHomed && g.pm > 1 ? 3 : 1);
  double work = sim::matMulWorkCycles(
      dev, p.dtype,
      sim::matMulFlops(g.bb, g.bm * p.mInner, g.bn, g.ck * p.kWindow));
  double step = sim::exchangePhaseCycles(dev, gather) + dev.syncCycles +
                sim::tileComputeCycles(dev, work, vertices);
  double cycles = step * g.sk;
  g.bytesPerTile = s.cBytes + s.homeBytes + s.perK * g.ck;
  if (g.pk > 1) {
    // The tile's own partial is read in place; pk - 1 arrive by exchange.
    double bytes = double(s.piece) * (g.pk - 1) * eb;
    double reduceEx =
        sim::tileExchangeCycles(dev, (uint64_t)bytes, (uint64_t)bytes);
    cycles += dev.syncCycles + sim::exchangePhaseCycles(dev, reduceEx);
    double reduceWork =
        sim::genericWorkCycles(dev, s.piece, double(g.pk - 1), (size_t)eb);
    cycles += sim::tileComputeCycles(dev, reduceWork, 1);
    g.bytesPerTile = std::max(g.bytesPerTile, s.reduceBytes);
  }
  g.cycles = cycles;
}

std::vector<int64_t> ipuc::partition::splitCandidates(int64_t dim,
                                                      int64_t cap) {
  std::vector<int64_t> out;
  cap = std::max<int64_t>(1, std::min(dim, cap));
  // v runs over the smallest split of each block size b = ceil(dim / v):
  // the next smaller block size b - 1 first occurs at ceil(dim / (b - 1)).
  for (int64_t v = 1; v <= cap;) {
    out.push_back(v);
    int64_t b = ceilDiv(dim, v);
    if (b <= 1)
      break;
    v = ceilDiv(dim, b - 1);
  }
  return out;
}

/// Whether grid `g` is preferred to `best`: fewer cycles; ties go to fewer
/// tiles, then to not splitting k over tiles, then to fewer chunks.
static bool better(const MatMulGrid &g, const MatMulGrid &best) {
  if (g.cycles != best.cycles)
    return g.cycles < best.cycles;
  if (g.tiles() != best.tiles())
    return g.tiles() < best.tiles();
  if (g.pk != best.pk)
    return g.pk < best.pk;
  return g.sk < best.sk;
}

MatMulGrid ipuc::partition::planMatMul(const sim::DeviceModel &dev,
                                       const MatMulProblem &p, int64_t tiles,
                                       int64_t memoryBudget) {
  MatMulGrid best, smallest;
  bool haveBest = false, haveSmallest = false;
  double rate = p.dtype == plan::DType::F16 || p.dtype == plan::DType::BF16
                    ? dev.fp16MatmulFlopsPerCycle
                    : dev.fp32MatmulFlopsPerCycle;
  std::vector<int64_t> ks =
      splitCandidates(p.k, std::min(tiles, std::max<int64_t>(p.maxKSplit, 1)));
  for (int64_t pb : splitCandidates(p.batch, tiles))
    for (int64_t pm : splitCandidates(p.m, tiles / pb))
      for (int64_t pn : splitCandidates(p.n, tiles / (pb * pm)))
        for (int64_t pk : ks) {
          if (pb * pm * pn * pk > tiles)
            break;
          MatMulGrid g;
          g.pb = pb, g.pm = pm, g.pn = pn, g.pk = pk;
          GridShape s = shapeOf(p, g);
          // A tile's matmul work plus the bytes it must receive bound its
          // cycles from below (BSP phases do not overlap); most grids are
          // discarded here without modelling them.
          double received = double(s.perK) * s.bk;
          if (p.rhsHomed)
            received -= double(s.homeBytes);
          double bound =
              2.0 * s.bb * s.bm * p.mInner * s.bn * s.bk * p.kWindow / rate +
              received / dev.exchangeBytesPerCycle;
          if (haveBest && bound > best.cycles)
            continue;
          // The fewest chunks whose operand staging fits beside the result
          // block; no chunk count helps when the fixed part does not fit.
          int64_t room = memoryBudget - s.cBytes - s.homeBytes;
          int64_t maxChunk = room > 0 ? room / s.perK : 0;
          bool fits = maxChunk >= 1 && s.reduceBytes <= memoryBudget;
          g.sk = fits ? ceilDiv(s.bk, std::min(maxChunk, s.bk)) : 1;
          costMatMulGrid(dev, p, g);
          if (!fits) {
            if (!haveSmallest || g.bytesPerTile < smallest.bytesPerTile) {
              smallest = g;
              haveSmallest = true;
            }
            continue;
          }
          if (!haveBest || better(g, best)) {
            best = g;
            haveBest = true;
          }
        }
  return haveBest ? best : smallest;
}
