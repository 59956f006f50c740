//===- PartitionToBsp.cpp - linalg-on-tensors -> bsp.program -------------===//
//
// Correctness first: every op becomes compute sets of vertices whose operand
// boxes live on the vertex's tile (exchanges gather them into per-tile
// staging tensors otherwise). Matmuls use the cost-model block grid of
// MatMulPlanner; other structured ops are split along their output's linear
// mapping, or run as one vertex on one tile when their indexing maps cannot
// be split.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/MatMulPlanner.h"
#include "compiler/Partition/Passes.h"
#include "compiler/Partition/TileMapping.h"
#include "compiler/Plan/Device.h"

#include "dialects/Bsp/IR/BspOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"

#include <deque>
#include <functional>

namespace ipuc {
#define GEN_PASS_DEF_PARTITIONTOBSP
#include "compiler/Partition/Passes.h.inc"
} // namespace ipuc

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;
namespace bsp = ipuc::bsp;

namespace {
using Shape = std::vector<int64_t>;

Shape shapeOf(Type type) {
  auto shaped = cast<ShapedType>(type);
  return Shape(shaped.getShape().begin(), shaped.getShape().end());
}
int64_t product(const Shape &s) {
  int64_t n = 1;
  for (int64_t v : s)
    n *= v;
  return n;
}

/// A bsp tensor under construction: its mapping is kept as ranges until the
/// op is built (mappings of results are known when the producer is planned).
struct Buffer {
  Value value; // the !bsp.buffer
  bsp::TensorOp op;
  std::vector<TileRange> ranges;
};

class Partitioner {
public:
  Partitioner(ModuleOp module, const DeviceDescription &dev, int64_t grain)
      : module(module), dev(dev), grain(grain), ctx(module.getContext()),
        b(ctx) {
    tiles = dev.totalTiles();
  }
  LogicalResult run();

private:
  // Tensors.
  Buffer &newTensor(Location loc, StringRef name, bsp::TensorRole role,
                    Type tensorType, std::vector<TileRange> ranges,
                    Attribute value = {});
  std::vector<TileRange> linear(const Shape &shape) {
    auto r = linearMapping(product(shape), tiles, grain, nextTile, tiles);
    nextTile = (nextTile + std::max<size_t>(r.size(), 1)) % tiles;
    return r;
  }
  std::vector<TileRange> oneTile(const Shape &shape) {
    int64_t t = nextTile;
    nextTile = (nextTile + 1) % tiles;
    return linearMapping(product(shape), 1, 1, t, tiles);
  }
  FailureOr<Buffer *> get(Value v, Operation *user);
  std::string nameFor(Operation *op) {
    return op->getName().getStringRef().str() + "#" +
           std::to_string(opCounter);
  }
  /// The tile holding all of [first, last) of `buf`, or -1.
  int64_t tileHolding(const Buffer &buf, int64_t first, int64_t last) {
    for (const TileRange &r : buf.ranges)
      if (r.begin <= first && last <= r.end)
        return r.tile;
    return -1;
  }
  /// A box of `buf` readable on `tile`: the box itself when it lives there,
  /// otherwise a staging tensor on the tile filled by the pending exchange.
  std::pair<Value, bsp::BoxAttr> onTile(Buffer &buf, const Box &box,
                                        int64_t tile, Location loc,
                                        StringRef name);
  bsp::BoxAttr boxAttr(const Box &box) {
    return bsp::BoxAttr::get(ctx, box.offsets, box.sizes);
  }
  static Box wholeBox(const Shape &s) {
    return Box{Shape(s.size(), 0), s};
  }

  // Steps.
  void flushExchange(Location loc, StringRef name);
  bsp::ComputeSetOp newComputeSet(Location loc, StringRef name);

  // Ops.
  LogicalResult partitionOp(Operation *op);
  LogicalResult partitionFill(linalg::FillOp op);
  FailureOr<bool> partitionMatMul(linalg::LinalgOp op);
  LogicalResult partitionStructured(linalg::LinalgOp op);
  LogicalResult partitionReshape(Operation *op, Value src);
  LogicalResult partitionReturn(func::FuncOp func, func::ReturnOp op);

