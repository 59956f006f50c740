//===- PartitionReshape.cpp - reshapes as views ---------------------------
//===//
//
// A row-major reshape (expand_shape, collapse_shape, reshape, cast) keeps
// every element's flat index, and a tile mapping is flat intervals, so its
// result can always share its source's tile memory: it becomes a view, a
// bsp.tensor with `view_of` and the source's intervals, which the memory
// planner places at the source's addresses. No element moves, so a reshape
// costs no copy and no compute set (each was a compute set of thousands of
// copy vertices in a transformer layer).
//
// A view is never written in place (writableDest, and the structured
// lowering's init aliasing, copy it first), since its source may still be
// read; and its source is never written in place while the view lives,
// because the reshape is one more use of the source's value.
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
  Buffer &view = newTensor(op->getLoc(), nameFor(op),
                           bsp::TensorRole::intermediate, result.getType(),
                           (*srcBuf)->ranges, /*value=*/{}, (*srcBuf)->value);
  bufferOf[result] = &view;
  return success();
}
