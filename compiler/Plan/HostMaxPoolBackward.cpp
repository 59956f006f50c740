//===- HostMaxPoolBackward.cpp - Max-pool gradients for the host ----------===//
//
// Autodiff writes a max pool's gradient as
//   eq(x, upsample(max)) * upsample(grad) [* relu_mask(pre)]
// and elementwise fusion turns it into one generic over the pool's input
// reshaped to [n, oh, kh, ow, kw, c] (plus unit dims), the pooled operands
// broadcast over (kh, kw). The Generic interpreter walks that nest through
// per-operand offset tables; the host's MaxPool2DBackward kernel runs it as
// plain loops. This pass, for the host only, finds such a generic by its
// body and its indexing maps and rewrites it into the kernel's six loops:
// unit loops dropped, the loops the pooled operands use first (in their
// order, named n, oh, ow, c), then the two they do not (kh, kw). The rewrite
// only renames loops, so the generic keeps its meaning whatever the emitter
// makes of it; the emitter still checks the strides before choosing the
// kernel.
//
//===----------------------------------------------------------------------===//

#include "compiler/Plan/MaxPoolBackward.h"
#include "compiler/Plan/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ipuc {
#define GEN_PASS_DEF_HOSTMAXPOOLBACKWARD
#include "compiler/Plan/Passes.h.inc"
} // namespace ipuc

using namespace mlir;

namespace {

/// The input position of `value` if it is an input block argument of
/// `body` with `numInputs` inputs.
std::optional<unsigned> inputArg(Value value, Block *body, unsigned numInputs) {
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || arg.getOwner() != body || arg.getArgNumber() >= numInputs)
    return std::nullopt;
  return arg.getArgNumber();
}

/// For `mul` = a * b (either order) with `known` one of them, the other.
Value otherFactor(arith::MulFOp mul, Value known) {
  if (mul.getLhs() == known)
    return mul.getRhs();
  if (mul.getRhs() == known)
    return mul.getLhs();
  return Value();
}

/// The i1 that `value` = uitofp(i1) converts, or null.
Value uitofpSource(Value value) {
  auto cast = value.getDefiningOp<arith::UIToFPOp>();
  return cast && cast.getIn().getType().isInteger(1) ? cast.getIn() : Value();
}

} // namespace

std::optional<ipuc::MaxPoolBackwardBody>
ipuc::matchMaxPoolBackwardBody(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumResults() != 1 ||
      op.getNumDpsInputs() < 3 || op.getNumDpsInputs() > 4)
    return std::nullopt;
  Type elementType = getElementTypeOrSelf(op->getResult(0).getType());
  if (!elementType.isF32() && !elementType.isF64())
    return std::nullopt;
  for (Value operand : op->getOperands())
    if (getElementTypeOrSelf(operand.getType()) != elementType)
      return std::nullopt;
  Block *body = op.getBody();
  const unsigned numInputs = op.getNumDpsInputs();
  if (!body->getArgument(numInputs).use_empty())
    return std::nullopt;
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  Value result = yield.getValues()[0];
  MaxPoolBackwardBody roles;
  size_t expectedOps = 4; // cmpf, uitofp, mulf, yield (and 3 for the mask)

  // An optional outer factor (mask >= 0 ? 1 : 0).
  auto outer = result.getDefiningOp<arith::MulFOp>();
  if (!outer)
    return std::nullopt;
  Value product = result;
  for (Value factor : {outer.getLhs(), outer.getRhs()}) {
    Value bit = uitofpSource(factor);
    auto cmp = bit ? bit.getDefiningOp<arith::CmpFOp>() : nullptr;
    if (!cmp || cmp.getPredicate() != arith::CmpFPredicate::OGE ||
        !matchPattern(cmp.getRhs(), m_AnyZeroFloat()))
      continue;
    std::optional<unsigned> mask = inputArg(cmp.getLhs(), body, numInputs);
    if (!mask)
      continue;
    roles.mask = *mask;
    product = otherFactor(outer, factor);
    expectedOps += 3;
    break;
  }
  // (input == max ? 1 : 0) * grad.
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul)
    return std::nullopt;
  bool matched = false;
  for (Value factor : {mul.getLhs(), mul.getRhs()}) {
    Value bit = uitofpSource(factor);
    auto cmp = bit ? bit.getDefiningOp<arith::CmpFOp>() : nullptr;
    if (!cmp || cmp.getPredicate() != arith::CmpFPredicate::OEQ)
      continue;
    std::optional<unsigned> lhs = inputArg(cmp.getLhs(), body, numInputs);
    std::optional<unsigned> rhs = inputArg(cmp.getRhs(), body, numInputs);
    std::optional<unsigned> grad =
        inputArg(otherFactor(mul, factor), body, numInputs);
    if (!lhs || !rhs || !grad)
      continue;
    roles.input = *lhs;
    roles.max = *rhs;
    roles.grad = *grad;
    matched = true;
    break;
  }
  // Nothing else in the body (a zero constant may sit in it or outside).
  size_t numOps = llvm::count_if(body->getOperations(), [](Operation &o) {
    return !isa<arith::ConstantOp>(o);
  });
  if (!matched || numOps != expectedOps)
    return std::nullopt;
  // Every input in exactly one role.
  SmallVector<unsigned> used = {roles.input, roles.max, roles.grad};
  if (roles.mask)
    used.push_back(*roles.mask);
  llvm::sort(used);
  if (used.size() != numInputs ||
      std::adjacent_find(used.begin(), used.end()) != used.end())
    return std::nullopt;
  return roles;
}

