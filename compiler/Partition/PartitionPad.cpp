//===- PartitionPad.cpp - tensor.pad with a constant value ----------------===//
//
// A pad is data movement: its result gets a linear mapping, a compute set of
// fill vertices writes the padding value on every tile of it, and one
// exchange copy moves the source into the interior box. Filling the whole
// result rather than only the border keeps the vertex count at one box per
// range; the interior is overwritten by the exchange, which costs the
// source's bytes once (charged per tile pair like any exchange).
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/Partitioner.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;
namespace bsp = ipuc::bsp;

LogicalResult Partitioner::partitionPad(tensor::PadOp op) {
  Value padValue = op.getConstantPaddingValue();
  Attribute value = padValue ? constantValue(padValue) : Attribute();
  if (!value)
    return op->emitError("'tensor.pad' whose padding value is not a constant "
                         "is not supported by the ipu target yet");
  Shape low;
  for (OpFoldResult ofr : op.getMixedLowPad()) {
    std::optional<int64_t> v = getConstantIntValue(ofr);
    if (!v)
      return op->emitError("'tensor.pad' with dynamic padding is not "
                           "supported by the ipu target");
    low.push_back(*v);
  }
  FailureOr<Buffer *> srcOr = get(op.getSource(), op);
  if (failed(srcOr))
    return failure();
  Value result = op.getResult();
  Shape shape = shapeOf(result.getType());
  Buffer &buf =
      newTensor(op.getLoc(), nameFor(op), bsp::TensorRole::intermediate,
                result.getType(), linear(shape));
  bufferOf[result] = &buf;
  fillBuffer(buf, cast<TypedAttr>(value), op.getLoc(), nameFor(op) + ".fill");
  Shape srcShape = shapeOf(op.getSource().getType());
  if (product(srcShape) == 0)
    return success();
  pending.push_back({(*srcOr)->value, boxAttr(wholeBox(srcShape)), buf.value,
                     boxAttr(Box{low, srcShape})});
  flushExchange(op.getLoc(), nameFor(op));
  return success();
}
