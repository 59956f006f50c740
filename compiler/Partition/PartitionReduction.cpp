//===- PartitionReduction.cpp - reductions in two stages ------------------===//
//
// A reduction whose output is small (a full reduction, or a row sum of a
// wide matrix) has few output elements to split over tiles, so the
// structured lowering would run it on one or a few tiles. Here the largest
// reduced loop dim is cut into P chunks instead:
//
//   stage 1: vertex (p, c) runs the op's own body over chunk p of the
//            reduced dim for output chunk c, accumulating into slab p of a
//            partial tensor [P, output...] (pre-filled with the combiner's
//            identity), each (p, c) on its own tile;
//   stage 2: for each output chunk, one vertex combines the P partials into
//            the op's init with the combiner alone (add, mul, max, min, and,
//            or), after an exchange gathers them onto the output's tile.
//
// Cost, per output chunk of k elements with R reduced elements each and the
// cost model's per-element price e (one elementwise op plus moving the
// element through an exchange): one stage costs R*k*e, two stages cost about
// (R/P)*k*e + P*k*e plus a sync, smallest at P = sqrt(R). P is that, bounded
// by the free tiles and the dim's extent, and the split is used only when
// its estimate beats one stage.
//
// Not split: ops with several outputs (argmax-style index/value pairs stay
// single-stage), bodies using linalg.index or gathers, non-permutation
// maps, and bodies whose last step is not a recognised combiner of the
// output.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/Partitioner.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;
namespace bsp = ipuc::bsp;

/// The identity of the combiner `op` for elements of `type`, or null when
/// `op` is not an associative, commutative combiner the split supports.
static TypedAttr combinerIdentity(Operation *op, Type type) {
  auto fl = [&](double v) -> TypedAttr { return FloatAttr::get(type, v); };
  auto in = [&](APInt v) -> TypedAttr { return IntegerAttr::get(type, v); };
  double inf = std::numeric_limits<double>::infinity();
  if (isa<arith::AddFOp>(op))
    return fl(0.0);
  if (isa<arith::MulFOp>(op))
    return fl(1.0);
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(op))
    return fl(-inf);
  if (isa<arith::MinimumFOp, arith::MinNumFOp>(op))
    return fl(inf);
  if (!type.isSignlessInteger())
    return {};
  unsigned w = type.getIntOrFloatBitWidth();
  if (isa<arith::AddIOp, arith::OrIOp, arith::XOrIOp, arith::MaxUIOp>(op))
    return in(APInt::getZero(w));
  if (isa<arith::MulIOp>(op))
    return in(APInt(w, 1));
  if (isa<arith::AndIOp, arith::MinUIOp>(op))
    return in(APInt::getAllOnes(w));
  if (isa<arith::MaxSIOp>(op))
    return in(APInt::getSignedMinValue(w));
  if (isa<arith::MinSIOp>(op))
    return in(APInt::getSignedMaxValue(w));
  return {};
}

/// The op that yields `combiner(x, out)` in a single-output reduction body
/// whose output argument is used by it alone, or null.
static Operation *findCombiner(Block &body, BlockArgument out) {
  Operation *yield = body.getTerminator();
  if (yield->getNumOperands() != 1 || !out.hasOneUse())
    return nullptr;
  Operation *comb = yield->getOperand(0).getDefiningOp();
  if (!comb || comb->getBlock() != &body || comb->getNumOperands() != 2 ||
      comb->getNumResults() != 1 || *out.getUsers().begin() != comb)
    return nullptr;
  if (!combinerIdentity(comb, out.getType()))
    return nullptr;
  return comb;
}

