//===- HostPlanMarkedKernels.cpp - Marked generics as host kernels ---------===//
//
// Host-only rewrites (HostConvBackwardFilter.cpp, HostMaxPoolBackward.cpp,
// HostConvBackwardData.cpp) mark generics whose loops are a dedicated
// kernel's; here the host-plan emitter checks that a marked generic is still
// exactly that kernel (body, init, loops, operand strides) and emits it, or
// returns false so that it runs as Generic.
//
//===----------------------------------------------------------------------===//

#include "compiler/Plan/HostPlanEmitter.h"
#include "compiler/Plan/ConvBackwardData.h"
#include "compiler/Plan/ConvBackwardFilter.h"
#include "compiler/Plan/MaxPoolBackward.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

#include <optional>

using namespace mlir;
using namespace ipuc::host_plan;

/// The per-loop element strides of each of `op`'s operands (inputs, then
/// inits), for the host's strided kernels: false unless every operand's
/// indexing map folds to strides from the operand's first element (offset
/// 0), none of them negative.
static bool
getNonNegativeLoopStrides(linalg::GenericOp op,
                          SmallVectorImpl<SmallVector<int64_t>> &loopStrides) {
  for (OpOperand &operand : op->getOpOperands()) {
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(ipuc::foldIndexingMap(
            op.getMatchingIndexingMap(&operand),
            cast<ShapedType>(operand.get().getType()).getShape(), strides,
            offset)) ||
        offset != 0 || llvm::any_of(strides, [](int64_t s) { return s < 0; }))
      return false;
    loopStrides.push_back(strides);
  }
  return true;
}

/// Whether the body of `op` is result += in1 * in0 (in either order).
static bool isMultiplyAccumulate(linalg::GenericOp op) {
  Block &body = *op.getBody();
  if (body.getOperations().size() != 3)
    return false;
  auto mul = dyn_cast<arith::MulFOp>(body.front());
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!mul || !add)
    return false;
  Value x = body.getArgument(0), g = body.getArgument(1);
  Value acc = body.getArgument(2), product = mul.getResult();
  bool mulOk = (mul.getLhs() == x && mul.getRhs() == g) ||
               (mul.getLhs() == g && mul.getRhs() == x);
  bool addOk = (add.getLhs() == acc && add.getRhs() == product) ||
               (add.getLhs() == product && add.getRhs() == acc);
  return mulOk && addOk;
}