  ModuleOp module;
  DeviceDescription dev;
  int64_t grain;
  int64_t tiles;
  int64_t nextTile = 0;
  int64_t opCounter = 0;
  int64_t stageCounter = 0;
  MLIRContext *ctx;
  OpBuilder b;
  bsp::ProgramOp program;
  Block *tensorBlock = nullptr;
  Operation *tensorInsertPoint = nullptr;
  std::deque<Buffer> buffers;
  DenseMap<Value, Buffer *> bufferOf;
  struct PendingCopy {
    Value src;
    bsp::BoxAttr srcBox;
    Value dst;
    bsp::BoxAttr dstBox;
  };
  std::vector<PendingCopy> pending;
  std::vector<std::function<void()>> hostReads;
};
} // namespace

Buffer &Partitioner::newTensor(Location loc, StringRef name,
                               bsp::TensorRole role, Type tensorType,
                               std::vector<TileRange> ranges,
                               Attribute value) {
  auto shaped = cast<ShapedType>(tensorType);
  auto type = bsp::BufferType::get(ctx, shaped.getShape(),
                                   shaped.getElementType());
  std::sort(ranges.begin(), ranges.end(),
            [](const TileRange &a, const TileRange &c) {
              return a.begin < c.begin;
            });
  SmallVector<Attribute> intervals;
  for (const TileRange &r : ranges)
    intervals.push_back(
        bsp::IntervalAttr::get(ctx, r.tile, r.begin, r.end, /*address=*/0));
  OpBuilder::InsertionGuard guard(b);
  // Tensors are declared before the steps, in creation order.
  if (tensorInsertPoint)
    b.setInsertionPointAfter(tensorInsertPoint);
  else
    b.setInsertionPointToStart(tensorBlock);
  auto op = b.create<bsp::TensorOp>(
      loc, type, b.getStringAttr(name), bsp::TensorRoleAttr::get(ctx, role),
      b.getArrayAttr(intervals),
      value ? cast<ElementsAttr>(value) : ElementsAttr());
  tensorInsertPoint = op;
  buffers.push_back(Buffer{op.getResult(), op, std::move(ranges)});
  return buffers.back();
}

FailureOr<Buffer *> Partitioner::get(Value v, Operation *user) {
  auto it = bufferOf.find(v);
  if (it != bufferOf.end())
    return it->second;
  Attribute attr;
  if (isa<RankedTensorType>(v.getType()) && matchPattern(v, m_Constant(&attr))) {
    // Constants get their home mapping where they are first consumed.
    Operation *def = v.getDefiningOp();
    Buffer &buf = newTensor(def->getLoc(), "c" + std::to_string(buffers.size()),
                            bsp::TensorRole::constant, v.getType(),
                            linear(shapeOf(v.getType())), attr);
    bufferOf[v] = &buf;
    return &buf;
  }
  return user->emitError() << "'" << user->getName()
                           << "' reads a value that cannot be placed on "
                              "tiles (a scalar or an uninitialized tensor), "
                              "which is not supported by the ipu target yet";
}

std::pair<Value, bsp::BoxAttr> Partitioner::onTile(Buffer &buf, const Box &box,
                                                   int64_t tile, Location loc,
                                                   StringRef name) {
  Shape shape = shapeOf(cast<ShapedType>(buf.value.getType()));
  int64_t first, last;
  boxFlatExtent(shape, box, first, last);
  if (box.numElements() == 0 || tileHolding(buf, first, last) == tile)
    return {buf.value, boxAttr(box)};
  auto bufType = cast<bsp::BufferType>(buf.value.getType());
  auto type = RankedTensorType::get(box.sizes, bufType.getElementType());
  Buffer &stage =
      newTensor(loc, (name + ".t" + std::to_string(tile) + "." +
                      std::to_string(stageCounter++)).str(),
                bsp::TensorRole::intermediate, type,
                {TileRange{tile, 0, box.numElements()}});
  bsp::BoxAttr dst = boxAttr(wholeBox(box.sizes));
  pending.push_back({buf.value, boxAttr(box), stage.value, dst});
  return {stage.value, dst};
}

