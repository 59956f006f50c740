//===- LearnedWeights.cpp - The learned optimizer's MLP from a file ------===//

#include "compiler/Autodiff/LearnedWeights.h"

#include "ipuc/support/Npy.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include <cstring>
#include <map>

using namespace mlir;

namespace ipuc::autodiff {
namespace {
std::string shapeText(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

/// The array's elements as doubles, for float32 and float64 arrays.
bool toDoubles(const support::NpyArray &array, std::vector<double> &out) {
  int64_t n = array.numElements();
  out.resize(n);
  if (array.descr == "<f8") {
    std::memcpy(out.data(), array.data.data(), n * sizeof(double));
    return true;
  }
  if (array.descr == "<f4") {
    for (int64_t i = 0; i < n; ++i) {
      float value;
      std::memcpy(&value, array.data.data() + i * sizeof(float), sizeof(float));
      out[i] = value;
    }
    return true;
  }
  return false;
}
} // namespace

LogicalResult readLearnedWeights(Location loc, llvm::StringRef path,
                                 llvm::SmallVectorImpl<NamedAttribute> &attrs) {
  std::string file = "--learned-weights '" + path.str() + "'";
  if (path.empty())
    return emitError(loc, "--optimizer=learned needs --learned-weights="
                          "FILE.npz (the MLP's arrays decays, w1, b1, w2, b2)");
  std::vector<std::pair<std::string, support::NpyArray>> arrays;
  std::string error;
  if (!support::readNpzFile(path.str(), arrays, error))
    return emitError(loc) << file << ": " << error;
  std::map<std::string, const support::NpyArray *> byName;
  for (const auto &[name, array] : arrays)
    byName[name] = &array;

  std::map<std::string, std::vector<double>> values;
  int64_t decays = -1, hidden = -1;
  auto read = [&](const std::string &name, llvm::ArrayRef<int64_t> expected,
                  llvm::StringRef meaning) -> LogicalResult {
    auto it = byName.find(name);
    if (it == byName.end())
      return emitError(loc)
             << file << " has no array '" << name << "' (" << meaning << ")";
    const support::NpyArray &array = *it->second;
    if (array.shape != std::vector<int64_t>(expected.begin(), expected.end()))
      return emitError(loc)
             << file << ": array '" << name << "' has shape "
             << shapeText(array.shape) << ", expected " << shapeText(expected);
    if (!toDoubles(array, values[name]))
      return emitError(loc) << file << ": array '" << name << "' has dtype '"
                            << array.descr << "', expected float32 or float64";
    return success();
  };
  // decays and w1 fix D and H; their own shapes only need the right rank.
  for (const char *name : {"decays", "w1"}) {
    auto it = byName.find(name);
    size_t rank = std::string(name) == "decays" ? 1 : 2;
    if (it != byName.end() && it->second->shape.size() != rank)
      return emitError(loc)
             << file << ": array '" << name << "' has shape "
             << shapeText(it->second->shape) << ", expected "
             << (rank == 1 ? "[D] (one decay per momentum)"
                           : "[2 + D, H] (features by hidden units)");
  }
  if (auto it = byName.find("decays"); it != byName.end())
    decays = it->second->shape[0];
  if (auto it = byName.find("w1"); it != byName.end())
    hidden = it->second->shape[1];
  if (failed(read("decays", {decays}, "[D]: the momentum decays")) ||
      failed(read("w1", {2 + decays, hidden},
                  "[2 + D, H]: grad, param and D momenta by H hidden units")) ||
      failed(read("b1", {hidden}, "[H]: the hidden biases")) ||
      failed(read("w2", {hidden, 2},
                  "[H, 2]: hidden units by direction and magnitude")) ||
      failed(read("b2", {2}, "[2]: the direction and magnitude biases")))
    return failure();

  // The exponent multiplier is part of what the MLP was trained with, so a
  // file may carry it; otherwise the op's default holds.
  Builder b(loc.getContext());
  if (auto it = byName.find("mag_scale"); it != byName.end()) {
    std::vector<double> scale;
    if (!it->second->shape.empty() || !toDoubles(*it->second, scale))
      return emitError(loc)
             << file << ": array 'mag_scale' has shape "
             << shapeText(it->second->shape) << " and dtype '"
             << it->second->descr << "', expected a float32 or float64 scalar";
    attrs.push_back(b.getNamedAttr("mag_scale", b.getF64FloatAttr(scale[0])));
  }
  attrs.push_back(
      b.getNamedAttr("decays", b.getDenseF64ArrayAttr(values["decays"])));
  auto dense = [&](const std::string &name, llvm::ArrayRef<int64_t> shape) {
    std::vector<float> data(values[name].begin(), values[name].end());
    auto type = RankedTensorType::get(shape, b.getF32Type());
    attrs.push_back(b.getNamedAttr(
        name, DenseElementsAttr::get(type, llvm::ArrayRef<float>(data))));
  };
  dense("w1", {2 + decays, hidden});
  dense("b1", {hidden});
  dense("w2", {hidden, 2});
  dense("b2", {2});
  return success();
}

} // namespace ipuc::autodiff
