//===- PartitionMatMul.cpp - (batch) matmul on a block grid ---------------
//===//
//
// Matmuls use the cost-model block grid of MatMulPlanner: one vertex per
// block (per serial k chunk), and a second compute set that sums partials
// when k is split over tiles. A constant rhs (a weight) is homed on the
// tiles that consume it: each chunk of a B block is cut into pm row slices,
// one per tile of the block's grid column, so every consumer reads its own
// slice in place and gathers only the other slices.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/MatMulPlanner.h"
#include "compiler/Partition/Partitioner.h"
#include "compiler/Plan/HostPlanSupport.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;
namespace bsp = ipuc::bsp;

bool ipuc::partition::isZeroInit(Value v) {
  if (v.getDefiningOp<tensor::EmptyOp>())
    return true;
  auto fill = v.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return false;
  Attribute attr = constantValue(fill.value());
  if (auto f = dyn_cast_or_null<FloatAttr>(attr))
    return f.getValue().isZero();
  if (auto i = dyn_cast_or_null<IntegerAttr>(attr))
    return i.getValue().isZero();
  return false;
}

double ipuc::partition::mostElementsOnOneTile(const Buffer &buf) {
  llvm::DenseMap<int64_t, int64_t> perTile;
  int64_t most = 0;
  for (const TileRange &r : buf.ranges)
    most = std::max(most, perTile[r.tile] += r.end - r.begin);
  return double(most);
}

namespace {
/// One block of the grid: indices, first element and extent per dim, tile.
struct Block4 {
  int64_t bi, mi, ni, ki, b0, m0, n0, k0, bs, ms, ns, ks, tile;
};

/// Rows [begin, end) of a block's k range.
struct KRange {
  int64_t begin, end;
  int64_t size() const { return end - begin; }
};
} // namespace

/// The k rows chunk `j` of block `blk` covers.
static KRange chunkRows(const MatMulGrid &g, const Block4 &blk, int64_t j) {
  int64_t begin = std::min(blk.k0 + j * g.ck, blk.k0 + blk.ks);
  return {begin, std::min(begin + g.ck, blk.k0 + blk.ks)};
}