void Partitioner::flushExchange(Location loc, StringRef name) {
  if (pending.empty())
    return;
  auto ex = b.create<bsp::ExchangeOp>(loc, b.getStringAttr(name));
  Block *block = new Block();
  ex.getBody().push_back(block);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(block);
  for (PendingCopy &c : pending)
    b.create<bsp::CopyOp>(loc, c.src, c.srcBox, c.dst, c.dstBox);
  pending.clear();
}

bsp::ComputeSetOp Partitioner::newComputeSet(Location loc, StringRef name) {
  auto cs = b.create<bsp::ComputeSetOp>(loc, b.getStringAttr(name));
  cs.getBody().push_back(new Block());
  return cs;
}

static Attribute fillValue(Value v) {
  Attribute attr;
  if (matchPattern(v, m_Constant(&attr)))
    return attr;
  return {};
}

LogicalResult Partitioner::partitionFill(linalg::FillOp op) {
  Attribute value = fillValue(op.value());
  if (!value)
    return op->emitError("'linalg.fill' with a non-constant value is not "
                         "supported by the ipu target yet");
  Value result = op->getResult(0);
  Shape shape = shapeOf(result.getType());
  Buffer &buf = newTensor(op.getLoc(), nameFor(op), bsp::TensorRole::intermediate,
                          result.getType(), linear(shape));
  bufferOf[result] = &buf;
  auto cs = newComputeSet(op.getLoc(), nameFor(op));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&cs.getBody().front());
  for (const TileRange &r : buf.ranges)
    for (const Box &box : rangeToBoxes(shape, r.begin, r.end))
      b.create<bsp::FillVertexOp>(
          op.getLoc(), r.tile, ValueRange{buf.value},
          b.getArrayAttr({boxAttr(box)}), cast<TypedAttr>(value),
          /*flops=*/FloatAttr());
  return success();
}

/// True when `v` is zero-filled (linalg.fill of 0) or tensor.empty.
static bool isZeroInit(Value v) {
  if (v.getDefiningOp<tensor::EmptyOp>())
    return true;
  auto fill = v.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  Attribute attr = fillValue(fill.value());
  if (auto f = dyn_cast_or_null<FloatAttr>(attr))
    return f.getValue().isZero();
  if (auto i = dyn_cast_or_null<IntegerAttr>(attr))
    return i.getValue().isZero();
  return false;
}

