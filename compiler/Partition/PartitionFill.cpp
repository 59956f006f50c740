//===- PartitionFill.cpp - linalg.fill ------------------------------------
//===//
//
// A fill becomes one fill vertex per box of its linear mapping. A fill of
// zero is deferred until something reads it: the accumulator of a matmul or
// convolution is such a fill, and their first vertex per block overwrites
// the block (`accumulate = false`), so for them the fill was a compute set
// of fill vertices writing a tensor nobody read. Its mapping is chosen when
// the fill is met, as for any other op.
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
  if (isZeroInit(result)) {
    deferredFills.try_emplace(result, DeferredFill{linear(shape),
                                                   cast<TypedAttr>(value),
                                                   op.getLoc(), nameFor(op)});
    return success();
  }
  Buffer &buf =
      newTensor(op.getLoc(), nameFor(op), bsp::TensorRole::intermediate,
                result.getType(), linear(shape));
  bufferOf[result] = &buf;
  fillBuffer(buf, cast<TypedAttr>(value), op.getLoc(), nameFor(op));
  return success();
}

Buffer *Partitioner::materializeFill(Value v) {
  auto it = deferredFills.find(v);
  if (it == deferredFills.end())
    return nullptr;
  DeferredFill fill = std::move(it->second);
  deferredFills.erase(it);
  // A lowering may ask for the fill while it fills a compute set of its
  // own: the fill's compute set then goes before that step.
  OpBuilder::InsertionGuard guard(b);
  if (b.getInsertionBlock() != tensorBlock)
    b.setInsertionPoint(tensorBlock->findAncestorOpInBlock(
        *b.getInsertionBlock()->getParentOp()));
  Buffer &buf = newTensor(fill.loc, fill.name, bsp::TensorRole::intermediate,
                          v.getType(), std::move(fill.ranges));
  bufferOf[v] = &buf;
  fillBuffer(buf, fill.value, fill.loc, fill.name);
  return &buf;
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