FailureOr<bool> Partitioner::partitionTwoStageReduction(linalg::LinalgOp op) {
  Operation *operation = op;
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return false;
  bool unsupportedBody = false;
  operation->getRegion(0).walk([&](Operation *inner) {
    unsupportedBody |= isa<linalg::IndexOp, tensor::ExtractOp>(inner);
  });
  SetVector<Value> captures;
  getUsedValuesDefinedAbove(operation->getRegion(0), captures);
  for (Value captured : captures)
    unsupportedBody |= !matchPattern(captured, m_Constant()) ||
                       captured.getDefiningOp()->getNumResults() != 1;
  if (unsupportedBody)
    return false;
  for (OpOperand *in : op.getDpsInputOperands())
    if (!isa<RankedTensorType>(in->get().getType()) ||
        in->get().getDefiningOp<tensor::EmptyOp>())
      return false;
  auto maps = op.getIndexingMapsArray();
  for (AffineMap map : maps)
    if (!map.isProjectedPermutation())
      return false;
  unsigned numIn = op.getNumDpsInputs();
  Block &body = operation->getRegion(0).front();
  BlockArgument outArg = body.getArgument(numIn);
  Operation *comb = findCombiner(body, outArg);
  if (!comb)
    return false;

  // The split: reduced dim r into P chunks (see the file comment).
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  auto iters = op.getIteratorTypesArray();
  int64_t reduced = 1, r = -1;
  for (auto [d, it] : llvm::enumerate(iters))
    if (it == utils::IteratorType::reduction) {
      reduced *= bounds[d];
      if (r < 0 || bounds[d] > bounds[r])
        r = d;
    }
  // Each partial slab must cover whole outputs: no reduced dim indexes them.
  for (AffineExpr expr : maps[numIn].getResults())
    if (iters[cast<AffineDimExpr>(expr).getPosition()] ==
        utils::IteratorType::reduction)
      return false;
  Value result = operation->getResult(0);
  Shape outShape = shapeOf(result.getType());
  int64_t outElems = product(outShape);
  std::vector<TileRange> outChunks = linearMapping(outElems, tiles, grain);
  int64_t chunks = std::max<int64_t>(outChunks.size(), 1);
  int64_t perChunk = (outElems + chunks - 1) / chunks;
  int64_t parts = std::min<int64_t>(
      {(int64_t)std::sqrt((double)reduced), tiles / chunks, bounds[r]});
  if (parts < 2 || outElems == 0)
    return false;
  int64_t chunk = (bounds[r] + parts - 1) / parts;
  parts = (bounds[r] + chunk - 1) / chunk;
  Type elemType = cast<ShapedType>(result.getType()).getElementType();
  double bytes = (elemType.getIntOrFloatBitWidth() + 7) / 8;
  double e =
      1.0 / dev.elementwiseF32PerCycle + bytes / dev.exchangeBytesPerCycle;
  double one = double(reduced) * perChunk * e;
  double two = double(reduced / parts + parts) * perChunk * e + dev.syncCycles;
  if (two >= one)
    return false;

  Location loc = op.getLoc();
  std::string name = nameFor(op);
  TypedAttr identity = combinerIdentity(comb, elemType);

  // Partials: slab p of output chunk c on its own tile.
  Shape partShape{parts};
  llvm::append_range(partShape, outShape);
  std::vector<TileRange> partRanges;
  // Slab p of chunk c and its stage-1 vertex: from tile 0, like every
  // mapping (linearMapping); parts * chunks <= tiles.
  auto partTile = [&](int64_t p, size_t c) {
    return p * chunks + static_cast<int64_t>(c);
  };
  for (int64_t p = 0; p < parts; ++p)
    for (auto [c, oc] : llvm::enumerate(outChunks))
      partRanges.push_back(
          {partTile(p, c), p * outElems + oc.begin, p * outElems + oc.end});
  Buffer &partial =
      newTensor(loc, name + ".partial", bsp::TensorRole::intermediate,
                RankedTensorType::get(partShape, elemType), partRanges);
  fillBuffer(partial, identity, loc, name + ".identity");

  // Stage 1 vertices: the op's body over (output box, chunk p of dim r).
  struct V {
    int64_t tile;
    SmallVector<Value> ins;
    SmallVector<Attribute> inBoxes;
    Box outBox;
    SmallVector<int64_t> sizes;
  };
  std::vector<V> stage1;
  AffineMap outMap = maps[numIn];
  SmallVector<Buffer *> inBufs;
  for (OpOperand *in : op.getDpsInputOperands()) {
    FailureOr<Buffer *> buf = get(in->get(), op);
    if (failed(buf))
      return failure();
    inBufs.push_back(*buf);
  }
  for (int64_t p = 0; p < parts; ++p)
    for (auto [c, oc] : llvm::enumerate(outChunks)) {
      int64_t tile = partTile(p, c);
      for (const Box &ob : rangeToBoxes(outShape, oc.begin, oc.end)) {
        SmallVector<int64_t> lo(bounds.size(), 0), sz(bounds);
        for (auto [k, expr] : llvm::enumerate(outMap.getResults())) {
          unsigned d = cast<AffineDimExpr>(expr).getPosition();
          lo[d] = ob.offsets[k];
          sz[d] = ob.sizes[k];
        }
        lo[r] = p * chunk;
        sz[r] = std::min(chunk, bounds[r] - lo[r]);
        V v{tile, {}, {}, {}, sz};
        for (unsigned i = 0; i < numIn; ++i) {
          Box box;
          for (AffineExpr expr : maps[i].getResults()) {
            unsigned d = cast<AffineDimExpr>(expr).getPosition();
            box.offsets.push_back(lo[d]);
            box.sizes.push_back(sz[d]);
          }
          auto [val, boxA] = readBox(*inBufs[i], box);
          v.ins.push_back(val);
          v.inBoxes.push_back(boxA);
        }
        v.outBox.offsets.push_back(p);
        v.outBox.sizes.push_back(1);
        llvm::append_range(v.outBox.offsets, ob.offsets);
        llvm::append_range(v.outBox.sizes, ob.sizes);
        stage1.push_back(std::move(v));
      }
    }

  // Box-relative maps of projected permutations are the maps themselves;
  // the partial's gains a leading 0 for its slab.
  SmallVector<Attribute> mapAttrs;
  for (unsigned i = 0; i < numIn; ++i)
    mapAttrs.push_back(AffineMapAttr::get(maps[i]));
  SmallVector<AffineExpr> partExprs{b.getAffineConstantExpr(0)};
  llvm::append_range(partExprs, outMap.getResults());
  mapAttrs.push_back(
      AffineMapAttr::get(AffineMap::get(bounds.size(), 0, partExprs, ctx)));
  SmallVector<Attribute> iterAttrs;
  for (utils::IteratorType t : iters)
    iterAttrs.push_back(b.getStringAttr(
        t == utils::IteratorType::reduction ? "reduction" : "parallel"));
  int64_t bodyOps = std::max<int64_t>(body.getOperations().size() - 1, 1);
  {
    auto cs = newComputeSet(loc, name + ".partials");
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&cs.getBody().front());
    for (V &v : stage1) {
      auto vertex = b.create<bsp::GenericVertexOp>(
          loc, v.tile, v.ins, b.getArrayAttr(v.inBoxes),
          ValueRange{partial.value}, b.getArrayAttr({boxAttr(v.outBox)}),
          b.getArrayAttr(mapAttrs), b.getArrayAttr(iterAttrs),
          b.getDenseI64ArrayAttr(v.sizes),
          b.getF64FloatAttr(
              double(product(Shape(v.sizes.begin(), v.sizes.end()))) *
              bodyOps));
      IRMapping mapping;
      operation->getRegion(0).cloneInto(&vertex.getBody(), mapping);
      OpBuilder::InsertionGuard g2(b);
      // Scalar constants captured from the (erased) function are cloned in.
      b.setInsertionPointToStart(&vertex.getBody().front());
      for (Value captured : captures) {
        Operation *c = b.clone(*captured.getDefiningOp());
        replaceAllUsesInRegionWith(captured, c->getResult(0), vertex.getBody());
      }
      Operation *term = vertex.getBody().front().getTerminator();
      b.setInsertionPoint(term);
      b.create<bsp::YieldOp>(loc, term->getOperands());
      term->erase();
    }
  }

  // Stage 2: the op's init, combined with every partial on its own tile.
  FailureOr<Buffer *> outOr = writableDest(op.getDpsInitOperand(0)->get(), op);
  if (failed(outOr))
    return failure();
  Buffer &out = **outOr;
  bufferOf[result] = &out;
  struct W {
    int64_t tile;
    Value in;
    bsp::BoxAttr inBox;
    Box outBox;
  };
  std::vector<W> stage2;
  for (const TileRange &orng : out.ranges)
    for (const Box &ob : rangeToBoxes(outShape, orng.begin, orng.end)) {
      Box pb{{0}, {parts}};
      llvm::append_range(pb.offsets, ob.offsets);
      llvm::append_range(pb.sizes, ob.sizes);
      auto [val, boxA] = readBox(partial, pb);
      stage2.push_back({orng.tile, val, boxA, ob});
    }
  unsigned rank = outShape.size();
  SmallVector<AffineExpr> outExprs;
  for (unsigned d = 1; d <= rank; ++d)
    outExprs.push_back(b.getAffineDimExpr(d));
  Attribute combineMaps = b.getArrayAttr(
      {AffineMapAttr::get(AffineMap::getMultiDimIdentityMap(rank + 1, ctx)),
       AffineMapAttr::get(AffineMap::get(rank + 1, 0, outExprs, ctx))});
  SmallVector<Attribute> combineIters{b.getStringAttr("reduction")};
  for (unsigned d = 0; d < rank; ++d)
    combineIters.push_back(b.getStringAttr("parallel"));
  bool outFirst = comb->getOperand(0) == outArg;
  auto cs = newComputeSet(loc, name + ".combine");
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&cs.getBody().front());
  for (W &w : stage2) {
    SmallVector<int64_t> sizes{parts};
    llvm::append_range(sizes, w.outBox.sizes);
    auto vertex = b.create<bsp::GenericVertexOp>(
        loc, w.tile, ValueRange{w.in}, b.getArrayAttr({w.inBox}),
        ValueRange{out.value}, b.getArrayAttr({boxAttr(w.outBox)}),
        cast<ArrayAttr>(combineMaps), b.getArrayAttr(combineIters),
        b.getDenseI64ArrayAttr(sizes),
        b.getF64FloatAttr(double(product(Shape(sizes.begin(), sizes.end())))));
    Block *block = new Block();
    vertex.getBody().push_back(block);
    Value part = block->addArgument(elemType, loc);
    Value acc = block->addArgument(elemType, loc);
    OpBuilder::InsertionGuard g2(b);
    b.setInsertionPointToEnd(block);
    IRMapping mapping;
    mapping.map(comb->getOperand(outFirst ? 1 : 0), part);
    mapping.map(outArg, acc);
    Operation *combined = b.clone(*comb, mapping);
    b.create<bsp::YieldOp>(loc, combined->getResults());
  }
  return true;
}