/// Emits a generic marked by ipuc-host-conv-backward-filter as the
/// Conv2DBackwardFilter kernel; returns false (run it as Generic) unless its
/// body, zero init and operand strides are exactly that kernel's.
FailureOr<bool>
HostPlanEmitter::emitConvBackwardFilter(linalg::GenericOp op) {
  auto params = op->getAttrOfType<DenseI64ArrayAttr>(
      ipuc::kConvBackwardFilterAttr);
  if (!params || params.size() != 4 || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 ||
      op.getNumLoops() != ipuc::kNumConvBackwardFilterLoops ||
      !ipuc::hasUniformFloatElements(op) || !isMultiplyAccumulate(op))
    return false;
  Type elementType = getElementTypeOrSelf(op->getResult(0).getType());
  if (!elementType.isF32() && !elementType.isF64())
    return false;
  Value init = op.getDpsInitOperand(0)->get();
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill || !matchPattern(fill.value(), m_AnyZeroFloat()))
    return false;
  for (auto [i, type] : llvm::enumerate(op.getIteratorTypesArray()))
    if ((type == utils::IteratorType::reduction) != (i >= ipuc::kLoopN))
      return false;
  // Per-loop element strides of each operand; every loop an operand does
  // not index must have stride 0 in it.
  SmallVector<SmallVector<int64_t>> loopStrides;
  if (!getNonNegativeLoopStrides(op, loopStrides))
    return false;
  ArrayRef<int64_t> p = params.asArrayRef();
  int64_t strideH = p[0], strideW = p[1], dilationH = p[2], dilationW = p[3];
  if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1)
    return false;
  const SmallVector<int64_t> &xs = loopStrides[0], &gs = loopStrides[1],
                             &rs = loopStrides[2];
  using namespace ipuc;
  // The input's h (w) stride, as the ky (kx) loop steps it by the dilation
  // and the oy (ox) loop by the stride.
  if (xs[kLoopKy] % dilationH || xs[kLoopKx] % dilationW)
    return false;
  int64_t inH = xs[kLoopKy] / dilationH, inW = xs[kLoopKx] / dilationW;
  if (xs[kLoopO] != 0 || xs[kLoopOy] != inH * strideH ||
      xs[kLoopOx] != inW * strideW)
    return false;
  for (unsigned loop : {kLoopKy, kLoopKx, kLoopC})
    if (gs[loop] != 0)
      return false;
  for (unsigned loop : {kLoopN, kLoopOy, kLoopOx})
    if (rs[loop] != 0)
      return false;
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  FailureOr<uint32_t> inputTensor =
      getTensor(op.getDpsInputOperand(0)->get(), op);
  FailureOr<uint32_t> gradTensor =
      getTensor(op.getDpsInputOperand(1)->get(), op);
  if (failed(inputTensor) || failed(gradTensor))
    return failure();
  uint32_t result = addResult(op->getResult(0));
  // The smallest input extent the loops reach (the verifier checks it).
  int64_t h = bounds[kLoopOy] == 0 || bounds[kLoopKy] == 0
                  ? 0
                  : (bounds[kLoopOy] - 1) * strideH +
                        (bounds[kLoopKy] - 1) * dilationH + 1;
  int64_t w = bounds[kLoopOx] == 0 || bounds[kLoopKx] == 0
                  ? 0
                  : (bounds[kLoopOx] - 1) * strideW +
                        (bounds[kLoopKx] - 1) * dilationW + 1;
  std::vector<int64_t> inputStrides = {xs[kLoopN], inH, inW, xs[kLoopC]};
  std::vector<int64_t> gradStrides = {gs[kLoopN], gs[kLoopOy], gs[kLoopOx],
                                      gs[kLoopO]};
  std::vector<int64_t> resultStrides = {rs[kLoopO], rs[kLoopKy], rs[kLoopKx],
                                        rs[kLoopC]};
  addKernel(op,
            plan::CreateConv2DBackwardFilterDirect(
                fbb, *inputTensor, *gradTensor, result, bounds[kLoopN], h, w,
                bounds[kLoopC], bounds[kLoopO], bounds[kLoopKy],
                bounds[kLoopKx], bounds[kLoopOy], bounds[kLoopOx], strideH,
                strideW, dilationH, dilationW, &inputStrides, &gradStrides,
                &resultStrides),
            "linalg.generic (conv backward filter)");
  return true;
}

/// Emits a generic marked by ipuc-host-max-pool-backward as the
/// MaxPool2DBackward kernel; returns false (run it as Generic) unless its
/// body is that kernel's, its loops are the six parallel ones and every
/// operand is read at non-negative strides from its start, the pooled ones
/// not stepping with the window loops.
FailureOr<bool> HostPlanEmitter::emitMaxPoolBackward(linalg::GenericOp op) {
  std::optional<ipuc::MaxPoolBackwardBody> roles =
      ipuc::matchMaxPoolBackwardBody(op);
  if (!roles || op.getNumLoops() != ipuc::kNumMaxPoolBackwardLoops ||
      op.getNumParallelLoops() != op.getNumLoops())
    return false;
  SmallVector<SmallVector<int64_t>> loopStrides;
  if (!getNonNegativeLoopStrides(op, loopStrides))
    return false;
  auto pooled = [&](unsigned operand) {
    return loopStrides[operand][ipuc::kPoolKh] == 0 &&
           loopStrides[operand][ipuc::kPoolKw] == 0;
  };
  // The equality is symmetric: its pooled side is the max.
  unsigned input = roles->input, max = roles->max;
  if (!pooled(max))
    std::swap(input, max);
  if (!pooled(max) || !pooled(roles->grad))
    return false;
  // The plan verifier takes the kernel only if it writes each result
  // element once (its batch is split over threads); a generic that writes
  // some twice keeps the Generic's last-write order instead.
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  SmallVector<std::pair<int64_t, int64_t>> steps;
  for (auto [stride, extent] :
       llvm::zip(loopStrides[op.getNumDpsInputs()], bounds))
    if (extent != 1)
      steps.emplace_back(stride, extent);
  llvm::sort(steps);
  int64_t span = 1;
  for (auto [stride, extent] : steps) {
    if (stride < span)
      return false;
    span = stride * extent;
  }
  auto tensorOfInput = [&](unsigned i) {
    return getTensor(op.getDpsInputOperand(i)->get(), op);
  };
  FailureOr<uint32_t> inputTensor = tensorOfInput(input);
  FailureOr<uint32_t> maxTensor = tensorOfInput(max);
  FailureOr<uint32_t> gradTensor = tensorOfInput(roles->grad);
  FailureOr<uint32_t> maskTensor =
      roles->mask ? tensorOfInput(*roles->mask) : FailureOr<uint32_t>(0);
  if (failed(inputTensor) || failed(maxTensor) || failed(gradTensor) ||
      failed(maskTensor))
    return failure();
  uint32_t result = addResult(op->getResult(0));
  auto fine = [&](unsigned operand) {
    return std::vector<int64_t>(loopStrides[operand].begin(),
                                loopStrides[operand].end());
  };
  auto coarse = [&](unsigned operand) {
    return std::vector<int64_t>(loopStrides[operand].begin(),
                                loopStrides[operand].begin() + ipuc::kPoolKh);
  };
  std::vector<int64_t> inputStrides = fine(input), maxStrides = coarse(max),
                       gradStrides = coarse(roles->grad),
                       resultStrides = fine(op.getNumDpsInputs());
  std::vector<int64_t> maskStrides =
      roles->mask ? fine(*roles->mask) : std::vector<int64_t>();
  ArrayRef<int64_t> b = bounds;
  using namespace ipuc;
  addKernel(op,
            plan::CreateMaxPool2DBackwardDirect(
                fbb, *inputTensor, *maxTensor, *gradTensor,
                roles->mask ? static_cast<int32_t>(*maskTensor) : -1, result,
                b[kPoolN], b[kPoolOh], b[kPoolOw], b[kPoolC], b[kPoolKh],
                b[kPoolKw], &inputStrides, &maxStrides, &gradStrides,
                roles->mask ? &maskStrides : nullptr, &resultStrides),
            "linalg.generic (max-pool backward)");
  return true;
}