FailureOr<bool> Partitioner::partitionMatMul(linalg::LinalgOp op) {
  Operation *operation = op;
  bool batched = isa<linalg::BatchMatmulOp>(operation);
  if (!batched && !isa<linalg::MatmulOp>(operation))
    return false;
  Value lhs = op.getDpsInputOperand(0)->get();
  Value rhs = op.getDpsInputOperand(1)->get();
  Value init = op.getDpsInitOperand(0)->get();
  Value result = operation->getResult(0);
  Type elt = getElementTypeOrSelf(result.getType());
  if (!isa<FloatType>(elt) || getElementTypeOrSelf(lhs.getType()) != elt ||
      getElementTypeOrSelf(rhs.getType()) != elt || !isZeroInit(init))
    return false;
  Shape rs = shapeOf(result.getType()), ls = shapeOf(lhs.getType());
  MatMulProblem p;
  unsigned o = batched ? 1 : 0;
  p.batch = batched ? rs[0] : 1;
  p.m = rs[o];
  p.n = rs[o + 1];
  p.k = ls[o + 1];
  p.elemBytes = cast<bsp::BufferType>(
                    bsp::BufferType::get(ctx, {}, elt)).getElementBytes();
  p.dtype = elt.isF16() ? plan::DType::F16
            : elt.isBF16() ? plan::DType::BF16
            : elt.isF64() ? plan::DType::F64 : plan::DType::F32;
  // Leave half of each tile for the tensors around the matmul.
  MatMulGrid g = planMatMul(dev, p, tiles, dev.sramBytesPerTile / 2);

  FailureOr<Buffer *> lhsBuf = get(lhs, op), rhsBuf = get(rhs, op);
  if (failed(lhsBuf) || failed(rhsBuf))
    return failure();
  std::string name = nameFor(op);
  auto tileOf = [&](int64_t bi, int64_t mi, int64_t ni, int64_t ki) {
    return ((bi * g.pm + mi) * g.pn + ni) * g.pk + ki;
  };
  // Result (pk == 1) or partials (pk > 1): block (bi, mi, ni[, ki]) lives on
  // the tile computing it, one interval per row of the block.
  Shape partialShape = rs;
  if (g.pk > 1)
    partialShape.insert(partialShape.begin(), g.pk);
  Shape pStrides = rowMajorStrides(partialShape);
  std::vector<TileRange> blockRanges;
  struct Block4 { int64_t bi, mi, ni, ki, b0, m0, n0, k0, bs, ms, ns, ks, tile; };
  std::vector<Block4> blocks;
  for (int64_t bi = 0; bi < g.pb; ++bi)
    for (int64_t mi = 0; mi < g.pm; ++mi)
      for (int64_t ni = 0; ni < g.pn; ++ni)
        for (int64_t ki = 0; ki < g.pk; ++ki) {
          Block4 blk{bi, mi, ni, ki, bi * g.bb, mi * g.bm, ni * g.bn, ki * g.bk,
                     0, 0, 0, 0, tileOf(bi, mi, ni, ki)};
          blk.bs = std::min(g.bb, p.batch - blk.b0);
          blk.ms = std::min(g.bm, p.m - blk.m0);
          blk.ns = std::min(g.bn, p.n - blk.n0);
          blk.ks = std::min(g.bk, p.k - blk.k0);
          if (blk.bs <= 0 || blk.ms <= 0 || blk.ns <= 0 || blk.ks <= 0)
            continue;
          blocks.push_back(blk);
          for (int64_t x = 0; x < blk.bs; ++x)
            for (int64_t r = 0; r < blk.ms; ++r) {
              int64_t flat = (g.pk > 1 ? ki * pStrides[0] : 0) +
                             (batched ? (blk.b0 + x) * pStrides[g.pk > 1] : 0) +
                             (blk.m0 + r) * pStrides[partialShape.size() - 2] +
                             blk.n0;
              blockRanges.push_back({blk.tile, flat, flat + blk.ns});
            }
        }
  Buffer &out = newTensor(
      op.getLoc(), g.pk > 1 ? name + ".partials" : name,
      bsp::TensorRole::intermediate,
      RankedTensorType::get(partialShape, elt), blockRanges);
  if (g.pk == 1)
    bufferOf[result] = &out;

  // Gather the operand blocks, then one vertex per batch element.
  struct VertexArgs { int64_t tile; Value a, bb, c; bsp::BoxAttr ab, bbx, cb; double flops; };
  std::vector<VertexArgs> vertices;
  for (const Block4 &blk : blocks) {
    for (int64_t x = 0; x < blk.bs; ++x) {
      Box aBox, bBox, cBox;
      if (batched) {
        aBox = Box{{blk.b0 + x, blk.m0, blk.k0}, {1, blk.ms, blk.ks}};
        bBox = Box{{blk.b0 + x, blk.k0, blk.n0}, {1, blk.ks, blk.ns}};
      } else {
        aBox = Box{{blk.m0, blk.k0}, {blk.ms, blk.ks}};
        bBox = Box{{blk.k0, blk.n0}, {blk.ks, blk.ns}};
      }
      if (g.pk > 1)
        cBox.offsets.push_back(blk.ki), cBox.sizes.push_back(1);
      if (batched)
        cBox.offsets.push_back(blk.b0 + x), cBox.sizes.push_back(1);
      cBox.offsets.push_back(blk.m0), cBox.sizes.push_back(blk.ms);
      cBox.offsets.push_back(blk.n0), cBox.sizes.push_back(blk.ns);
      auto [a, ab] = onTile(**lhsBuf, aBox, blk.tile, op.getLoc(), name + ".lhs");
      auto [bv, bbx] = onTile(**rhsBuf, bBox, blk.tile, op.getLoc(), name + ".rhs");
      vertices.push_back({blk.tile, a, bv, out.value, ab, bbx, boxAttr(cBox),
                          sim::matMulFlops(1, blk.ms, blk.ns, blk.ks)});
    }
  }
  flushExchange(op.getLoc(), name + ".gather");
  auto cs = newComputeSet(op.getLoc(), name);
  cs->setAttr("grid", b.getStringAttr(g.str()));
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&cs.getBody().front());
    for (VertexArgs &v : vertices)
      b.create<bsp::MatMulVertexOp>(
          op.getLoc(), v.tile, ValueRange{v.a, v.bb},
          b.getArrayAttr({v.ab, v.bbx}), ValueRange{v.c}, b.getArrayAttr({v.cb}),
          false, false, false, b.getF64FloatAttr(v.flops));
  }
  if (g.pk == 1)
    return true;

  // Reduce the partial sums: each tile of a k-group sums its share of the
  // block's rows from all pk partials into the result.
  std::vector<TileRange> resultRanges;
  Shape rStrides = rowMajorStrides(rs);
  struct Piece { Block4 blk; int64_t r0, rn; };
  std::vector<Piece> pieces;
  for (const Block4 &blk : blocks) {
    int64_t rows = (blk.ms + g.pk - 1) / g.pk;
    int64_t r0 = blk.ki * rows, rn = std::min(rows, blk.ms - r0);
    if (rn <= 0)
      continue;
    pieces.push_back({blk, r0, rn});
    for (int64_t x = 0; x < blk.bs; ++x)
      for (int64_t r = 0; r < rn; ++r) {
        int64_t flat = (batched ? (blk.b0 + x) * rStrides[0] : 0) +
                       (blk.m0 + r0 + r) * rStrides[rs.size() - 2] + blk.n0;
        resultRanges.push_back({blk.tile, flat, flat + blk.ns});
      }
  }
  Buffer &res = newTensor(op.getLoc(), name, bsp::TensorRole::intermediate,
                          result.getType(), resultRanges);
  bufferOf[result] = &res;
  struct ReduceArgs { int64_t tile; SmallVector<Value> ins; SmallVector<Attribute> inBoxes; bsp::BoxAttr outBox; int64_t n; };
  std::vector<ReduceArgs> reduces;
  for (const Piece &pc : pieces)
    for (int64_t x = 0; x < pc.blk.bs; ++x) {
      ReduceArgs ra{pc.blk.tile, {}, {}, {}, pc.rn * pc.blk.ns};
      for (int64_t kk = 0; kk < g.pk; ++kk) {
        Box src;
        src.offsets.push_back(kk), src.sizes.push_back(1);
        if (batched)
          src.offsets.push_back(pc.blk.b0 + x), src.sizes.push_back(1);
        src.offsets.push_back(pc.blk.m0 + pc.r0), src.sizes.push_back(pc.rn);
        src.offsets.push_back(pc.blk.n0), src.sizes.push_back(pc.blk.ns);
        auto [v, box] = onTile(out, src, pc.blk.tile, op.getLoc(), name + ".partial");
        ra.ins.push_back(v);
        ra.inBoxes.push_back(box);
      }
      Box dst;
      if (batched)
        dst.offsets.push_back(pc.blk.b0 + x), dst.sizes.push_back(1);
      dst.offsets.push_back(pc.blk.m0 + pc.r0), dst.sizes.push_back(pc.rn);
      dst.offsets.push_back(pc.blk.n0), dst.sizes.push_back(pc.blk.ns);
      ra.outBox = boxAttr(dst);
      reduces.push_back(std::move(ra));
    }
  flushExchange(op.getLoc(), name + ".partials");
  auto rcs = newComputeSet(op.getLoc(), name + ".reduce");
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&rcs.getBody().front());
  for (ReduceArgs &ra : reduces) {
    int64_t inRank = batched ? 4 : 3, outRank = batched ? 3 : 2;
    auto mapTo = [&](int64_t rank) {
      SmallVector<AffineExpr> exprs(rank - 2, b.getAffineConstantExpr(0));
      exprs.push_back(b.getAffineDimExpr(0));
      exprs.push_back(b.getAffineDimExpr(1));
      return AffineMap::get(2, 0, exprs, ctx);
    };
    SmallVector<Attribute> maps(g.pk, AffineMapAttr::get(mapTo(inRank)));
    maps.push_back(AffineMapAttr::get(mapTo(outRank)));
    auto bounds = cast<bsp::BoxAttr>(ra.outBox).getSizes().take_back(2);
    auto v = b.create<bsp::GenericVertexOp>(
        op.getLoc(), ra.tile, ra.ins, b.getArrayAttr(ra.inBoxes),
        ValueRange{res.value}, b.getArrayAttr({ra.outBox}),
        b.getArrayAttr(maps), b.getStrArrayAttr({"parallel", "parallel"}),
        b.getDenseI64ArrayAttr(bounds),
        b.getF64FloatAttr(double(ra.n) * (g.pk - 1)));
    Block *body = new Block();
    v.getBody().push_back(body);
    for (int64_t i = 0; i <= g.pk; ++i)
      body->addArgument(elt, op.getLoc());
    OpBuilder::InsertionGuard g2(b);
    b.setInsertionPointToEnd(body);
    Value sum = body->getArgument(0);
    for (int64_t i = 1; i < g.pk; ++i)
      sum = b.create<arith::AddFOp>(op.getLoc(), sum, body->getArgument(i));
    b.create<bsp::YieldOp>(op.getLoc(), ValueRange{sum});
  }
  return true;
}

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

