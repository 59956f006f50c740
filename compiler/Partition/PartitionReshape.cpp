//===- PartitionReshape.cpp - reshapes as on-tile copies ------------------
//===//
//
// A reshape keeps its source's flat intervals on the same tiles, so it is an
// on-tile copy of the pieces that are boxes of both shapes: a tile's whole
// block when it is one, so that a block-mapped tensor costs a copy per tile
// rather than per row.
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
  auto copy = [&](int64_t tile, const Box &s, const Box &d) {
    b.create<bsp::CopyVertexOp>(
        op->getLoc(), tile, ValueRange{(*srcBuf)->value},
        b.getArrayAttr({boxAttr(s)}), ValueRange{buf.value},
        b.getArrayAttr({boxAttr(d)}), FloatAttr());
  };
  // A tile's intervals that form one box of both shapes (the rows of a
  // matmul block whose columns are whole rows of the reshaped dims, say)
  // are one copy; otherwise each flat run is cut into pieces that are.
  for (auto &[tile, box] : tileBoxes(from, buf.ranges)) {
    Box d;
    if (sameElementsAsBox(from, box, to, d)) {
      copy(tile, box, d);
      continue;
    }
    forEachBoxRun(from, box, [&](int64_t begin, int64_t length) {
      std::vector<int64_t> cuts =
          commonBoxBoundaries(from, to, begin, begin + length);
      for (size_t i = 0; i + 1 < cuts.size(); ++i)
        copy(tile, rangeToBoxes(from, cuts[i], cuts[i + 1]).front(),
             rangeToBoxes(to, cuts[i], cuts[i + 1]).front());
    });
  }
  return success();
}
