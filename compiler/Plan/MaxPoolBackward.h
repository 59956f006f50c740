//===- MaxPoolBackward.h - The host's max-pool gradient form ----*- C++ -*-===//
//
// ipuc-host-max-pool-backward rewrites the fused generic that autodiff's
// max-pool gradient (times a ReLU's gradient) becomes into six loops in the
// order below, marked with kMaxPoolBackwardAttr; the host-plan emitter
// recognizes it by that mark, its body (matchMaxPoolBackwardBody) and its
// operands' strides and emits the MaxPool2DBackward kernel. Unrecognized, it
// is still an ordinary generic with the same meaning.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_MAXPOOLBACKWARD_H
#define IPUC_COMPILER_PLAN_MAXPOOLBACKWARD_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace ipuc {

/// Unit attribute of the rewritten generic.
inline constexpr llvm::StringLiteral kMaxPoolBackwardAttr =
    "ipuc.max_pool_backward";

/// Its loops: a pooled element (n, oh, ow, c), then a position in its window
/// (kh, kw). The pooled operands (max, grad) do not use the window loops.
enum MaxPoolBackwardLoop : unsigned {
  kPoolN,
  kPoolOh,
  kPoolOw,
  kPoolC,
  kPoolKh,
  kPoolKw,
  kNumMaxPoolBackwardLoops
};

/// Input positions (among the generic's inputs) of the operands of a body
///   ((input == max ? 1 : 0) * grad) [* (mask >= 0 ? 1 : 0)]
/// written as arith.cmpf oeq, arith.uitofp and arith.mulf (each mulf and
/// the equality in either operand order), the compare against a zero
/// constant. The equality's operands are `input` and `max` in the order
/// they appear; which of them is the pooled one is for the caller to say.
struct MaxPoolBackwardBody {
  unsigned input = 0, max = 0, grad = 0;
  std::optional<unsigned> mask;
};

/// The operands of `op`'s body if it is exactly that (float elements of one
/// type, one result, the output's previous value unread, every input read
/// by exactly one role); nullopt otherwise.
std::optional<MaxPoolBackwardBody>
matchMaxPoolBackwardBody(mlir::linalg::GenericOp op);

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_MAXPOOLBACKWARD_H