static int64_t evalExpr(AffineExpr e, ArrayRef<int64_t> dims) {
  auto map = AffineMap::get(dims.size(), 0, e);
  SmallVector<int64_t> r = map.compose(dims);
  return r[0];
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
  SetVector<Value> captures;
  getUsedValuesDefinedAbove(operation->getRegion(0), captures);
  for (Value captured : captures)
    if (!matchPattern(captured, m_Constant()) ||
        captured.getDefiningOp()->getNumResults() != 1)
      return op->emitError() << "'" << op->getName()
                             << "' uses a value defined outside its body, "
                                "which is not supported by the ipu target";
  if (hasCapture)
    return op->emitError() << "'" << op->getName()
                           << "' reads a tensor at computed indices "
                              "(tensor.extract), which is not supported by "
                              "the ipu target yet";
  for (OpOperand *in : op.getDpsInputOperands())
    if (!isa<RankedTensorType>(in->get().getType()))
      return op->emitError() << "'" << op->getName()
                             << "' has a scalar operand, which is not "
                                "supported by the ipu target yet";
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  auto maps = op.getIndexingMapsArray();
  unsigned numIn = op.getNumDpsInputs();
  Block *bodyBlock = &operation->getRegion(0).front();
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
  std::vector<TileRange> ranges =
      split ? linear(outShape) : oneTile(outShape);
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
  auto canAlias = [&](unsigned i) {
    return initBufs[i] && split &&
           op.getDpsInitOperand(i)->get().hasOneUse();
  };
  if (canAlias(0))
    ranges = initBufs[0]->ranges;
  auto sameRanges = [](std::vector<TileRange> a, std::vector<TileRange> c) {
    auto byBegin = [](const TileRange &x, const TileRange &y) {
      return x.begin < y.begin;
    };
    std::sort(a.begin(), a.end(), byBegin);
    std::sort(c.begin(), c.end(), byBegin);
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
      pending.push_back({initBuf->value, boxAttr(wholeBox(shapeOf(init.getType()))),
                         copy.value, boxAttr(wholeBox(shapeOf(result.getType())))});
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
  struct V { int64_t tile; SmallVector<Value> ins, outs; SmallVector<Attribute> inBoxes, outBoxes, maps; SmallVector<int64_t> bounds, lo; };
  std::vector<V> vertices;
  std::vector<std::pair<int64_t, Box>> work;
  if (split) {
    for (const TileRange &r : outs[0]->ranges)
      for (Box &box : rangeToBoxes(outShape, r.begin, r.end))
        work.push_back({r.tile, box});
  } else {
    work.push_back({outs[0]->ranges.empty() ? 0 : outs[0]->ranges[0].tile,
                    wholeBox(outShape)});
  }
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
    SmallVector<AffineExpr> shifted;
    for (size_t d = 0; d < lo.size(); ++d)
      shifted.push_back(b.getAffineDimExpr(d) + lo[d]);
    V v{tile, {}, {}, {}, {}, {}, sz, lo};
    auto relative = [&](AffineMap map, Box &box) {
      SmallVector<AffineExpr> exprs;
      for (AffineExpr e : map.getResults()) {
        int64_t mn = evalExpr(e, lo), mx = evalExpr(e, hi);
        box.offsets.push_back(mn);
        box.sizes.push_back(mx - mn + 1);
        exprs.push_back(simplifyAffineExpr(
            e.replaceDims(shifted) - mn, lo.size(), 0));
      }
      return AffineMap::get(lo.size(), 0, exprs, ctx);
    };
    for (unsigned i = 0; i < numIn; ++i) {
      Value in = op.getDpsInputOperand(i)->get();
      FailureOr<Buffer *> buf = get(in, op);
      if (failed(buf))
        return failure();
      Box box;
      AffineMap rel = relative(maps[i], box);
      auto [val, boxA] = onTile(**buf, box, tile, loc,
                                name + ".in" + std::to_string(i));
      v.ins.push_back(val);
      v.inBoxes.push_back(boxA);
      v.maps.push_back(AffineMapAttr::get(rel));
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
  flushExchange(loc, name + ".gather");
  std::vector<TileRange> finalRanges;
  auto cs = newComputeSet(loc, name);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&cs.getBody().front());
  SmallVector<Attribute> iters;
  for (utils::IteratorType t : op.getIteratorTypesArray())
    iters.push_back(b.getStringAttr(t == utils::IteratorType::reduction
                                        ? "reduction"
                                        : "parallel"));
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
    // linalg.index needs a linalg parent: use bsp.index, offset by the
    // vertex's first point of the op's iteration space.
    SmallVector<linalg::IndexOp> indices;
    vertex.getBody().walk([&](linalg::IndexOp i) { indices.push_back(i); });
    for (linalg::IndexOp index : indices) {
      b.setInsertionPoint(index);
      Value replacement = b.create<bsp::IndexOp>(index.getLoc(), b.getIndexType(),
                                                int64_t(index.getDim()));
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

LogicalResult Partitioner::partitionReshape(Operation *op, Value src) {
  FailureOr<Buffer *> srcBuf = get(src, op);
  if (failed(srcBuf))
    return failure();
  Value result = op->getResult(0);
  Shape from = shapeOf(src.getType()), to = shapeOf(result.getType());
  Buffer &buf = newTensor(op->getLoc(), nameFor(op),
                          bsp::TensorRole::intermediate, result.getType(),
                          (*srcBuf)->ranges);
  bufferOf[result] = &buf;
  // Same flat intervals on the same tiles: reshaping is an on-tile copy of
  // pieces that are boxes of both shapes.
  auto cs = newComputeSet(op->getLoc(), nameFor(op));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&cs.getBody().front());
  for (const TileRange &r : buf.ranges) {
    std::vector<int64_t> cuts = commonBoxBoundaries(from, to, r.begin, r.end);
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      Box s = rangeToBoxes(from, cuts[i], cuts[i + 1]).front();
      Box d = rangeToBoxes(to, cuts[i], cuts[i + 1]).front();
      b.create<bsp::CopyVertexOp>(op->getLoc(), r.tile,
                                  ValueRange{(*srcBuf)->value},
                                  b.getArrayAttr({boxAttr(s)}),
                                  ValueRange{buf.value},
                                  b.getArrayAttr({boxAttr(d)}), FloatAttr());
    }
  }
  return success();
}

LogicalResult Partitioner::partitionOp(Operation *op) {
  ++opCounter;
  Attribute attr;
  if (matchPattern(op, m_Constant(&attr)) || isa<tensor::EmptyOp>(op))
    return success(); // materialized where used
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return partitionFill(fill);
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    FailureOr<bool> done = partitionMatMul(linalgOp);
    if (failed(done))
      return failure();
    if (*done)
      return success();
    return partitionStructured(linalgOp);
  }
  if (auto r = dyn_cast<tensor::ExpandShapeOp>(op))
    return partitionReshape(op, r.getSrc());
  if (auto r = dyn_cast<tensor::CollapseShapeOp>(op))
    return partitionReshape(op, r.getSrc());
  if (auto r = dyn_cast<tensor::ReshapeOp>(op))
    return partitionReshape(op, r.getSource());
  if (auto r = dyn_cast<tensor::CastOp>(op))
    return partitionReshape(op, r.getSource());
  return op->emitError() << "'" << op->getName()
                         << "' is not supported by the ipu target yet";
}

