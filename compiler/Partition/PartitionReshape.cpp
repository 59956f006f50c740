//===- PartitionReshape.cpp - reshapes as on-tile copies ------------------
//===//
//
// A reshape keeps its source's flat intervals on the same tiles, so it is an
// on-tile copy of the pieces that are boxes of both shapes.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/Partitioner.h"

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;
namespace bsp = ipuc::bsp;

LogicalResult Partitioner::partitionReshape(Operation *op, Value src) {
  FailureOr<Buffer *> srcBuf = get(src, op);
  if (failed(srcBuf))
    return failure();
  Value result = op->getResult(0);
  Shape from = shapeOf(src.getType()), to = shapeOf(result.getType());
  Buffer &buf =
      newTensor(op->getLoc(), nameFor(op), bsp::TensorRole::intermediate,
                result.getType(), (*srcBuf)->ranges);
  bufferOf[result] = &buf;
  // Same flat intervals on the same tiles: reshaping is an on-tile copy of
  // pieces that are boxes of both shapes.
  auto cs = newComputeSet(op->getLoc(), nameFor(op));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&cs.getBody().front());
  for (const TileRange &r : buf.ranges) {
    std::vector<int64_t> cuts = commonBoxBoundaries(from, to, r.begin, r.end);
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      Box s = rangeToBoxes(from, cuts[i], cuts[i + 1]).front();
      Box d = rangeToBoxes(to, cuts[i], cuts[i + 1]).front();
      b.create<bsp::CopyVertexOp>(
          op->getLoc(), r.tile, ValueRange{(*srcBuf)->value},
          b.getArrayAttr({boxAttr(s)}), ValueRange{buf.value},
          b.getArrayAttr({boxAttr(d)}), FloatAttr());
    }
  }
  return success();
}
