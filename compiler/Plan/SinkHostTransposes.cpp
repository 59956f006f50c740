//===- SinkHostTransposes.cpp - Cancel layout transposes in tosa graphs ---===//
//
// The ONNX importer wraps every convolution and pool in NCHW <-> NHWC
// transposes, and autodiff differentiates each transpose into the inverse
// one, so the backward graph of conv -> relu -> pool computes the ReLU
// gradient in NCHW between two transposes of NHWC tensors:
//   T_nhwc(mul(T_nchw(pool_grad), cast(greater_equal(T_nchw(conv), 0)))).
// After fusion that is one kernel reading NHWC operands and writing NCHW
// (a strided write of every element), plus the NCHW -> NHWC copies its
// readers need. Sinking the outer transpose through the elementwise ops to
// their operands, where it meets the inverse transposes, computes the
// gradient in NHWC and leaves no transpose at all.
//
// A transpose is sunk only when every leaf of the elementwise tree below it
// is a transpose it cancels, a splat constant or a tensor of unit dims (both
// free to relayout), and at least one cancels: otherwise the transposes
// would merely move, or an operand would need a new copy. Each op in the
// tree must have no other reader, so that nothing is computed twice; only
// the root may have other readers, all transposes, which are rewritten to
// read the new layout.
//
//===----------------------------------------------------------------------===//

#include "compiler/Plan/Passes.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace ipuc {
#define GEN_PASS_DEF_SINKHOSTTRANSPOSES
#include "compiler/Plan/Passes.h.inc"
} // namespace ipuc

using namespace mlir;

namespace {

/// How deep a tree of elementwise ops is searched: the ReLU gradient's is
/// three (mul -> cast -> greater_equal).
constexpr unsigned kMaxDepth = 8;

/// The constant permutation of a tosa.transpose (result dim i is input dim
/// perm[i]), or nothing.
std::optional<SmallVector<int64_t>> getPermutation(Value value) {
  auto transpose = value.getDefiningOp<tosa::TransposeOp>();
  SmallVector<int64_t> perm;
  if (!transpose || failed(transpose.getConstantPerms(perm)))
    return std::nullopt;
  return perm;
}

/// Whether `op` is a tosa elementwise op on static tensors of one rank (its
/// operands broadcast only along unit dims, so permuting every operand the
/// same way permutes the result).
bool isElementwise(Operation *op) {
  if (!isa_and_nonnull<tosa::TosaDialect>(op ? op->getDialect() : nullptr) ||
      op->getNumResults() != 1 || op->getNumRegions() != 0 ||
      !(op->hasTrait<OpTrait::ResultsBroadcastableShape>() ||
        isa<tosa::CastOp>(op)))
    return false;
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !type.hasStaticShape())
    return false;
  return llvm::all_of(op->getOperandTypes(), [&](Type t) {
    auto operand = dyn_cast<RankedTensorType>(t);
    return operand && operand.hasStaticShape() &&
           operand.getRank() == type.getRank();
  });
}

/// `type` with dim i = type's dim perm[i].
RankedTensorType permuteType(RankedTensorType type, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> shape;
  for (int64_t dim : perm)
    shape.push_back(type.getDimSize(dim));
  return RankedTensorType::get(shape, type.getElementType());
}

/// Whether transpose(perm) of `value` is a transpose whose permutation is
/// the inverse of perm.
bool cancels(Value value, ArrayRef<int64_t> perm) {
  std::optional<SmallVector<int64_t>> inner = getPermutation(value);
  if (!inner || inner->size() != perm.size())
    return false;
  for (size_t i = 0; i < perm.size(); ++i)
    if ((*inner)[perm[i]] != int64_t(i))
      return false;
  return true;
}

/// A leaf that can be relaid out without a copy.
bool isFreeLeaf(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  if (llvm::all_of(type.getShape(), [](int64_t d) { return d == 1; }))
    return true;
  DenseElementsAttr attr;
  return matchPattern(value, m_Constant(&attr)) && attr.isSplat();
}

/// Whether transpose(perm) of `value` can be computed without a copy;
/// `cancelled` is set when some leaf is an inverse transpose.
bool canSink(Value value, ArrayRef<int64_t> perm, unsigned depth,
             bool &cancelled) {
  if (cancels(value, perm)) {
    cancelled = true;
    return true;
  }
  if (isFreeLeaf(value))
    return true;
  Operation *op = value.getDefiningOp();
  if (depth == 0 || !isElementwise(op) || !value.hasOneUse())
    return false;
  return llvm::all_of(op->getOperands(), [&](Value operand) {
    return canSink(operand, perm, depth - 1, cancelled);
  });
}

