//===- EinsumOp.cpp - ONNX Einsum (matmul-like forms) to tosa ------------===//
//
// One- and two-operand equations without repeated labels inside an operand
// (no diagonals). Each label is classified: a label of both operands is a
// batch dimension when the output keeps it and a contracted one otherwise; a
// label of one operand is free when the output keeps it and summed away
// first otherwise. The operands are then transposed and reshaped to
// [batch, free, contracted] x [batch, contracted, free], multiplied with one
// tosa.matmul, and the result is reshaped and transposed to the output.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/NNHelpers.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace ipuc::onnx_import {
namespace {

/// Labels standing for ellipsis dimensions; digits are never einsum letters.
constexpr llvm::StringLiteral kEllipsisLabels = "0123456789";

/// Parses `equation` for operands of the given ranks into one label string
/// per input plus the output, expanding "..." right-aligned. Empty on error.
std::optional<std::pair<SmallVector<std::string>, std::string>>
parseEquation(llvm::StringRef equation, ArrayRef<int64_t> ranks) {
  std::string eq;
  for (char c : equation)
    if (!llvm::isSpace(c))
      eq.push_back(c);
  llvm::StringRef text(eq);
  auto [lhs, rhs] = text.split("->");
  bool explicitOutput = text.contains("->");
  SmallVector<llvm::StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != ranks.size())
    return std::nullopt;

  SmallVector<std::string> inputs;
  int64_t ellipsisRank = 0;
  for (auto [term, rank] : llvm::zip(terms, ranks)) {
    std::string labels;
    size_t dots = term.find("...");
    int64_t letters = term.size() - (dots == llvm::StringRef::npos ? 0 : 3);
    int64_t extra = rank - letters;
    if (extra < 0 || (dots == llvm::StringRef::npos && extra != 0) ||
        extra > (int64_t)kEllipsisLabels.size())
      return std::nullopt;
    ellipsisRank = std::max(ellipsisRank, extra);
    for (size_t i = 0; i < term.size(); ++i) {
      if (i == dots) {
        for (int64_t e = 0; e < extra; ++e)
          labels.push_back(kEllipsisLabels[ellipsisRank - extra + e]);
        i += 2;
      } else if (llvm::isAlpha(term[i])) {
        labels.push_back(term[i]);
      } else {
        return std::nullopt;
      }
    }
    inputs.push_back(labels);
  }
  // Right-align every operand's ellipsis against the widest one.
  for (auto [i, term] : llvm::enumerate(terms)) {
    size_t dots = term.find("...");
    if (dots == llvm::StringRef::npos)
      continue;
    int64_t extra = ranks[i] - (int64_t)(term.size() - 3);
    for (int64_t e = 0; e < extra; ++e)
      inputs[i][dots + e] = kEllipsisLabels[ellipsisRank - extra + e];
  }

  std::string output;
  if (explicitOutput) {
    size_t dots = rhs.find("...");
    for (size_t i = 0; i < rhs.size(); ++i) {
      if (i == dots) {
        for (int64_t e = 0; e < ellipsisRank; ++e)
          output.push_back(kEllipsisLabels[e]);
        i += 2;
      } else if (llvm::isAlpha(rhs[i])) {
        output.push_back(rhs[i]);
      } else {
        return std::nullopt;
      }
    }
  } else {
    // Implicit output: the ellipsis, then labels used once, alphabetically.
    for (int64_t e = 0; e < ellipsisRank; ++e)
      output.push_back(kEllipsisLabels[e]);
    std::string once;
    for (char c = 'A'; c <= 'z'; ++c) {
      if (!llvm::isAlpha(c))
        continue;
      int count = 0;
      for (const std::string &in : inputs)
        count += llvm::count(in, c);
      if (count == 1)
        once.push_back(c);
    }
    output += once;
  }
  return std::make_pair(inputs, output);
}

bool hasLabel(llvm::StringRef labels, char c) {
  return labels.find(c) != llvm::StringRef::npos;
}

/// Sums `value` over the labels of `labels` that `keep` rejects, dropping
/// those dimensions; updates `labels`.
Value sumOutLabels(OpBuilder &b, Location loc, Value value, std::string &labels,
                   llvm::function_ref<bool(char)> keep) {
  auto t = tensorType(value);
  SmallVector<int64_t> axes, shape;
  std::string kept;
  for (auto [i, c] : llvm::enumerate(labels)) {
    if (keep(c)) {
      kept.push_back(c);
      shape.push_back(t.getDimSize(i));
    } else {
      axes.push_back(i);
    }
  }
  if (axes.empty())
    return value;
  labels = kept;
  return reshapeTo(b, loc, reduceAxes<tosa::ReduceSumOp>(b, loc, value, axes),
                   shape);
}