namespace {
/// How a generic marked by ipuc-host-conv-backward-data runs as the
/// Conv2DBackwardData kernel: `grad` is the tensor it reads, a zero pad's
/// source when that pad (folded into the kernel) feeds only this generic,
/// else the generic's own gradient operand; `low` the folded pad's top and
/// left padding.
struct BackwardDataForm {
  Value grad;
  int64_t low[2] = {0, 0};
};
} // namespace

/// The kernel form of `op`, or nullopt (run it as Generic) unless its body,
/// zero init, loops and indexing maps are exactly the kernel's.
static std::optional<BackwardDataForm>
matchBackwardDataForm(linalg::GenericOp op) {
  auto dilations =
      op->getAttrOfType<DenseI64ArrayAttr>(ipuc::kConvBackwardDataAttr);
  if (!dilations || dilations.size() != 2 || dilations[0] < 1 ||
      dilations[1] < 1 || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 ||
      op.getNumLoops() != ipuc::kNumConvBackwardDataLoops ||
      !ipuc::hasUniformFloatElements(op) || !isMultiplyAccumulate(op) ||
      !ipuc::isZeroTensor(op.getDpsInitOperand(0)->get()))
    return std::nullopt;
  Type elementType = getElementTypeOrSelf(op->getResult(0).getType());
  if (!elementType.isF32() && !elementType.isF64())
    return std::nullopt;
  for (auto [i, type] : llvm::enumerate(op.getIteratorTypesArray()))
    if ((type == utils::IteratorType::reduction) != (i >= ipuc::kDataLoopKy))
      return std::nullopt;
  auto filterType = cast<ShapedType>(op.getDpsInputOperand(1)->get().getType());
  if (filterType.getRank() != 4 || !filterType.hasStaticShape())
    return std::nullopt;
  // Compared simplified: a map parsed from text need not be built alike.
  SmallVector<AffineMap> maps =
      llvm::map_to_vector(op.getIndexingMapsArray(),
                          [](AffineMap m) { return simplifyAffineMap(m); });
  SmallVector<AffineMap, 3> expected = ipuc::getConvBackwardDataMaps(
      op.getContext(), filterType.getDimSize(1), filterType.getDimSize(2),
      dilations[0], dilations[1]);
  if (ArrayRef<AffineMap>(maps) != ArrayRef<AffineMap>(expected))
    return std::nullopt;
  BackwardDataForm form;
  form.grad = op.getDpsInputOperand(0)->get();
  // A zero pad read by this kernel alone: the kernel pads itself. (Not one
  // whose source is a transpose folded into pads: that has no tensor.)
  auto pad = form.grad.getDefiningOp<tensor::PadOp>();
  if (!pad || !form.grad.hasOneUse() ||
      pad.getSource().getDefiningOp<linalg::TransposeOp>())
    return form;
  std::optional<SmallVector<int64_t>> lo =
      ipuc::getConstantPadding(pad.getMixedLowPad());
  std::optional<SmallVector<int64_t>> hi =
      ipuc::getConstantPadding(pad.getMixedHighPad());
  Value padValue = pad.getConstantPaddingValue();
  if (!lo || !hi || !padValue || !matchPattern(padValue, m_AnyZeroFloat()) ||
      (*lo)[0] || (*hi)[0] || (*lo)[3] || (*hi)[3] ||
      llvm::any_of(*lo, [](int64_t v) { return v < 0; }) ||
      llvm::any_of(*hi, [](int64_t v) { return v < 0; }))
    return form;
  form.grad = pad.getSource();
  form.low[0] = (*lo)[1];
  form.low[1] = (*lo)[2];
  return form;
}

