//===- GridChoice.cpp - The block grid of a matmul or convolution --------===//
//
// A matmul or convolution runs on the grid in its `ipuc.grid` attribute when
// it has one (written by ipuc-plan-matmul-grids, or by hand to force a grid),
// and on the planner's choice otherwise. A written grid is checked against
// what the lowerings can build: the tiles there are, a block per tile that
// fits in a tile's memory, no batch split of a plain matmul and no k split
// of a convolution (which has no partial-sum reduce).
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/Partitioner.h"

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;

static constexpr StringLiteral kGridAttr = "ipuc.grid";

FailureOr<bool> Partitioner::declineGrid(Operation *op) {
  if (!op->hasAttr(kGridAttr))
    return false;
  return op->emitError()
         << "'" << kGridAttr
         << "' cannot be honoured: this op is not lowered on a block grid "
            "(only linalg.matmul, linalg.batch_matmul and "
            "linalg.conv_2d_nhwc_fhwc of one float type are)";
}

/// The forced grid `attr` for `p` with its block sizes and modelled cost, or
/// an error on `op` saying why it cannot be built.
static FailureOr<MatMulGrid> honourGrid(Operation *op, bsp::GridAttr attr,
                                        const MatMulProblem &p,
                                        const sim::DeviceModel &dev,
                                        int64_t tiles) {
  MatMulGrid g;
  g.pb = attr.getPb(), g.pm = attr.getPm(), g.pn = attr.getPn();
  g.pk = attr.getPk(), g.sk = attr.getKChunks();
  if (g.tiles() > tiles)
    return op->emitError() << "grid " << g.str() << " needs " << g.tiles()
                           << " tiles but the device has " << tiles;
  // A matmul's batch is 1 only when it has no batch dim (rank 2); a
  // convolution's images are always its batch.
  if (g.pb > 1 && isa<linalg::MatmulOp>(op))
    return op->emitError() << "grid " << g.str()
                           << " splits a batch dimension that a rank-2 "
                              "linalg.matmul does not have (pb must be 1)";
  if (g.pk > p.maxKSplit)
    return op->emitError() << "grid " << g.str() << " splits k over " << g.pk
                           << " tiles but this op's lowering has no "
                              "partial-sum reduce (pk must be at most "
                           << p.maxKSplit << ")";
  // More blocks than elements would leave tiles without work and the
  // modelled cost describing blocks that are never built.
  struct Dim {
    const char *name;
    int64_t count, size;
  } dims[] = {{"pb", g.pb, p.batch},
              {"pm", g.pm, p.m},
              {"pn", g.pn, p.n},
              {"pk", g.pk, p.k}};
  for (const Dim &d : dims)
    if (d.count > d.size)
      return op->emitError() << "grid " << g.str() << " has " << d.name << " = "
                             << d.count << " blocks along a dim of " << d.size;
  costMatMulGrid(dev, p, g);
  if (g.sk > g.bk)
    return op->emitError() << "k_chunks = " << g.sk << " is more chunks than "
                           << "the " << g.bk << " k rows of a block";
  if (g.bytesPerTile > dev.sramBytesPerTile)
    return op->emitError() << "grid " << g.str() << " with " << g.sk
                           << " k chunks needs " << g.bytesPerTile
                           << " bytes per tile for its blocks, more than the "
                           << dev.sramBytesPerTile
                           << " bytes of a tile's memory";
  return g;
}

FailureOr<MatMulGrid> Partitioner::chooseGrid(Operation *op,
                                              const MatMulProblem &p) {
  MatMulGrid g;
  if (Attribute attr = op->getAttr(kGridAttr)) {
    auto grid = dyn_cast<bsp::GridAttr>(attr);
    if (!grid)
      return op->emitError()
             << "'" << kGridAttr << "' must be a #bsp.grid, not " << attr;
    FailureOr<MatMulGrid> forced = honourGrid(op, grid, p, dev, tiles);
    if (failed(forced))
      return failure();
    g = *forced;
  } else {
    // Leave half of each tile for the tensors around the op.
    g = planMatMul(dev, p, tiles, dev.sramBytesPerTile / 2);
  }
  if (onGrid)
    onGrid(op, g);
  return g;
}
