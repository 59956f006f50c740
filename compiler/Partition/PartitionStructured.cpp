//===- PartitionStructured.cpp - linalg ops along their output ------------
//===//
//
// Structured ops other than matmuls are split along their output's linear
// mapping, or run as one vertex on one tile when their indexing maps cannot
// be split.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/Partitioner.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;
namespace bsp = ipuc::bsp;

/// Whether `e` is non-decreasing in every dim (dims, non-negative constants,
/// sums, and products with non-negative constants), so that a box's image is
/// [e(lo), e(hi)].
static bool isMonotone(AffineExpr e) {
  if (isa<AffineDimExpr>(e))
    return true;
  if (auto c = dyn_cast<AffineConstantExpr>(e))
    return true;
  auto bin = dyn_cast<AffineBinaryOpExpr>(e);
  if (!bin)
    return false;
  if (e.getKind() == AffineExprKind::Add)
    return isMonotone(bin.getLHS()) && isMonotone(bin.getRHS());
  if (e.getKind() == AffineExprKind::Mul) {
    auto c = dyn_cast<AffineConstantExpr>(bin.getRHS());
    return c && c.getValue() >= 0 && isMonotone(bin.getLHS());
  }
  return false;
}

/// `e` at the point `dims`. Evaluated directly: composing a one-result map
/// per call uniqued a new AffineMap for every corner of every vertex.
int64_t ipuc::partition::evalExpr(AffineExpr e, ArrayRef<int64_t> dims) {
  if (auto dim = dyn_cast<AffineDimExpr>(e))
    return dims[dim.getPosition()];
  if (auto c = dyn_cast<AffineConstantExpr>(e))
    return c.getValue();
  auto bin = dyn_cast<AffineBinaryOpExpr>(e);
  int64_t l = bin ? evalExpr(bin.getLHS(), dims) : 0;
  int64_t r = bin ? evalExpr(bin.getRHS(), dims) : 0;
  switch (e.getKind()) {
  case AffineExprKind::Add:
    return l + r;
  case AffineExprKind::Mul:
    return l * r;
  case AffineExprKind::Mod:
    if (r > 0)
      return ((l % r) + r) % r;
    break;
  case AffineExprKind::FloorDiv:
    if (r > 0)
      return llvm::divideFloorSigned(l, r);
    break;
  case AffineExprKind::CeilDiv:
    if (r > 0)
      return llvm::divideCeilSigned(l, r);
    break;
  default:
    break;
  }
  // Symbols and non-positive divisors: whatever composition folds them to.
  auto map = AffineMap::get(dims.size(), 0, e);
  return map.compose(dims)[0];
}

