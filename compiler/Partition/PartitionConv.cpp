//===- PartitionConv.cpp - 2-D convolution on the matmul planner's grid ---===//
//
// linalg.conv_2d_nhwc_fhwc is planned as the implicit GEMM it is (M = images
// x output rows x output columns, N = output channels, K = input channels x
// filter window) by MatMulPlanner: blocks of images (batch), of output rows
// (m, each with the whole row width) and of output channels (n) go to
// tiles; input channels (k) are processed in serial chunks accumulating into
// the block when the input rows a block reads (with their halo) do not fit.
// Input channels are not split over tiles: that would need a partial-sum
// reduce, which only the matmul lowering has.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/MatMulPlanner.h"
#include "compiler/Partition/Partitioner.h"
#include "compiler/Plan/HostPlanSupport.h"

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;
namespace bsp = ipuc::bsp;

FailureOr<bool> Partitioner::partitionConv(linalg::LinalgOp op) {
  auto conv = dyn_cast<linalg::Conv2DNhwcFhwcOp>(op.getOperation());
  if (!conv)
    return declineGrid(op);
  Value input = op.getDpsInputOperand(0)->get();
  Value filter = op.getDpsInputOperand(1)->get();
  Value init = op.getDpsInitOperand(0)->get();
  Value result = conv->getResult(0);
  Type elt = getElementTypeOrSelf(result.getType());
  if (!isa<FloatType>(elt) || getElementTypeOrSelf(input.getType()) != elt ||
      getElementTypeOrSelf(filter.getType()) != elt)
    return declineGrid(op); // the generic split handles mixed types
  Shape is = shapeOf(input.getType()), fs = shapeOf(filter.getType());
  Shape os = shapeOf(result.getType());
  SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
  int64_t kh = fs[1], kw = fs[2];

  MatMulProblem p;
  p.batch = os[0];
  p.m = os[1];
  p.n = os[3];
  p.k = is[3];
  p.mInner = os[2];
  p.kWindow = kh * kw;
  p.aRowStride = strides[0];
  p.aRowHalo = dilations[0] * (kh - 1);
  p.aRowElems = is[2];
  p.rhsBatched = false;
  p.maxKSplit = 1;
  p.elemBytes = cast<bsp::BufferType>(bsp::BufferType::get(ctx, {}, elt))
                    .getElementBytes();
  p.dtype = getPlanDType(elt).value_or(plan::DType::F32);
  FailureOr<Buffer *> inBuf = get(input, op), fBuf = get(filter, op);
  if (failed(inBuf) || failed(fBuf))
    return failure();
  p.lhsShare = mostElementsOnOneTile(**inBuf);
  p.rhsShare = mostElementsOnOneTile(**fBuf);
  FailureOr<MatMulGrid> chosen = chooseGrid(op, p);
  if (failed(chosen))
    return failure();
  const MatMulGrid &g = *chosen;
  std::string name = nameFor(op);

  // The result: block (bi, mi, ni) on its tile, one interval per output
  // pixel row of the block's channels (merged when they are contiguous).
  struct Block {
    int64_t mi, b0, bs, r0, rs, f0, fn, tile;
  };
  std::vector<Block> blocks;
  std::vector<TileRange> ranges;
  Shape st = rowMajorStrides(os);
  for (int64_t bi = 0; bi < g.pb; ++bi)
    for (int64_t mi = 0; mi < g.pm; ++mi)
      for (int64_t ni = 0; ni < g.pn; ++ni) {
        Block blk{mi,
                  bi * g.bb,
                  std::min(g.bb, p.batch - bi * g.bb),
                  mi * g.bm,
                  std::min(g.bm, p.m - mi * g.bm),
                  ni * g.bn,
                  std::min(g.bn, p.n - ni * g.bn),
                  (bi * g.pm + mi) * g.pn + ni};
        if (blk.bs <= 0 || blk.rs <= 0 || blk.fn <= 0)
          continue;
        blocks.push_back(blk);
        for (int64_t x = 0; x < blk.bs; ++x)
          for (int64_t r = 0; r < blk.rs; ++r)
            for (int64_t c = 0; c < os[2]; ++c) {
              int64_t flat = (blk.b0 + x) * st[0] + (blk.r0 + r) * st[1] +
                             c * st[2] + blk.f0;
              if (!ranges.empty() && ranges.back().tile == blk.tile &&
                  ranges.back().end == flat)
                ranges.back().end += blk.fn;
              else
                ranges.push_back({blk.tile, flat, flat + blk.fn});
            }
      }
  Buffer &out = newTensor(op.getLoc(), name, bsp::TensorRole::intermediate,
                          result.getType(), ranges);
  bufferOf[result] = &out;
  auto outBox = [&](const Block &blk) {
    return Box{{blk.b0, blk.r0, 0, blk.f0}, {blk.bs, blk.rs, os[2], blk.fn}};
  };
  // A non-zero init (the broadcast bias) is brought to the blocks first and
  // every vertex accumulates onto it.
  bool accumulateInit = !isZeroInit(init);
  if (accumulateInit) {
    FailureOr<Buffer *> initBuf = get(init, op);
    if (failed(initBuf))
      return failure();
    for (const Block &blk : blocks)
      pending.push_back({(*initBuf)->value, boxAttr(outBox(blk)), out.value,
                         boxAttr(outBox(blk))});
    flushExchange(op.getLoc(), name + ".init");
  }

  // A block's first chunk writes it unless there is an init; the others
  // accumulate.
  std::vector<char> started(blocks.size(), 0);
  for (int64_t step = 0; step < g.sk; ++step) {
    struct VertexArgs {
      int64_t tile;
      Value in, f;
      bsp::BoxAttr inBox, fBox, outBox;
      double flops;
      bool accumulate;
    };
    std::vector<VertexArgs> vertices;
    for (auto [index, blk] : llvm::enumerate(blocks)) {
      int64_t j = chunkAtStep(step, blk.mi, g.sk);
      int64_t c0 = std::min(j * g.ck, p.k), cn = std::min(g.ck, p.k - c0);
      if (cn <= 0)
        continue;
      // Input rows of the block's output rows, with the filter's halo; the
      // whole (unpadded) row width.
      Box inBox{{blk.b0, blk.r0 * strides[0], 0, c0},
                {blk.bs, p.aRows(blk.rs), is[2], cn}};
      Box fBox{{blk.f0, 0, 0, c0}, {blk.fn, kh, kw, cn}};
      auto [iv, ib] = readBox(**inBuf, inBox);
      auto [fv, fb] = readBox(**fBuf, fBox);
      vertices.push_back(
          {blk.tile, iv, fv, ib, fb, boxAttr(outBox(blk)),
           sim::conv2DFlops(blk.bs, blk.rs, os[2], blk.fn, kh, kw, cn, 1),
           accumulateInit || started[index]});
      started[index] = 1;
    }
    auto cs = newGridStep(op.getLoc(), name, g, step);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&cs.getBody().front());
    for (VertexArgs &v : vertices)
      b.create<bsp::Conv2DVertexOp>(
          op.getLoc(), v.tile, ValueRange{v.in, v.f},
          b.getArrayAttr({v.inBox, v.fBox}), ValueRange{out.value},
          b.getArrayAttr({v.outBox}), b.getDenseI64ArrayAttr(strides),
          b.getDenseI64ArrayAttr(dilations), /*groups=*/1, v.accumulate,
          b.getF64FloatAttr(v.flops));
  }
  return true;
}
