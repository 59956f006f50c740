//===- PartitionConcat.cpp - tensor.concat --------------------------------===//
//
// A concat is data movement: the result gets a linear mapping and one
// exchange copies every input into its box along the concatenated dim.
// (The tosa lowering emits a chain of insert_slice into tensor.empty
// instead, handled in PartitionSlice.cpp; this covers tensor.concat
// written directly.)
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/Partitioner.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;
namespace bsp = ipuc::bsp;

LogicalResult Partitioner::partitionConcat(tensor::ConcatOp op) {
  Value result = op.getResult();
  Shape shape = shapeOf(result.getType());
  int64_t dim = op.getDim();
  SmallVector<Buffer *> inputs;
  for (Value in : op.getInputs()) {
    FailureOr<Buffer *> buf = get(in, op);
    if (failed(buf))
      return failure();
    inputs.push_back(*buf);
  }
  Buffer &buf =
      newTensor(op.getLoc(), nameFor(op), bsp::TensorRole::intermediate,
                result.getType(), linear(shape));
  bufferOf[result] = &buf;
  int64_t at = 0;
  for (auto [in, inBuf] : llvm::zip(op.getInputs(), inputs)) {
    Shape inShape = shapeOf(in.getType());
    Box box{Shape(shape.size(), 0), inShape};
    box.offsets[dim] = at;
    at += inShape[dim];
    if (product(inShape) != 0)
      pending.push_back(
          {inBuf->value, boxAttr(wholeBox(inShape)), buf.value, boxAttr(box)});
  }
  flushExchange(op.getLoc(), nameFor(op));
  return success();
}