/// The slice of a chunk that the consumer in grid row `mi` homes (homed B).
static KRange homeSlice(const MatMulGrid &g, KRange chunk, int64_t mi) {
  int64_t slice = (chunk.size() + g.pm - 1) / g.pm;
  int64_t begin = std::min(chunk.begin + mi * slice, chunk.end);
  return {begin, std::min(begin + slice, chunk.end)};
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
  Shape bShape = shapeOf(rhs.getType());
  MatMulProblem p;
  unsigned o = batched ? 1 : 0;
  p.batch = batched ? rs[0] : 1;
  p.m = rs[o];
  p.n = rs[o + 1];
  p.k = ls[o + 1];
  p.elemBytes = cast<bsp::BufferType>(bsp::BufferType::get(ctx, {}, elt))
                    .getElementBytes();
  p.dtype = getPlanDType(elt).value_or(plan::DType::F32);
  FailureOr<Buffer *> lhsBuf = get(lhs, op);
  if (failed(lhsBuf))
    return failure();
  p.lhsShare = mostElementsOnOneTile(**lhsBuf);
  // A constant rhs not placed yet is homed by this matmul's grid.
  p.rhsHomed = !bufferOf.count(rhs) && constantValue(rhs);
  FailureOr<Buffer *> rhsBuf = nullptr;
  if (!p.rhsHomed) {
    rhsBuf = get(rhs, op);
    if (failed(rhsBuf))
      return failure();
    p.rhsShare = mostElementsOnOneTile(**rhsBuf);
  }
  FailureOr<MatMulGrid> chosen = chooseGrid(op, p);
  if (failed(chosen))
    return failure();
  const MatMulGrid &g = *chosen;

  std::string name = nameFor(op);
  auto tileOf = [&](int64_t bi, int64_t mi, int64_t ni, int64_t ki) {
    return ((bi * g.pm + mi) * g.pn + ni) * g.pk + ki;
  };
  // Result (pk == 1): block (bi, mi, ni) lives on the tile computing it, one
  // interval per row of the block. Partials (pk > 1) are the matmul's own
  // scratch, so they are laid out by block, [pk, (pb,) pm, pn, (bb,) bm, bn]:
  // a block is then one contiguous range, not one interval per row (which
  // made the partials most of a transformer's mapping records).
  Shape partialShape = rs;
  if (g.pk > 1) {
    partialShape = {g.pk};
    if (batched)
      partialShape.push_back(g.pb);
    partialShape.insert(partialShape.end(), {g.pm, g.pn});
    if (batched)
      partialShape.push_back(g.bb);
    partialShape.insert(partialShape.end(), {g.bm, g.bn});
  }
  Shape pStrides = rowMajorStrides(partialShape);
  // The partial box of batch element x (of the block) rows [r0, r0 + rn).
  auto partialBox = [&](int64_t ki, int64_t bi, int64_t mi, int64_t ni,
                        int64_t x, int64_t r0, int64_t rn, int64_t ns) {
    Box box;
    box.offsets.reserve(partialShape.size());
    box.offsets.push_back(ki);
    if (batched)
      box.offsets.push_back(bi);
    box.offsets.insert(box.offsets.end(), {mi, ni});
    if (batched)
      box.offsets.push_back(x);
    box.offsets.insert(box.offsets.end(), {r0, 0});
    box.sizes.assign(box.offsets.size(), 1);
    box.sizes[box.sizes.size() - 2] = rn;
    box.sizes.back() = ns;
    return box;
  };
  std::vector<TileRange> blockRanges;
  std::vector<Block4> blocks;
  for (int64_t bi = 0; bi < g.pb; ++bi)
    for (int64_t mi = 0; mi < g.pm; ++mi)
      for (int64_t ni = 0; ni < g.pn; ++ni)
        for (int64_t ki = 0; ki < g.pk; ++ki) {
          Block4 blk{bi,
                     mi,
                     ni,
                     ki,
                     bi * g.bb,
                     mi * g.bm,
                     ni * g.bn,
                     ki * g.bk,
                     0,
                     0,
                     0,
                     0,
                     tileOf(bi, mi, ni, ki)};
          blk.bs = std::min(g.bb, p.batch - blk.b0);
          blk.ms = std::min(g.bm, p.m - blk.m0);
          blk.ns = std::min(g.bn, p.n - blk.n0);
          blk.ks = std::min(g.bk, p.k - blk.k0);
          if (g.pk > 1) {
            // The whole padded block, edge blocks' unused rows and columns
            // included, so that every element of the partials is mapped.
            auto at = partialBox(ki, bi, mi, ni, 0, 0, 1, 1).offsets;
            int64_t flat = 0;
            for (size_t d = 0; d < at.size(); ++d)
              flat += at[d] * pStrides[d];
            blockRanges.push_back({blk.tile, flat, flat + g.bb * g.bm * g.bn});
          }
          if (blk.bs <= 0 || blk.ms <= 0 || blk.ns <= 0 || blk.ks <= 0)
            continue;
          blocks.push_back(blk);
          if (g.pk == 1)
            for (int64_t x = 0; x < blk.bs; ++x)
              for (int64_t r = 0; r < blk.ms; ++r) {
                int64_t flat =
                    (batched ? (blk.b0 + x) * pStrides[0] : 0) +
                    (blk.m0 + r) * pStrides[partialShape.size() - 2] + blk.n0;
                blockRanges.push_back({blk.tile, flat, flat + blk.ns});
              }
        }
  Buffer &out =
      newTensor(op.getLoc(), g.pk > 1 ? name + ".partials" : name,
                bsp::TensorRole::intermediate,
                RankedTensorType::get(partialShape, elt), blockRanges);
  if (g.pk == 1)
    bufferOf[result] = &out;

  // A homed B: the rows of every chunk of a B block are cut into pm slices,
  // slice mi on the consumer in grid row mi (one interval per row).
  if (p.rhsHomed) {
    rhsBuf = get(rhs, op, [&] {
      Shape bStrides = rowMajorStrides(bShape);
      std::vector<TileRange> home;
      for (const Block4 &blk : blocks) {
        if (blk.mi != 0)
          continue; // one B block per (bi, ni, ki)
        for (int64_t j = 0; j < g.sk; ++j)
          for (int64_t s = 0; s < g.pm; ++s) {
            KRange rows = homeSlice(g, chunkRows(g, blk, j), s);
            int64_t tile = tileOf(blk.bi, s, blk.ni, blk.ki);
            for (int64_t x = 0; x < blk.bs; ++x)
              for (int64_t r = rows.begin; r < rows.end; ++r) {
                int64_t flat = (batched ? (blk.b0 + x) * bStrides[0] : 0) +
                               r * bStrides[o] + blk.n0;
                home.push_back({tile, flat, flat + blk.ns});
              }
          }
      }
      return home;
    });
    if (failed(rhsBuf))
      return failure();
  }

  // Serial steps: gather each tile's A chunk and the B rows it does not
  // hold, then one vertex per batch element and B piece, accumulating into
  // the block from its second vertex on.
  struct VertexArgs {
    int64_t tile;
    Value a, bv, c;
    bsp::BoxAttr ab, bbx, cb;
    double flops;
    bool accumulate;
  };
  auto kSlice = [&](bsp::BoxAttr box, unsigned dim, int64_t off, int64_t size) {
    SmallVector<int64_t> offs(box.getOffsets()), sizes(box.getSizes());
    offs[dim] += off;
    sizes[dim] = size;
    return boxes.get(offs, sizes);
  };
  std::vector<char> started(blocks.size() * g.bb, 0);
  for (int64_t step = 0; step < g.sk; ++step) {
    std::vector<VertexArgs> vertices;
    for (auto [bIndex, blk] : llvm::enumerate(blocks)) {
      KRange chunk = chunkRows(g, blk, chunkAtStep(step, blk.mi, g.sk));
      if (chunk.size() <= 0)
        continue;
      // The pieces of the chunk: the tile's own home slice gets a vertex of
      // its own, which reads it in place.
      SmallVector<KRange, 3> pieces;
      if (p.rhsHomed) {
        KRange own = homeSlice(g, chunk, blk.mi);
        pieces = {{chunk.begin, own.begin}, own, {own.end, chunk.end}};
      } else {
        pieces = {chunk};
      }
      for (int64_t x = 0; x < blk.bs; ++x) {
        Box aBox, cBox;
        if (batched)
          aBox =
              Box{{blk.b0 + x, blk.m0, chunk.begin}, {1, blk.ms, chunk.size()}};
        else
          aBox = Box{{blk.m0, chunk.begin}, {blk.ms, chunk.size()}};
        if (g.pk > 1) {
          cBox =
              partialBox(blk.ki, blk.bi, blk.mi, blk.ni, x, 0, blk.ms, blk.ns);
        } else {
          if (batched)
            cBox.offsets.push_back(blk.b0 + x), cBox.sizes.push_back(1);
          cBox.offsets.push_back(blk.m0), cBox.sizes.push_back(blk.ms);
          cBox.offsets.push_back(blk.n0), cBox.sizes.push_back(blk.ns);
        }
        auto [a, ab] = readBox(**lhsBuf, aBox);
        for (const KRange &rows : pieces) {
          if (rows.size() <= 0)
            continue;
          Box bBox;
          if (batched)
            bBox =
                Box{{blk.b0 + x, rows.begin, blk.n0}, {1, rows.size(), blk.ns}};
          else
            bBox = Box{{rows.begin, blk.n0}, {rows.size(), blk.ns}};
          auto [bv, bbx] = readBox(**rhsBuf, bBox);
          char &begun = started[bIndex * g.bb + x];
          vertices.push_back({blk.tile, a, bv, out.value,
                              kSlice(ab, ab.getOffsets().size() - 1,
                                     rows.begin - chunk.begin, rows.size()),
                              bbx, boxAttr(cBox),
                              sim::matMulFlops(1, blk.ms, blk.ns, rows.size()),
                              bool(begun)});
          begun = 1;
        }
      }
    }
    auto cs = newGridStep(op.getLoc(), name, g, step);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&cs.getBody().front());
    for (VertexArgs &v : vertices)
      b.create<bsp::MatMulVertexOp>(op.getLoc(), v.tile, ValueRange{v.a, v.bv},
                                    b.getArrayAttr({v.ab, v.bbx}),
                                    ValueRange{v.c}, b.getArrayAttr({v.cb}),
                                    v.accumulate, false, false,
                                    b.getF64FloatAttr(v.flops));
  }
  if (g.pk == 1)
    return true;

  // Reduce the partial sums: each tile of a k-group sums its share of the
  // block's rows from all pk partials into the result.
  std::vector<TileRange> resultRanges;
  Shape rStrides = rowMajorStrides(rs);
  struct Piece {
    Block4 blk;
    int64_t r0, rn;
  };
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
  struct ReduceArgs {
    int64_t tile;
    SmallVector<Value> ins;
    SmallVector<Attribute> inBoxes;
    bsp::BoxAttr outBox;
    int64_t n;
  };
  std::vector<ReduceArgs> reduces;
  for (const Piece &pc : pieces)
    for (int64_t x = 0; x < pc.blk.bs; ++x) {
      ReduceArgs ra{pc.blk.tile, {}, {}, {}, pc.rn * pc.blk.ns};
      for (int64_t kk = 0; kk < g.pk; ++kk) {
        Box src = partialBox(kk, pc.blk.bi, pc.blk.mi, pc.blk.ni, x, pc.r0,
                             pc.rn, pc.blk.ns);
        auto [v, box] = readBox(out, src);
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
  auto rcs = newComputeSet(op.getLoc(), name + ".reduce");
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&rcs.getBody().front());
  for (ReduceArgs &ra : reduces) {
    int64_t inRank = partialShape.size(), outRank = batched ? 3 : 2;
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
