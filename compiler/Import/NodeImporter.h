//===- NodeImporter.h - Per-node conversion API for the importer -*- C++ -*-===//
//
// The interface between the importer core (graph walk, value table,
// initializers, diagnostics) and the per-op converters, which live in one file
// per op family (ElementwiseOps.cpp, TensorOps.cpp, NNOps.cpp,
// ReductionOps.cpp). A converter reads its node's inputs and attributes from a
// NodeContext, builds tosa ops with its builder, and sets the node's results.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_IMPORT_NODEIMPORTER_H
#define IPUC_COMPILER_IMPORT_NODEIMPORTER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/Twine.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ipuc::onnx_import {

/// Everything a converter may use while converting one ONNX node.
class NodeContext {
public:
  virtual ~NodeContext() = default;

  virtual const onnx::NodeProto &node() const = 0;
  virtual mlir::OpBuilder &builder() = 0;
  virtual mlir::Location loc() const = 0;
  /// The opset version of the node's domain.
  virtual int64_t opset() const = 0;

  // --- Inputs -------------------------------------------------------------
  /// Number of inputs listed on the node, including empty optional ones.
  virtual size_t numInputs() const = 0;
  /// True when input `i` is listed and has a non-empty name.
  virtual bool hasInput(size_t i) const = 0;
  /// The value of input `i` (a ranked, statically shaped tensor).
  virtual mlir::Value input(size_t i) const = 0;
  /// The static type of input `i`.
  mlir::RankedTensorType inputType(size_t i) const {
    return llvm::cast<mlir::RankedTensorType>(input(i).getType());
  }
  /// Contents of input `i` when it is an initializer or a Constant node's
  /// output (integers widened to int64, floats to double); nullopt otherwise.
  virtual std::optional<std::vector<int64_t>> constantInts(size_t i) const = 0;
  virtual std::optional<std::vector<double>> constantFloats(size_t i) const = 0;

  // --- Attributes ---------------------------------------------------------
  virtual bool hasAttr(llvm::StringRef name) const = 0;
  virtual int64_t attrInt(llvm::StringRef name, int64_t dflt) const = 0;
  virtual float attrFloat(llvm::StringRef name, float dflt) const = 0;
  virtual std::string attrString(llvm::StringRef name,
                                 llvm::StringRef dflt) const = 0;
  virtual std::vector<int64_t>
  attrInts(llvm::StringRef name, std::vector<int64_t> dflt) const = 0;
  virtual std::vector<float> attrFloats(llvm::StringRef name,
                                        std::vector<float> dflt) const = 0;
  /// The `value`-style tensor attribute `name` as a DenseElementsAttr, or null.
  virtual mlir::DenseElementsAttr attrTensor(llvm::StringRef name) const = 0;

  // --- Results ------------------------------------------------------------
  virtual size_t numOutputs() const = 0;
  /// True when output `i` is listed and has a non-empty name (is wanted).
  virtual bool hasOutput(size_t i) const = 0;
  virtual void setResult(size_t i, mlir::Value value) = 0;

  // --- Diagnostics --------------------------------------------------------
  /// Emits an error at the node's location, prefixed with the op type and
  /// node name, and returns failure so converters can `return ctx.error(..)`.
  virtual mlir::LogicalResult error(const llvm::Twine &message) = 0;
};

using NodeConverter = std::function<mlir::LogicalResult(NodeContext &)>;

/// Converters by ONNX op type (default domain) or domainKey(domain, op type)
/// (any other domain), with the opset range of that domain each handles.
struct ConverterEntry {
  NodeConverter convert;
  int64_t minOpset = 1;
  int64_t maxOpset = 1000;
};
using ConverterRegistry = llvm::StringMap<ConverterEntry>;

/// The registry key of op `opType` in the non-default domain `domain`.
inline std::string domainKey(llvm::StringRef domain, llvm::StringRef opType) {
  return (domain + "::" + opType).str();
}

void registerElementwiseConverters(ConverterRegistry &registry);
void registerTensorConverters(ConverterRegistry &registry);
void registerNNConverters(ConverterRegistry &registry);
void registerReductionConverters(ConverterRegistry &registry);
void registerMoreElementwiseConverters(ConverterRegistry &registry);
void registerMoreTensorConverters(ConverterRegistry &registry);
void registerTrainingConverters(ConverterRegistry &registry);

/// The registry with every converter, built once.
const ConverterRegistry &getConverterRegistry();

} // namespace ipuc::onnx_import

#endif // IPUC_COMPILER_IMPORT_NODEIMPORTER_H
