//===- PartitionTranspose.cpp - Transposes as exchanges -------------------===//
//
// A transpose moves elements and computes nothing, so it is lowered to one
// exchange of permuted copies (bsp.copy `perm`) into the result's mapping
// rather than a gather and a compute set of copy vertices: that saves a
// sync, the vertices' overheads and their plan records, and moves the same
// bytes (an exchange's cost does not depend on the permutation,
// docs/cost-model.md). The result's mapping is chosen as for any op split
// along its output (MappingChoice.cpp); each range of it is cut into boxes,
// each box's source box is cut at the source's tile ranges, and every piece
// is one copy, so each copy's boxes lie in one tile range on either side
// (the simulator decodes such a copy as one strided descriptor). Pieces on
// the same tile are on-tile copies of the exchange, charged like any other.
//
// The exchange is taken only while it needs at most kCopiesPerRange copies
// per result tile range: when the source's tile ranges are thin slices of
// the boxes the result needs (a matmul's row-blocked result read by
// columns), the pieces multiply (the encoder's head transposes: ~10 per
// range, 10x the old gather's copies, +16 % plan size and a slower compile
// for -0.3 % cycles), and the gather + compute set of the structured path,
// about one vertex and a few copies per range, is the smaller program.
//
// Handled: linalg.transpose, and a linalg.generic whose body only yields its
// one input, read through a permutation, into its one init (all loops
// parallel). Anything else (a transpose fused with arithmetic) stays on the
// structured path.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/Partitioner.h"

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;
namespace bsp = ipuc::bsp;

/// Copies per result tile range above which a transpose keeps the
/// structured path (gather + compute set), which needs about one vertex and
/// a few copies per range.
static constexpr size_t kCopiesPerRange = 4;

/// The permutation `op` applies (result dim i is input dim perm[i]), if it
/// is a pure transpose of a ranked tensor.
static std::optional<SmallVector<int64_t>> transposePerm(linalg::LinalgOp op) {
  if (auto t = dyn_cast<linalg::TransposeOp>(op.getOperation()))
    return SmallVector<int64_t>(t.getPermutation());
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !isa<RankedTensorType>(generic.getDpsInputOperand(0)->get().getType()))
    return std::nullopt;
  Block &body = generic.getRegion().front();
  auto yield = dyn_cast<linalg::YieldOp>(body.getTerminator());
  if (!yield || &body.front() != yield.getOperation() ||
      yield.getNumOperands() != 1 || yield.getOperand(0) != body.getArgument(0))
    return std::nullopt;
  AffineMap in = generic.getIndexingMapsArray()[0],
            out = generic.getIndexingMapsArray()[1];
  if (!in.isPermutation() || !out.isPermutation())
    return std::nullopt;
  // Result dim i is loop dim out(i), which input dim j reads when
  // in(j) == out(i).
  SmallVector<int64_t> perm;
  for (unsigned i = 0; i < out.getNumResults(); ++i)
    perm.push_back(*in.getResultPosition(out.getResult(i)));
  return perm;
}

FailureOr<bool> Partitioner::partitionTranspose(linalg::LinalgOp op) {
  std::optional<SmallVector<int64_t>> perm = transposePerm(op);
  if (!perm || perm->empty())
    return false;
  Value input = op.getDpsInputOperand(0)->get();
  Value result = op->getResult(0);
  Shape srcShape = shapeOf(input.getType()),
        outShape = shapeOf(result.getType());
  if (ShapedType::isDynamicShape(srcShape) ||
      ShapedType::isDynamicShape(outShape))
    return false;
  FailureOr<Buffer *> src = get(input, op);
  if (failed(src))
    return failure();
  FailureOr<std::vector<TileRange>> ranges =
      chooseMapping(op, outShape, /*split=*/true, nullptr);
  if (failed(ranges))
    return failure();
  std::vector<TileRange> srcRanges = (*src)->ranges;
  sortByBegin(srcRanges);
  auto permAttr = DenseI64ArrayAttr::get(ctx, *perm);
  size_t rank = perm->size();
  // The boxes of each source range, made when a result box first reads the
  // range: a column of result boxes reads the same row-blocked source
  // ranges again and again.
  std::vector<std::optional<std::vector<Box>>> srcBoxes(srcRanges.size());
  // (source box, result box) per copy.
  std::vector<std::pair<Box, Box>> pieces;
  const size_t maxPieces = kCopiesPerRange * ranges->size();
  for (const TileRange &r : *ranges) {
    for (const Box &dst : rangeToBoxes(outShape, r.begin, r.end)) {
      // The source box dst reads: src dim perm[i] is dst dim i.
      Box need{Shape(rank), Shape(rank)};
      for (size_t i = 0; i < rank; ++i) {
        need.offsets[(*perm)[i]] = dst.offsets[i];
        need.sizes[(*perm)[i]] = dst.sizes[i];
      }
      int64_t first = 0, last = 0;
      boxFlatExtent(srcShape, need, first, last);
      auto it = std::upper_bound(
          srcRanges.begin(), srcRanges.end(), first,
          [](int64_t v, const TileRange &x) { return v < x.begin; });
      if (it != srcRanges.begin())
        --it;
      for (; it != srcRanges.end() && it->begin < last; ++it) {
        // The range's own boxes (not clipped to [first, last)): pieces of
        // one box stay one copy.
        std::optional<std::vector<Box>> &ofRange =
            srcBoxes[it - srcRanges.begin()];
        if (!ofRange)
          ofRange = rangeToBoxes(srcShape, it->begin, it->end);
        for (const Box &piece : *ofRange) {
          Box part{Shape(rank), Shape(rank)};
          bool empty = false;
          for (size_t d = 0; d < rank; ++d) {
            int64_t a = std::max(piece.offsets[d], need.offsets[d]);
            int64_t e = std::min(piece.offsets[d] + piece.sizes[d],
                                 need.offsets[d] + need.sizes[d]);
            empty |= e <= a;
            part.offsets[d] = a;
            part.sizes[d] = e - a;
          }
          if (empty)
            continue;
          Box to{Shape(rank), Shape(rank)};
          for (size_t i = 0; i < rank; ++i) {
            to.offsets[i] = part.offsets[(*perm)[i]];
            to.sizes[i] = part.sizes[(*perm)[i]];
          }
          pieces.emplace_back(std::move(part), std::move(to));
          if (pieces.size() > maxPieces)
            return false;
        }
      }
    }
  }
  std::string name = nameFor(op);
  Buffer &buf = newTensor(op.getLoc(), name, bsp::TensorRole::intermediate,
                          result.getType(), *ranges);
  bufferOf[result] = &buf;
  for (const auto &[part, to] : pieces)
    pending.push_back(
        {(*src)->value, boxAttr(part), buf.value, boxAttr(to), permAttr});
  flushExchange(op.getLoc(), name);
  return true;
}