bool ipuc::host_plan::isFoldedIntoBackwardData(tensor::PadOp pad) {
  Value result = pad->getResult(0);
  if (!result.hasOneUse())
    return false;
  auto generic = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (!generic || !generic->hasAttr(ipuc::kConvBackwardDataAttr))
    return false;
  std::optional<BackwardDataForm> form = matchBackwardDataForm(generic);
  return form && form->grad == pad.getSource();
}

/// Emits a generic marked by ipuc-host-conv-backward-data as the
/// Conv2DBackwardData kernel; returns false (run it as Generic) unless
/// matchBackwardDataForm accepts it.
FailureOr<bool> HostPlanEmitter::emitConvBackwardData(linalg::GenericOp op) {
  std::optional<BackwardDataForm> form = matchBackwardDataForm(op);
  if (!form)
    return false;
  Value filter = op.getDpsInputOperand(1)->get();
  FailureOr<uint32_t> gradTensor = getTensor(form->grad, op);
  FailureOr<uint32_t> filterTensor = getTensor(filter, op);
  if (failed(gradTensor) || failed(filterTensor))
    return failure();
  uint32_t result = addResult(op->getResult(0));
  ArrayRef<int64_t> g = cast<ShapedType>(form->grad.getType()).getShape();
  ArrayRef<int64_t> f = cast<ShapedType>(filter.getType()).getShape();
  ArrayRef<int64_t> r = cast<ShapedType>(op->getResult(0).getType()).getShape();
  ArrayRef<int64_t> dilations =
      op->getAttrOfType<DenseI64ArrayAttr>(ipuc::kConvBackwardDataAttr)
          .asArrayRef();
  // The correlation reads the padded gradient at y + ky * dilation for the
  // flipped tap ky, so gradient row oy feeds input row
  // oy + low - (kh - 1 - ky) * dilation: the forward padding is
  // (kh - 1) * dilation - low.
  int64_t padTop = (f[1] - 1) * dilations[0] - form->low[0];
  int64_t padLeft = (f[2] - 1) * dilations[1] - form->low[1];
  std::vector<int64_t> gradStrides, filterStrides, resultStrides;
  for (int64_t s : ipuc::getRowMajorStrides(g))
    gradStrides.push_back(s);
  for (int64_t s : ipuc::getRowMajorStrides(f))
    filterStrides.push_back(s);
  for (int64_t s : ipuc::getRowMajorStrides(r))
    resultStrides.push_back(s);
  addKernel(op,
            plan::CreateConv2DBackwardDataDirect(
                fbb, *gradTensor, *filterTensor, result, g[0], g[1], g[2], g[3],
                f[1], f[2], f[3], r[1], r[2], /*stride_h=*/1,
                /*stride_w=*/1, dilations[0], dilations[1], padTop, padLeft,
                &gradStrides, &filterStrides, &resultStrides),
            "linalg.generic (conv backward data)");
  return true;
}

/// A generic that a host-only rewrite marked for a dedicated kernel; the
/// emitter returns false when the marked form does not fit its kernel, and
/// the generic then runs as Generic.
FailureOr<bool> HostPlanEmitter::emitMarkedGeneric(linalg::GenericOp generic) {
  using MarkedEmitter = FailureOr<bool> (HostPlanEmitter::*)(linalg::GenericOp);
  static const std::pair<llvm::StringLiteral, MarkedEmitter> kMarkedKernels[] =
      {{ipuc::kConvBackwardFilterAttr,
        &HostPlanEmitter::emitConvBackwardFilter},
       {ipuc::kMaxPoolBackwardAttr, &HostPlanEmitter::emitMaxPoolBackward},
       {ipuc::kConvBackwardDataAttr, &HostPlanEmitter::emitConvBackwardData}};
  for (const auto &[attr, emit] : kMarkedKernels) {
    if (!generic->hasAttr(attr))
      continue;
    FailureOr<bool> done = (this->*emit)(generic);
    if (failed(done))
      return failure();
    if (*done)
      return true;
  }
  return false;
}
