//===- PartitionSlice.cpp - tensor.extract_slice and tensor.insert_slice --===//
//
// Slices are data movement, not compute:
//
// * extract_slice maps each element of its result to the tile that already
//   holds the source element, so the slice is one compute set of on-tile
//   copy vertices and moves no bytes between tiles. The price is a result
//   mapping that follows the source's, which may be unbalanced (a slice of
//   one row lives on the one or two tiles holding that row); consumers
//   gather what they need from there as they would from any mapping.
// * insert_slice keeps the destination's mapping (updating it in place when
//   nothing else reads it) and moves the inserted tensor into its box with
//   one exchange copy, which the simulator charges per (source, destination)
//   tile pair.
//
// Only unit strides are supported: a box has no stride, and the importer
// lowers strided ONNX slices to gathers.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/Partitioner.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;
namespace bsp = ipuc::bsp;

/// The static offsets and sizes of a slice op, or a located error naming what
/// the ipu target cannot do with it.
template <typename SliceOp>
static LogicalResult staticSlice(SliceOp op, Shape &offsets, Shape &sizes) {
  auto isDynamic = [](int64_t v) { return ShapedType::isDynamic(v); };
  if (llvm::any_of(op.getStaticOffsets(), isDynamic) ||
      llvm::any_of(op.getStaticSizes(), isDynamic))
    return op->emitError() << "'" << SliceOp::getOperationName()
                           << "' with dynamic offsets or sizes is not "
                              "supported by the ipu target";
  if (llvm::any_of(op.getStaticStrides(), [](int64_t s) { return s != 1; }))
    return op->emitError() << "'" << SliceOp::getOperationName()
                           << "' with non-unit strides is not supported by "
                              "the ipu target yet";
  offsets.assign(op.getStaticOffsets().begin(), op.getStaticOffsets().end());
  sizes.assign(op.getStaticSizes().begin(), op.getStaticSizes().end());
  return success();
}

/// Coordinates of the flat row-major index `flat` of `shape`.
static Shape unflatten(const Shape &shape, int64_t flat) {
  Shape coords(shape.size(), 0);
  for (int64_t d = (int64_t)shape.size() - 1; d >= 0; --d) {
    coords[d] = flat % shape[d];
    flat /= shape[d];
  }
  return coords;
}

LogicalResult Partitioner::partitionExtractSlice(tensor::ExtractSliceOp op) {
  Shape offsets, sizes;
  if (failed(staticSlice(op, offsets, sizes)))
    return failure();
  FailureOr<Buffer *> srcOr = get(op.getSource(), op);
  if (failed(srcOr))
    return failure();
  Buffer &src = **srcOr;
  Shape srcShape = shapeOf(op.getSource().getType());
  Shape resShape = shapeOf(op.getType());
  llvm::SmallBitVector dropped = op.getDroppedDims();
  std::vector<int64_t> srcStrides = rowMajorStrides(srcShape);

  // A result box in source coordinates: dropped (unit) dims sit at the
  // slice's offset, the others are shifted by it.
  auto toSource = [&](const Box &res) {
    Box s;
    for (size_t d = 0, r = 0; d < srcShape.size(); ++d) {
      if (dropped.test(d)) {
        s.offsets.push_back(offsets[d]);
        s.sizes.push_back(1);
        continue;
      }
      s.offsets.push_back(offsets[d] + res.offsets[r]);
      s.sizes.push_back(res.sizes[r]);
      ++r;
    }
    return s;
  };

  // Walk the result in runs along its innermost dim (contiguous in the
  // source too) and give each piece of a run the tile of its source
  // elements; neighbouring pieces on one tile merge into one range.
  std::vector<TileRange> ranges;
  int64_t total = product(resShape);
  int64_t run = resShape.empty() ? 1 : std::max<int64_t>(resShape.back(), 1);
  std::vector<TileRange> srcRanges = src.ranges;
  sortByBegin(srcRanges);
  for (int64_t at = 0; at < total; at += run) {
    Box first =
        toSource(Box{unflatten(resShape, at), Shape(resShape.size(), 1)});
    int64_t s = 0;
    for (size_t d = 0; d < srcShape.size(); ++d)
      s += first.offsets[d] * srcStrides[d];
    int64_t done = 0;
    while (done < run) {
      auto it = std::upper_bound(
          srcRanges.begin(), srcRanges.end(), s + done,
          [](int64_t v, const TileRange &r) { return v < r.begin; });
      const TileRange &holder = *std::prev(it);
      int64_t n = std::min(run - done, holder.end - (s + done));
      if (!ranges.empty() && ranges.back().tile == holder.tile &&
          ranges.back().end == at + done)
        ranges.back().end += n;
      else
        ranges.push_back({holder.tile, at + done, at + done + n});
      done += n;
    }
  }

  Buffer &res = newTensor(op.getLoc(), nameFor(op),
                          bsp::TensorRole::intermediate, op.getType(), ranges);
  bufferOf[op.getResult()] = &res;
  auto cs = newComputeSet(op.getLoc(), nameFor(op));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&cs.getBody().front());
  for (const TileRange &r : ranges)
    for (const Box &box : rangeToBoxes(resShape, r.begin, r.end))
      b.create<bsp::CopyVertexOp>(op.getLoc(), r.tile, ValueRange{src.value},
                                  b.getArrayAttr({boxAttr(toSource(box))}),
                                  ValueRange{res.value},
                                  b.getArrayAttr({boxAttr(box)}), FloatAttr());
  return success();
}