LogicalResult Partitioner::partitionReturn(func::FuncOp func,
                                           func::ReturnOp op) {
  for (auto [i, value] : llvm::enumerate(op.getOperands())) {
    std::string name = "output" + std::to_string(i);
    if (auto attr = func.getResultAttrOfType<StringAttr>(i, "ipuc.name"))
      name = attr.getValue().str();
    FailureOr<Buffer *> buf = get(value, op);
    if (failed(buf))
      return failure();
    Buffer *src = *buf;
    if (src->op.getRole() == bsp::TensorRole::intermediate) {
      src->op.setRole(bsp::TensorRole::output);
      src->op.setName(name);
    } else {
      Buffer &copy = newTensor(op.getLoc(), name, bsp::TensorRole::output,
                               value.getType(), src->ranges);
      Box whole = wholeBox(shapeOf(value.getType()));
      pending.push_back({src->value, boxAttr(whole), copy.value, boxAttr(whole)});
      src = &copy;
    }
    Value v = src->value;
    hostReads.push_back([this, v, name, loc = op.getLoc()] {
      b.create<bsp::HostReadOp>(loc, v, b.getStringAttr(name));
    });
  }
  flushExchange(op.getLoc(), "outputs");
  for (auto &read : hostReads)
    read();
  return success();
}