/// Transposes `value` (labelled `labels`) so its labels read `order`.
Value permuteTo(OpBuilder &b, Location loc, Value value, llvm::StringRef labels,
                llvm::StringRef order) {
  SmallVector<int64_t> perm;
  for (char c : order)
    perm.push_back(labels.find(c));
  return transposeBy(b, loc, value, perm);
}

LogicalResult convertEinsum(NodeContext &ctx) {
  OpBuilder &b = ctx.builder();
  Location loc = ctx.loc();
  std::string equation = ctx.attrString("equation", "");
  auto unsupported = [&](const llvm::Twine &why) {
    return ctx.error("unsupported Einsum equation '" + equation + "': " + why);
  };
  if (ctx.numInputs() < 1 || ctx.numInputs() > 2)
    return unsupported("only one or two operands are supported");
  SmallVector<int64_t> ranks;
  SmallVector<Value> operands;
  for (size_t i = 0; i < ctx.numInputs(); ++i) {
    operands.push_back(ctx.input(i));
    ranks.push_back(ctx.inputType(i).getRank());
  }
  auto parsed = parseEquation(equation, ranks);
  if (!parsed)
    return unsupported("cannot parse it for operands of these ranks");
  auto &[inputs, output] = *parsed;

  // Label sizes must agree everywhere (no broadcasting of size-1 labels).
  llvm::DenseMap<char, int64_t> sizes;
  for (auto [labels, value] : llvm::zip(inputs, operands)) {
    for (auto [i, c] : llvm::enumerate(labels)) {
      if (llvm::count(labels, c) != 1)
        return unsupported("repeated labels (diagonals) are not supported");
      int64_t size = tensorType(value).getDimSize(i);
      auto [it, inserted] = sizes.try_emplace(c, size);
      if (!inserted && it->second != size)
        return unsupported("label sizes differ between operands");
    }
  }
  for (char c : output)
    if (!sizes.count(c) || llvm::count(output, c) != 1)
      return unsupported("bad output labels");
  if (!isFloatTensor(operands[0]))
    return unsupported("only floating-point operands are supported");

  SmallVector<int64_t> outShape;
  for (char c : output)
    outShape.push_back(sizes[c]);

  if (operands.size() == 1) {
    std::string labels = inputs[0];
    Value v = sumOutLabels(b, loc, operands[0], labels,
                           [&](char c) { return hasLabel(output, c); });
    ctx.setResult(0, permuteTo(b, loc, v, labels, output));
    return success();
  }

  std::string la = inputs[0], lb = inputs[1];
  if (tensorType(operands[1]).getElementType() !=
      tensorType(operands[0]).getElementType())
    return unsupported("operand element types differ");
  Value a = sumOutLabels(b, loc, operands[0], la, [&](char c) {
    return hasLabel(output, c) || hasLabel(inputs[1], c);
  });
  Value bv = sumOutLabels(b, loc, operands[1], lb, [&](char c) {
    return hasLabel(output, c) || hasLabel(inputs[0], c);
  });

  std::string batch, contracted, freeA, freeB;
  for (char c : output)
    if (hasLabel(la, c) && hasLabel(lb, c))
      batch.push_back(c);
  for (char c : la) {
    if (!hasLabel(lb, c))
      freeA.push_back(c);
    else if (!hasLabel(output, c))
      contracted.push_back(c);
  }
  for (char c : lb)
    if (!hasLabel(la, c))
      freeB.push_back(c);

  auto prod = [&](llvm::StringRef labels) {
    int64_t p = 1;
    for (char c : labels)
      p *= sizes[c];
    return p;
  };
  int64_t nb = prod(batch), m = prod(freeA), k = prod(contracted),
          n = prod(freeB);
  Value a3 = reshapeTo(
      b, loc, permuteTo(b, loc, a, la, batch + freeA + contracted), {nb, m, k});
  Value b3 =
      reshapeTo(b, loc, permuteTo(b, loc, bv, lb, batch + contracted + freeB),
                {nb, k, n});
  Value product = buildBatchMatMul(b, loc, a3, b3);
  std::string resultLabels = batch + freeA + freeB;
  SmallVector<int64_t> resultShape;
  for (char c : resultLabels)
    resultShape.push_back(sizes[c]);
  Value result = reshapeTo(b, loc, product, resultShape);
  ctx.setResult(0, permuteTo(b, loc, result, resultLabels, output));
  return success();
}

} // namespace

void registerEinsumConverter(ConverterRegistry &registry) {
  registry["Einsum"] = {convertEinsum, 12};
}

} // namespace ipuc::onnx_import