FailureOr<Buffer *> Partitioner::writableDest(Value dest, Operation *op) {
  Location loc = op->getLoc();
  Value result = op->getResult(0);
  // An uninitialized destination (concat's tensor.empty) needs no copy.
  if (dest.getDefiningOp<tensor::EmptyOp>()) {
    Buffer &buf =
        newTensor(loc, nameFor(op), bsp::TensorRole::intermediate,
                  result.getType(), linear(shapeOf(result.getType())));
    return &buf;
  }
  FailureOr<Buffer *> destOr = get(dest, op);
  if (failed(destOr))
    return failure();
  Buffer &d = **destOr;
  // In place when this op is the last reader of an intermediate: inputs and
  // constants keep their values for later runs of the program, and a view's
  // source may still be read.
  if (dest.hasOneUse() && d.op.getRole() == bsp::TensorRole::intermediate &&
      !d.isView())
    return &d;
  Buffer &buf = newTensor(loc, nameFor(op), bsp::TensorRole::intermediate,
                          result.getType(), d.ranges);
  // Same mapping: every tile copies its own intervals.
  auto cs = newComputeSet(loc, nameFor(op) + ".dest");
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&cs.getBody().front());
  Shape shape = shapeOf(result.getType());
  for (const TileRange &r : d.ranges)
    for (const Box &box : rangeToBoxes(shape, r.begin, r.end))
      b.create<bsp::CopyVertexOp>(
          loc, r.tile, ValueRange{d.value}, b.getArrayAttr({boxAttr(box)}),
          ValueRange{buf.value}, b.getArrayAttr({boxAttr(box)}), FloatAttr());
  return &buf;
}

LogicalResult Partitioner::partitionInsertSlice(tensor::InsertSliceOp op) {
  Shape offsets, sizes;
  if (failed(staticSlice(op, offsets, sizes)))
    return failure();
  if (op.getSourceType().getRank() != op.getDestType().getRank())
    return op->emitError("rank-reducing 'tensor.insert_slice' is not "
                         "supported by the ipu target yet");
  FailureOr<Buffer *> srcOr = get(op.getSource(), op);
  if (failed(srcOr))
    return failure();
  FailureOr<Buffer *> resOr = writableDest(op.getDest(), op);
  if (failed(resOr))
    return failure();
  bufferOf[op.getResult()] = *resOr;
  if (product(sizes) == 0)
    return success();
  pending.push_back({(*srcOr)->value,
                     boxAttr(wholeBox(shapeOf(op.getSourceType()))),
                     (*resOr)->value, boxAttr(Box{offsets, sizes})});
  flushExchange(op.getLoc(), nameFor(op));
  return success();
}