LogicalResult Partitioner::partitionStructured(linalg::LinalgOp op) {
  Location loc = op.getLoc();
  std::string name = nameFor(op);
  Operation *operation = op;
  bool hasIndex = false, hasCapture = false;
  operation->getRegion(0).walk([&](Operation *inner) {
    hasIndex |= isa<linalg::IndexOp>(inner);
    hasCapture |= isa<tensor::ExtractOp>(inner);
  });
  // Values from outside the body: scalar constants are cloned into every
  // vertex; tensors read at computed indices (tensor.extract: gathers) are
  // staged whole onto each vertex's tile and passed as gathered inputs, so a
  // gather costs the table's bytes of exchange and memory on every tile
  // running a vertex of it.
  SetVector<Value> defined, captures, gathered;
  getUsedValuesDefinedAbove(operation->getRegion(0), defined);
  for (Value captured : defined) {
    bool onlyExtracted = llvm::all_of(captured.getUses(), [&](OpOperand &use) {
      auto extract = dyn_cast<tensor::ExtractOp>(use.getOwner());
      return !operation->getRegion(0).isAncestor(
                 use.getOwner()->getParentRegion()) ||
             (extract && use.getOperandNumber() == 0);
    });
    if (isa<RankedTensorType>(captured.getType()) && onlyExtracted &&
        hasCapture) {
      gathered.insert(captured);
      continue;
    }
    if (!matchPattern(captured, m_Constant()) ||
        captured.getDefiningOp()->getNumResults() != 1)
      return op->emitError() << "'" << op->getName()
                             << "' uses a value defined outside its body "
                                "other than a constant or a tensor it reads "
                                "with tensor.extract, which is not "
                                "supported by the ipu target";
    captures.insert(captured);
  }
  // A constant scalar operand is folded into every vertex's body.
  for (OpOperand *in : op.getDpsInputOperands())
    if (!isa<RankedTensorType>(in->get().getType()) &&
        !constantValue(in->get()))
      return op->emitError() << "'" << op->getName()
                             << "' has a non-constant scalar operand, which "
                                "is not supported by the ipu target yet";
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  auto maps = op.getIndexingMapsArray();
  unsigned numIn = op.getNumDpsInputs();
  Block *bodyBlock = &operation->getRegion(0).front();
  // An uninitialized input the body never reads only gives the loop a shape
  // (a pooling window): vertices take no operand for it.
  auto isScalar = [&](unsigned i) {
    return !isa<RankedTensorType>(op.getDpsInputOperand(i)->get().getType());
  };
  auto isShapeOnly = [&](unsigned i) {
    return isScalar(i) ||
           (bodyBlock->getArgument(i).use_empty() &&
            op.getDpsInputOperand(i)->get().getDefiningOp<tensor::EmptyOp>());
  };
  // All outputs must share one shape and map to be split together.
  AffineMap outMap = maps[numIn];
  bool split = outMap.isProjectedPermutation() && !hasIndex;
  Shape outShape = shapeOf(operation->getResult(0).getType());
  for (unsigned i = 1; i < op.getNumDpsInits(); ++i)
    split &= maps[numIn + i] == outMap &&
             shapeOf(operation->getResult(i).getType()) == outShape;
  for (unsigned i = 0; i < numIn; ++i)
    for (AffineExpr e : maps[i].getResults())
      split &= isMonotone(e);

  // Results: aliased to their init when the body reads it and nothing else
  // does, so that the vertex accumulates into it. Every output gets the same
  // mapping (`ranges`, the first output's), so that each vertex's output
  // boxes all live on its tile; an init mapped differently is copied.
  SmallVector<Buffer *> outs;
  SmallVector<Buffer *> initBufs;
  for (unsigned i = 0; i < op.getNumDpsInits(); ++i) {
    Buffer *initBuf = nullptr;
    if (!bodyBlock->getArgument(numIn + i).use_empty()) {
      FailureOr<Buffer *> got = get(op.getDpsInitOperand(i)->get(), op);
      if (failed(got))
        return failure();
      initBuf = *got;
    }
    initBufs.push_back(initBuf);
  }
  // Not into a view: its source's memory may still be read.
  auto canAlias = [&](unsigned i) {
    return initBufs[i] && split && !initBufs[i]->isView() &&
           op.getDpsInitOperand(i)->get().hasOneUse();
  };
  FailureOr<std::vector<TileRange>> chosen =
      chooseMapping(op, outShape, split, canAlias(0) ? initBufs[0] : nullptr);
  if (failed(chosen))
    return failure();
  std::vector<TileRange> ranges = std::move(*chosen);
  auto sameRanges = [](std::vector<TileRange> a, std::vector<TileRange> c) {
    sortByBegin(a);
    sortByBegin(c);
    if (a.size() != c.size())
      return false;
    for (size_t k = 0; k < a.size(); ++k)
      if (a[k].tile != c[k].tile || a[k].begin != c[k].begin ||
          a[k].end != c[k].end)
        return false;
    return true;
  };
  for (unsigned i = 0; i < op.getNumDpsInits(); ++i) {
    Value init = op.getDpsInitOperand(i)->get();
    Value result = operation->getResult(i);
    // Tensor names are unique: outputs after the first get a suffix.
    std::string outName = i ? name + "." + std::to_string(i) : name;
    if (Buffer *initBuf = initBufs[i]) {
      if (canAlias(i) && sameRanges(initBuf->ranges, ranges)) {
        bufferOf[result] = initBuf;
        outs.push_back(initBuf);
        continue;
      }
      Buffer &copy = newTensor(loc, outName, bsp::TensorRole::intermediate,
                               result.getType(), ranges);
      pending.push_back({initBuf->value,
                         boxAttr(wholeBox(shapeOf(init.getType()))), copy.value,
                         boxAttr(wholeBox(shapeOf(result.getType())))});
      bufferOf[result] = &copy;
      outs.push_back(&copy);
      continue;
    }
    Buffer &buf = newTensor(loc, outName, bsp::TensorRole::intermediate,
                            result.getType(), ranges);
    bufferOf[result] = &buf;
    outs.push_back(&buf);
  }
  flushExchange(loc, name + ".init");

  // One vertex per box of the first output's mapping (or the whole op).
  struct V {
    int64_t tile;
    SmallVector<Value> ins, outs;
    SmallVector<Attribute> inBoxes, outBoxes, maps;
    SmallVector<int64_t> bounds, lo;
  };
  std::vector<V> vertices;
  std::vector<std::pair<int64_t, Box>> work;
  if (split) {
    // A tile's boxes that together are one box (the rows of a matmul block
    // the result follows) are one vertex.
    work = tileBoxes(outShape, outs[0]->ranges);
  } else {
    work.push_back({outs[0]->ranges.empty() ? 0 : outs[0]->ranges[0].tile,
                    wholeBox(outShape)});
  }
  llvm::DenseMap<AffineMap, AffineMap> relativeMaps;
  for (auto &[tile, outBox] : work) {
    SmallVector<int64_t> lo(bounds.size(), 0), sz(bounds.begin(), bounds.end());
    if (split)
      for (auto [r, e] : llvm::enumerate(outMap.getResults())) {
        unsigned d = cast<AffineDimExpr>(e).getPosition();
        lo[d] = outBox.offsets[r];
        sz[d] = outBox.sizes[r];
      }
    SmallVector<int64_t> hi;
    for (size_t d = 0; d < lo.size(); ++d)
      hi.push_back(lo[d] + std::max<int64_t>(sz[d], 1) - 1);
    V v{tile, {}, {}, {}, {}, {}, sz, lo};
    auto relative = [&](AffineMap map, Box &box) {
      box.offsets.reserve(map.getNumResults());
      box.sizes.reserve(map.getNumResults());
      for (AffineExpr e : map.getResults()) {
        int64_t mn = evalExpr(e, lo), mx = evalExpr(e, hi);
        box.offsets.push_back(mn);
        box.sizes.push_back(mx - mn + 1);
      }
      // Split maps are monotone sums of dims times constants, for which
      // e(d + lo) - e(lo) does not depend on lo: one relative map per op and
      // map serves every vertex (building it per vertex was a large part of
      // partitioning big models).
      if (split) {
        auto it = relativeMaps.find(map);
        if (it != relativeMaps.end())
          return it->second;
      }
      SmallVector<AffineExpr> shifted, exprs;
      for (size_t d = 0; d < lo.size(); ++d)
        shifted.push_back(b.getAffineDimExpr(d) + lo[d]);
      for (auto [r, e] : llvm::enumerate(map.getResults()))
        exprs.push_back(simplifyAffineExpr(
            e.replaceDims(shifted) - box.offsets[r], lo.size(), 0));
      AffineMap rel = AffineMap::get(lo.size(), 0, exprs, ctx);
      if (split)
        relativeMaps[map] = rel;
      return rel;
    };
    for (unsigned i = 0; i < numIn; ++i) {
      Value in = op.getDpsInputOperand(i)->get();
      if (isShapeOnly(i))
        continue;
      FailureOr<Buffer *> buf = get(in, op);
      if (failed(buf))
        return failure();
      Box box;
      AffineMap rel = relative(maps[i], box);
      auto [val, boxA] = readBox(**buf, box);
      v.ins.push_back(val);
      v.inBoxes.push_back(boxA);
      v.maps.push_back(AffineMapAttr::get(rel));
    }
    for (auto [k, table] : llvm::enumerate(gathered)) {
      FailureOr<Buffer *> buf = get(table, op);
      if (failed(buf))
        return failure();
      auto [val, boxA] = readBox(**buf, wholeBox(shapeOf(table.getType())));
      v.ins.push_back(val);
      v.inBoxes.push_back(boxA);
    }
    for (unsigned i = 0; i < op.getNumDpsInits(); ++i) {
      Box box;
      AffineMap rel = relative(maps[numIn + i], box);
      v.outs.push_back(outs[i]->value);
      v.outBoxes.push_back(boxAttr(box));
      v.maps.push_back(AffineMapAttr::get(rel));
    }
    vertices.push_back(std::move(v));
  }
  std::vector<TileRange> finalRanges;
  auto cs = newComputeSet(loc, name);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&cs.getBody().front());
  SmallVector<Attribute> iters;
  for (utils::IteratorType t : op.getIteratorTypesArray())
    iters.push_back(b.getStringAttr(
        t == utils::IteratorType::reduction ? "reduction" : "parallel"));
  int64_t bodyOps = std::max<int64_t>(bodyBlock->getOperations().size() - 1, 1);
  for (V &v : vertices) {
    int64_t iterations = 1;
    for (int64_t s : v.bounds)
      iterations *= s;
    auto vertex = b.create<bsp::GenericVertexOp>(
        loc, v.tile, v.ins, b.getArrayAttr(v.inBoxes), v.outs,
        b.getArrayAttr(v.outBoxes), b.getArrayAttr(v.maps),
        b.getArrayAttr(iters), b.getDenseI64ArrayAttr(v.bounds),
        b.getF64FloatAttr(double(iterations) * bodyOps));
    IRMapping mapping;
    operation->getRegion(0).cloneInto(&vertex.getBody(), mapping);
    Operation *term = vertex.getBody().front().getTerminator();
    OpBuilder::InsertionGuard g2(b);
    // Scalar constants defined outside the body are rematerialized inside it
    // (the function they live in is erased).
    b.setInsertionPointToStart(&vertex.getBody().front());
    for (Value captured : captures) {
      Operation *c = b.clone(*captured.getDefiningOp());
      replaceAllUsesInRegionWith(captured, c->getResult(0), vertex.getBody());
    }
    for (unsigned i = numIn; i-- > 0;) {
      if (!isShapeOnly(i))
        continue;
      BlockArgument arg = vertex.getBody().front().getArgument(i);
      if (isScalar(i))
        arg.replaceAllUsesWith(
            b.clone(*op.getDpsInputOperand(i)->get().getDefiningOp())
                ->getResult(0));
      vertex.getBody().front().eraseArgument(i);
    }
    // Gathered tables are the body's trailing tensor arguments.
    for (Value table : gathered)
      replaceAllUsesInRegionWith(
          table, vertex.getBody().addArgument(table.getType(), loc),
          vertex.getBody());
    // linalg.index needs a linalg parent: use bsp.index, offset by the
    // vertex's first point of the op's iteration space.
    SmallVector<linalg::IndexOp> indices;
    vertex.getBody().walk([&](linalg::IndexOp i) { indices.push_back(i); });
    for (linalg::IndexOp index : indices) {
      b.setInsertionPoint(index);
      Value replacement = b.create<bsp::IndexOp>(
          index.getLoc(), b.getIndexType(), int64_t(index.getDim()));
      if (int64_t off = v.lo[index.getDim()])
        replacement = b.create<arith::AddIOp>(
            index.getLoc(), replacement,
            b.create<arith::ConstantIndexOp>(index.getLoc(), off));
      index.getResult().replaceAllUsesWith(replacement);
      index.erase();
    }
    b.setInsertionPoint(term);
    b.create<bsp::YieldOp>(loc, term->getOperands());
    term->erase();
  }
  return success();
}