namespace {

struct RewriteMaxPoolBackward : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op->hasAttr(ipuc::kMaxPoolBackwardAttr))
      return failure();
    std::optional<ipuc::MaxPoolBackwardBody> roles =
        ipuc::matchMaxPoolBackwardBody(op);
    if (!roles)
      return rewriter.notifyMatchFailure(op, "not a max-pool gradient body");
    if (op.getNumParallelLoops() != op.getNumLoops())
      return rewriter.notifyMatchFailure(op, "has reduction loops");
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    if (llvm::any_of(ranges, [](int64_t r) { return r < 1; }))
      return rewriter.notifyMatchFailure(op, "dynamic or empty loops");
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    // The equality's pooled side is the one broadcast over the window.
    unsigned input = roles->input, max = roles->max;
    auto uses = [&](unsigned operand, unsigned loop) {
      return maps[operand].isFunctionOfDim(loop);
    };
    auto windowOf = [&](unsigned pooled) {
      SmallVector<unsigned> window, outer;
      for (unsigned loop = 0; loop < ranges.size(); ++loop) {
        if (ranges[loop] == 1)
          continue;
        bool pooledUses = uses(pooled, loop) || uses(roles->grad, loop);
        (pooledUses ? outer : window).push_back(loop);
      }
      return std::make_pair(outer, window);
    };
    auto [outer, window] = windowOf(max);
    if (window.size() != 2) {
      std::swap(input, max);
      std::tie(outer, window) = windowOf(max);
    }
    if (window.size() != 2 || outer.size() != 4)
      return rewriter.notifyMatchFailure(
          op, "needs four pooled and two window loops of extent > 1");
    for (unsigned loop : window)
      if (!uses(input, loop))
        return rewriter.notifyMatchFailure(op, "the input is not read per "
                                               "window position");

    // Old loop -> new loop (or 0 for unit loops).
    MLIRContext *ctx = getContext();
    SmallVector<AffineExpr> replacement(ranges.size(),
                                        getAffineConstantExpr(0, ctx));
    for (auto [i, loop] : llvm::enumerate(outer))
      replacement[loop] = getAffineDimExpr(ipuc::kPoolN + i, ctx);
    for (auto [i, loop] : llvm::enumerate(window))
      replacement[loop] = getAffineDimExpr(ipuc::kPoolKh + i, ctx);
    SmallVector<AffineMap> newMaps;
    for (AffineMap map : maps)
      newMaps.push_back(map.replaceDimsAndSymbols(
          replacement, {}, ipuc::kNumMaxPoolBackwardLoops, 0));
    SmallVector<utils::IteratorType> iterators(ipuc::kNumMaxPoolBackwardLoops,
                                               utils::IteratorType::parallel);
    auto generic = rewriter.create<linalg::GenericOp>(
        op.getLoc(), op->getResultTypes(), op.getDpsInputs(), op.getDpsInits(),
        newMaps, iterators);
    rewriter.inlineRegionBefore(op.getRegion(), generic.getRegion(),
                                generic.getRegion().begin());
    generic->setAttr(ipuc::kMaxPoolBackwardAttr, rewriter.getUnitAttr());
    rewriter.replaceOp(op, generic->getResults());
    return success();
  }
};

struct HostMaxPoolBackwardPass
    : public ipuc::impl::HostMaxPoolBackwardBase<HostMaxPoolBackwardPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RewriteMaxPoolBackward>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
