//===- PartitionFill.cpp - linalg.fill ------------------------------------
//===//
//
// A fill becomes one fill vertex per box of its linear mapping.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/Partitioner.h"

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;
namespace bsp = ipuc::bsp;

LogicalResult Partitioner::partitionFill(linalg::FillOp op) {
  Attribute value = constantValue(op.value());
  if (!value)
    return op->emitError("'linalg.fill' with a non-constant value is not "
                         "supported by the ipu target yet");
  Value result = op->getResult(0);
  Shape shape = shapeOf(result.getType());
  Buffer &buf =
      newTensor(op.getLoc(), nameFor(op), bsp::TensorRole::intermediate,
                result.getType(), linear(shape));
  bufferOf[result] = &buf;
  fillBuffer(buf, cast<TypedAttr>(value), op.getLoc(), nameFor(op));
  return success();
}

void Partitioner::fillBuffer(Buffer &buf, TypedAttr value, Location loc,
                             StringRef name) {
  Shape shape = shapeOf(cast<bsp::BufferType>(buf.value.getType()));
  auto cs = newComputeSet(loc, name);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&cs.getBody().front());
  for (const TileRange &r : buf.ranges)
    for (const Box &box : rangeToBoxes(shape, r.begin, r.end))
      b.create<bsp::FillVertexOp>(loc, r.tile, ValueRange{buf.value},
                                  b.getArrayAttr({boxAttr(box)}), value,
                                  /*flops=*/FloatAttr());
}