LogicalResult Partitioner::run() {
  func::FuncOp func = module.lookupSymbol<func::FuncOp>("main");
  if (!func) {
    auto funcs = llvm::to_vector(module.getOps<func::FuncOp>());
    if (funcs.size() != 1)
      return module.emitError("the ipu target needs a function named 'main' "
                              "(or exactly one function)");
    func = funcs.front();
  }
  if (func.isExternal() || !func.getBody().hasOneBlock())
    return func.emitError("the entry function must have a single-block body");
  b.setInsertionPointToEnd(module.getBody());
  auto device = bsp::DeviceAttr::get(
      ctx, dev.name, tiles, dev.sramBytesPerTile, APFloat(dev.clockHz),
      dev.workersPerTile, APFloat(dev.fp32MatmulFlopsPerCycle),
      APFloat(dev.fp16MatmulFlopsPerCycle), APFloat(dev.elementwiseF32PerCycle),
      APFloat(dev.exchangeBytesPerCycle), dev.syncCycles);
  program = b.create<bsp::ProgramOp>(func.getLoc(), "main", device);
  if (program.getBody().empty())
    program.getBody().push_back(new Block());
  tensorBlock = &program.getBody().front();
  b.setInsertionPointToEnd(tensorBlock);
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.hasStaticShape())
      return func.emitError() << "argument #" << arg.getArgNumber()
                              << " must be a statically shaped tensor";
    std::string name = "input" + std::to_string(arg.getArgNumber());
    if (auto attr =
            func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "ipuc.name"))
      name = attr.getValue().str();
    Buffer &buf = newTensor(func.getLoc(), name, bsp::TensorRole::input, type,
                            linear(shapeOf(type)));
    bufferOf[arg] = &buf;
    b.create<bsp::HostWriteOp>(func.getLoc(), buf.value, b.getStringAttr(name));
  }
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      if (failed(partitionReturn(func, ret)))
        return failure();
      continue;
    }
    if (failed(partitionOp(&op)))
      return failure();
  }
  func.erase();
  return success();
}

namespace {
struct PartitionToBspPass
    : public ipuc::impl::PartitionToBspBase<PartitionToBspPass> {
  using PartitionToBspBase::PartitionToBspBase;
  void runOnOperation() override {
    DeviceDescription desc;
    std::string error;
    if (!resolveDevice(device, desc, error) ||
        !applyTileCount(tiles, desc, error)) {
      getOperation().emitError() << error;
      return signalPassFailure();
    }
    Partitioner partitioner(getOperation(), desc, grain);
    if (failed(partitioner.run()))
      signalPassFailure();
  }
};
} // namespace