/// transpose(perm) of `value`, for which canSink holds.
Value sink(PatternRewriter &rewriter, Value value, ArrayRef<int64_t> perm) {
  if (cancels(value, perm))
    return value.getDefiningOp<tosa::TransposeOp>().getInput1();
  auto type = cast<RankedTensorType>(value.getType());
  RankedTensorType permuted = permuteType(type, perm);
  if (isFreeLeaf(value)) {
    if (permuted == type)
      return value;
    DenseElementsAttr attr;
    if (matchPattern(value, m_Constant(&attr)))
      return rewriter.create<tosa::ConstOp>(value.getLoc(), permuted,
                                            attr.resizeSplat(permuted));
    // Unit dims only: a reshape is the same data.
    return rewriter.create<tosa::ReshapeOp>(
        value.getLoc(), permuted, value,
        rewriter.getDenseI64ArrayAttr(permuted.getShape()));
  }
  Operation *op = value.getDefiningOp();
  SmallVector<Value> operands;
  for (Value operand : op->getOperands())
    operands.push_back(sink(rewriter, operand, perm));
  OperationState state(op->getLoc(), op->getName(), operands, {permuted},
                       op->getAttrs());
  return rewriter.create(state)->getResult(0);
}

struct SinkTransposeThroughElementwise : OpRewritePattern<tosa::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::TransposeOp transpose,
                                PatternRewriter &rewriter) const override {
    std::optional<SmallVector<int64_t>> perm =
        getPermutation(transpose.getResult());
    Value input = transpose.getInput1();
    Operation *op = input.getDefiningOp();
    if (!perm || !isElementwise(op))
      return failure();
    // The tree's root may have other readers if they are transposes too
    // (the canonicalizer merges autodiff's transpose pairs, so the weight
    // gradient reads the ReLU gradient through its own transpose): they are
    // rewritten to read the new layout.
    if (!llvm::all_of(op->getUsers(), [](Operation *user) {
          return isa<tosa::TransposeOp>(user) &&
                 getPermutation(user->getResult(0));
        }))
      return rewriter.notifyMatchFailure(transpose,
                                         "a reader is not a transpose");
    bool cancelled = false;
    if (!llvm::all_of(op->getOperands(),
                      [&](Value operand) {
                        return canSink(operand, *perm, kMaxDepth, cancelled);
                      }) ||
        !cancelled)
      return rewriter.notifyMatchFailure(
          transpose, "the elementwise tree has a leaf that needs a copy, "
                     "another reader, or no inverse transpose");
    Value sunk = sink(rewriter, input, *perm);
    // Another reader, transpose(r) of the old layout, is transpose(r') of
    // the new one with perm[r'[i]] = r[i].
    SmallVector<int64_t> inverse(perm->size());
    for (auto [i, dim] : llvm::enumerate(*perm))
      inverse[dim] = i;
    for (Operation *user : llvm::make_early_inc_range(op->getUsers())) {
      if (user == transpose)
        continue;
      auto other = cast<tosa::TransposeOp>(user);
      SmallVector<int32_t> rest;
      bool identity = true;
      for (int64_t dim : *getPermutation(other.getResult())) {
        rest.push_back(inverse[dim]);
        identity &= rest.back() == int32_t(rest.size() - 1);
      }
      if (identity) {
        rewriter.replaceOp(other, sunk);
        continue;
      }
      auto permsType =
          RankedTensorType::get({int64_t(rest.size())}, rewriter.getI32Type());
      Value perms = rewriter.create<tosa::ConstOp>(
          other.getLoc(), permsType,
          DenseIntElementsAttr::get(permsType, ArrayRef<int32_t>(rest)));
      rewriter.replaceOpWithNewOp<tosa::TransposeOp>(other, other.getType(),
                                                     sunk, perms);
    }
    rewriter.replaceOp(transpose, sunk);
    return success();
  }
};

struct SinkHostTransposesPass
    : public ipuc::impl::SinkHostTransposesBase<SinkHostTransposesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SinkTransposeThroughElementwise>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
