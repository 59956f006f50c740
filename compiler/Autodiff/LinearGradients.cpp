//===- LinearGradients.cpp - Gradients of matmul-like tosa ops -----------===//

#include "compiler/Autodiff/GradientRules.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"

using namespace mlir;

namespace ipuc::autodiff {

void addLinearGradients(GradientRules &rules) {
  // C[b] = A[b] B[b]: dA = dC B^T, dB = A^T dC.
  rules[tosa::MatMulOp::getOperationName()] = [](TosaBuild &t, Operation *op,
                                                 ValueRange g) -> Grads {
    auto matmul = cast<tosa::MatMulOp>(op);
    if (matmul.getQuantizationInfo())
      return op->emitError(
          "ipuc-autodiff: quantized 'tosa.matmul' has no gradient");
    Value a = matmul.getA(), b = matmul.getB();
    return SmallVector<Value>{t.matmul(g[0], t.transpose(b, {0, 2, 1})),
                              t.matmul(t.transpose(a, {0, 2, 1}), g[0])};
  };
  // y[n, o] = sum_i x[n, i] w[o, i] + bias[o].
  rules[tosa::FullyConnectedOp::getOperationName()] =
      [](TosaBuild &t, Operation *op, ValueRange g) -> Grads {
    auto fc = cast<tosa::FullyConnectedOp>(op);
    if (fc.getQuantizationInfo())
      return op->emitError(
          "ipuc-autodiff: quantized 'tosa.fully_connected' has no gradient");
    Value x = fc.getInput(), w = fc.getWeight();
    int64_t n = shapeOf(x)[0], in = shapeOf(x)[1], out = shapeOf(w)[0];
    Value g3 = t.reshape(g[0], {1, n, out});
    Value dx = t.matmul(g3, t.reshape(w, {1, out, in}));
    Value dw = t.matmul(t.reshape(t.transpose(g[0], {1, 0}), {1, out, n}),
                        t.reshape(x, {1, n, in}));
    Value dbias = t.reshape(t.reduceSum(g[0], 0), {out});
    return SmallVector<Value>{t.reshape(dx, {n, in}), t.reshape(dw, {out, in}),
                              dbias};
  };
}

} // namespace ipuc::autodiff
