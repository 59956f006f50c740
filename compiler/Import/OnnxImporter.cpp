//===- OnnxImporter.cpp - ONNX model to func + tosa ------------------------===//
//
// The importer core: reads the model, creates @main from the graph inputs and
// outputs, turns initializers into constants, and walks the nodes in order
// (ONNX graphs are topologically sorted), handing each to its converter
// through a NodeContext. Everything that can go wrong in a user's model is
// reported as a located diagnostic; nothing here may crash on bad input.
//
//===----------------------------------------------------------------------===//
#include "compiler/Import/OnnxImporter.h"

#include "compiler/Import/NodeImporter.h"
#include "compiler/Import/OnnxTensor.h"
#include "compiler/Import/TosaHelpers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Regex.h"

#include <onnx/defs/parser.h>

#include <map>
#include <set>

using namespace mlir;

namespace ipuc {
namespace onnx_import {
namespace {

/// The default ONNX domain is spelled either "" or "ai.onnx".
bool isDefaultDomain(llvm::StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

class GraphImporter;

/// The NodeContext handed to converters: a view of one node over the
/// importer's value table.
class NodeContextImpl : public NodeContext {
public:
  NodeContextImpl(GraphImporter &importer, const onnx::NodeProto &node,
                  Location loc, int64_t opset)
      : importer(importer), nodeProto(node), location(loc), opsetVersion(opset) {}

  const onnx::NodeProto &node() const override { return nodeProto; }
  OpBuilder &builder() override;
  Location loc() const override { return location; }
  int64_t opset() const override { return opsetVersion; }

  size_t numInputs() const override { return nodeProto.input_size(); }
  bool hasInput(size_t i) const override {
    return i < numInputs() && !nodeProto.input(i).empty();
  }
  Value input(size_t i) const override;
  std::optional<std::vector<int64_t>> constantInts(size_t i) const override;
  std::optional<std::vector<double>> constantFloats(size_t i) const override;

  bool hasAttr(llvm::StringRef name) const override {
    return findAttr(name) != nullptr;
  }
  int64_t attrInt(llvm::StringRef name, int64_t dflt) const override {
    const onnx::AttributeProto *a = findAttr(name);
    return a && a->has_i() ? a->i() : dflt;
  }
  float attrFloat(llvm::StringRef name, float dflt) const override {
    const onnx::AttributeProto *a = findAttr(name);
    return a && a->has_f() ? a->f() : dflt;
  }
  std::string attrString(llvm::StringRef name,
                         llvm::StringRef dflt) const override {
    const onnx::AttributeProto *a = findAttr(name);
    return a && a->has_s() ? a->s() : dflt.str();
  }
  std::vector<int64_t> attrInts(llvm::StringRef name,
                                std::vector<int64_t> dflt) const override {
    const onnx::AttributeProto *a = findAttr(name);
    if (!a || a->type() != onnx::AttributeProto::INTS)
      return dflt;
    return {a->ints().begin(), a->ints().end()};
  }
  std::vector<float> attrFloats(llvm::StringRef name,
                                std::vector<float> dflt) const override {
    const onnx::AttributeProto *a = findAttr(name);
    if (!a || a->type() != onnx::AttributeProto::FLOATS)
      return dflt;
    return {a->floats().begin(), a->floats().end()};
  }
  DenseElementsAttr attrTensor(llvm::StringRef name) const override;

  size_t numOutputs() const override { return nodeProto.output_size(); }
  bool hasOutput(size_t i) const override {
    return i < numOutputs() && !nodeProto.output(i).empty();
  }
  void setResult(size_t i, Value value) override;

  LogicalResult error(const llvm::Twine &message) override {
    emitError(location) << "ONNX node '" << nodeName() << "' ("
                        << nodeProto.op_type() << "): " << message;
    return failure();
  }

  std::string nodeName() const;

private:
  const onnx::AttributeProto *findAttr(llvm::StringRef name) const {
    for (const onnx::AttributeProto &a : nodeProto.attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }

  GraphImporter &importer;
  const onnx::NodeProto &nodeProto;
  Location location;
  int64_t opsetVersion;
  int nodeIndex = 0;
  friend class GraphImporter;
};

class GraphImporter {
public:
  GraphImporter(MLIRContext &context, llvm::StringRef path,
                const OnnxImportOptions &options)
      : context(context), path(path.str()), options(options),
        builder(&context) {}

  OwningOpRef<ModuleOp> run();

  OpBuilder &getBuilder() { return builder; }
  Value lookup(const std::string &name) const {
    auto it = values.find(name);
    return it == values.end() ? Value() : it->second;
  }
  void define(const std::string &name, Value value) { values[name] = value; }
  MLIRContext &getContext() { return context; }

private:
  LogicalResult readModel();
  LogicalResult readOpsets();
  LogicalResult importInitializers(Location loc);
  /// The initializers that become `ipuc.param` arguments, with their data.
  LogicalResult collectParameters(
      SmallVectorImpl<std::pair<const onnx::TensorProto *, DenseElementsAttr>>
          &params);
  FailureOr<RankedTensorType> inputType(const onnx::ValueInfoProto &info);
  LogicalResult importNode(const onnx::NodeProto &node, int index);
  Location graphLoc(llvm::StringRef name) {
    return NameLoc::get(StringAttr::get(&context, name),
                        FileLineColLoc::get(&context, path, 0, 0));
  }

  MLIRContext &context;
  std::string path;
  const OnnxImportOptions &options;
  OpBuilder builder;
  onnx::ModelProto model;
  std::map<std::string, int64_t> opsets;
  std::map<std::string, Value> values;
};

OpBuilder &NodeContextImpl::builder() { return importer.getBuilder(); }

Value NodeContextImpl::input(size_t i) const {
  if (!hasInput(i))
    return {};
  return importer.lookup(nodeProto.input(i));
}

/// The dense contents of `value` when it is defined by a constant op.
static DenseElementsAttr constantAttr(Value value) {
  DenseElementsAttr attr;
  if (value && matchPattern(value, m_Constant(&attr)))
    return attr;
  return {};
}

std::optional<std::vector<int64_t>>
NodeContextImpl::constantInts(size_t i) const {
  DenseElementsAttr attr = constantAttr(input(i));
  if (!attr || !attr.getElementType().isIntOrIndex())
    return std::nullopt;
  std::vector<int64_t> result;
  bool isBool = attr.getElementType().isInteger(1);
  for (const APInt &v : attr.getValues<APInt>())
    result.push_back(isBool ? v.getZExtValue() : v.getSExtValue());
  return result;
}

std::optional<std::vector<double>>
NodeContextImpl::constantFloats(size_t i) const {
  DenseElementsAttr attr = constantAttr(input(i));
  if (!attr)
    return std::nullopt;
  std::vector<double> result;
  if (isa<FloatType>(attr.getElementType())) {
    for (APFloat v : attr.getValues<APFloat>()) {
      bool losesInfo;
      v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                &losesInfo);
      result.push_back(v.convertToDouble());
    }
    return result;
  }
  if (auto ints = constantInts(i)) {
    result.assign(ints->begin(), ints->end());
    return result;
  }
  return std::nullopt;
}

DenseElementsAttr NodeContextImpl::attrTensor(llvm::StringRef name) const {
  const onnx::AttributeProto *a = findAttr(name);
  if (!a || !a->has_t())
    return {};
  std::string ignored;
  return convertTensorProto(importer.getContext(), a->t(), ignored);
}

void NodeContextImpl::setResult(size_t i, Value value) {
  if (hasOutput(i))
    importer.define(nodeProto.output(i), value);
}

std::string NodeContextImpl::nodeName() const {
  if (!nodeProto.name().empty())
    return nodeProto.name();
  return nodeProto.op_type() + "_" + std::to_string(nodeIndex);
}

LogicalResult GraphImporter::readModel() {
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/true);
  if (!buffer)
    return emitError(fileLoc) << "cannot read ONNX model '" << path
                              << "': " << buffer.getError().message();
  llvm::StringRef contents = (*buffer)->getBuffer();
  if (llvm::StringRef(path).ends_with(".onnxtxt")) {
    onnx::Status status =
        onnx::OnnxParser::Parse(model, (*buffer)->getBufferStart());
    if (!status.IsOK())
      return emitError(fileLoc) << "malformed ONNX text model: "
                                << status.ErrorMessage();
    return success();
  }
  if (!model.ParseFromArray(contents.data(), static_cast<int>(contents.size())))
    return emitError(fileLoc) << "malformed ONNX model (not a ModelProto)";
  return success();
}

LogicalResult GraphImporter::readOpsets() {
  for (const onnx::OperatorSetIdProto &id : model.opset_import()) {
    std::string domain = isDefaultDomain(id.domain()) ? "" : id.domain();
    opsets[domain] = id.version();
  }
  // A model without opset_import is from before opsets existed; treat it as
  // opset 1, which most converters reject with a clear message.
  if (!opsets.count(""))
    opsets[""] = 1;
  return success();
}

FailureOr<RankedTensorType>
GraphImporter::inputType(const onnx::ValueInfoProto &info) {
  Location loc = graphLoc(info.name());
  if (!info.type().has_tensor_type())
    return emitError(loc) << "graph input '" << info.name()
                          << "' is not a tensor";
  const onnx::TypeProto_Tensor &tt = info.type().tensor_type();
  Type elementType = convertDType(context, tt.elem_type());
  if (!elementType)
    return emitError(loc) << "unsupported dtype "
                          << onnxDTypeName(tt.elem_type())
                          << " for input/initializer " << info.name();

  auto fixed = options.inputShapes.find(info.name());
  if (fixed != options.inputShapes.end()) {
    if (tt.has_shape() && tt.shape().dim_size() !=
                              static_cast<int>(fixed->second.size()))
      return emitError(loc)
             << "--input-shape for '" << info.name() << "' has rank "
             << fixed->second.size() << " but the model's input has rank "
             << tt.shape().dim_size();
    for (auto [i, d] : llvm::enumerate(fixed->second)) {
      if (tt.has_shape() && tt.shape().dim(i).has_dim_value() &&
          tt.shape().dim(i).dim_value() != d)
        return emitError(loc)
               << "--input-shape for '" << info.name() << "' sets dimension "
               << i << " to " << d << " but the model fixes it to "
               << tt.shape().dim(i).dim_value();
    }
    return RankedTensorType::get(fixed->second, elementType);
  }
  if (!tt.has_shape())
    return emitError(loc) << "graph input '" << info.name()
                          << "' has no shape; fix it with --input-shape "
                          << info.name() << "=DxDx...";
  SmallVector<int64_t> shape;
  for (const onnx::TensorShapeProto_Dimension &dim : tt.shape().dim()) {
    if (!dim.has_dim_value() || dim.dim_value() < 0) {
      std::string what =
          dim.has_dim_param() ? "'" + dim.dim_param() + "'" : "'?'";
      return emitError(loc)
             << "graph input '" << info.name() << "' has dynamic dimension "
             << what << " (dimension " << shape.size()
             << "); fix it with --input-shape " << info.name() << "=DxDx...";
    }
    shape.push_back(dim.dim_value());
  }
  return RankedTensorType::get(shape, elementType);
}

LogicalResult GraphImporter::importInitializers(Location loc) {
  for (const onnx::TensorProto &tensor : model.graph().initializer()) {
    if (lookup(tensor.name()))
      continue; // a trainable parameter, already an argument
    std::string error;
    DenseElementsAttr attr = convertTensorProto(context, tensor, error);
    if (!attr) {
      // Keep the documented wording for dtype errors.
      if (llvm::StringRef(error).starts_with("unsupported dtype"))
        return emitError(graphLoc(tensor.name()))
               << error << " for input/initializer " << tensor.name();
      return emitError(graphLoc(tensor.name()))
             << "initializer '" << tensor.name() << "': " << error;
    }
    define(tensor.name(),
           constTensor(builder, graphLoc(tensor.name()), attr));
  }
  (void)loc;
  return success();
}

LogicalResult GraphImporter::collectParameters(
    SmallVectorImpl<std::pair<const onnx::TensorProto *, DenseElementsAttr>>
        &params) {
  if (!options.trainableInitializers)
    return success();
  llvm::Regex freeze(options.freeze);
  std::string regexError;
  if (!options.freeze.empty() && !freeze.isValid(regexError))
    return emitError(FileLineColLoc::get(&context, path, 0, 0))
           << "--freeze='" << options.freeze
           << "' is not a valid regular expression: " << regexError;
  for (const onnx::TensorProto &tensor : model.graph().initializer()) {
    std::string error;
    DenseElementsAttr attr = convertTensorProto(context, tensor, error);
    // Malformed initializers are reported by importInitializers.
    if (!attr || !isa<FloatType>(attr.getElementType()) ||
        attr.getType().getRank() == 0)
      continue;
    if (!options.freeze.empty() && freeze.match(tensor.name()))
      continue;
    params.emplace_back(&tensor, attr);
  }
  return success();
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node,
                                        int index) {
  std::string name = node.name().empty()
                         ? node.op_type() + "_" + std::to_string(index)
                         : node.name();
  Location loc = NameLoc::get(
      StringAttr::get(&context, name + " (" + node.op_type() + ")"),
      FileLineColLoc::get(&context, path, index + 1, 0));

  std::string domain = isDefaultDomain(node.domain()) ? "" : node.domain();
  auto opset = opsets.find(domain);
  const ConverterRegistry &registry = getConverterRegistry();
  auto it = registry.find(domain.empty() ? node.op_type()
                                         : domainKey(domain, node.op_type()));
  // Ops of other domains are supported one by one (the training domain's
  // optimizers) and need that domain's opset to be imported.
  if (!domain.empty() && (it == registry.end() || opset == opsets.end())) {
    InFlightDiagnostic diag = emitError(loc)
                              << "unsupported ONNX op '" << node.op_type()
                              << "' in domain '" << domain << "' (node '"
                              << name << "'";
    if (opset != opsets.end())
      diag << ", opset " << opset->second;
    diag << ")";
    return failure();
  }
  int64_t version = opset->second;
  if (it == registry.end())
    return emitError(loc) << "unsupported ONNX op '" << node.op_type()
                          << "' (node '" << name << "', opset " << version
                          << ")";
  const ConverterEntry &entry = it->second;
  if (version < entry.minOpset || version > entry.maxOpset) {
    InFlightDiagnostic diag = emitError(loc)
                              << "unsupported ONNX op '" << node.op_type()
                              << "' (node '" << name << "', opset " << version
                              << "): supported from opset " << entry.minOpset;
    if (entry.maxOpset < 1000)
      diag << " to " << entry.maxOpset;
    return failure();
  }

  for (const std::string &input : node.input())
    if (!input.empty() && !lookup(input))
      return emitError(loc) << "ONNX node '" << name << "' (" << node.op_type()
                            << "): input '" << input
                            << "' is not defined before its use";
  for (const std::string &output : node.output())
    if (!output.empty() && lookup(output))
      return emitError(loc) << "ONNX node '" << name << "' (" << node.op_type()
                            << "): output '" << output
                            << "' is already defined";

  NodeContextImpl ctx(*this, node, loc, version);
  ctx.nodeIndex = index;
  if (failed(entry.convert(ctx)))
    return failure();
  for (auto [i, output] : llvm::enumerate(node.output()))
    if (!output.empty() && !lookup(output))
      return emitError(loc) << "ONNX node '" << name << "' ("
                            << node.op_type() << "): output " << i << " ('"
                            << output << "') is not supported";
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run() {
  context.loadDialect<func::FuncDialect, tosa::TosaDialect,
                      arith::ArithDialect, tensor::TensorDialect>();
  if (failed(readModel()) || failed(readOpsets()))
    return {};
  const onnx::GraphProto &graph = model.graph();
  Location moduleLoc = FileLineColLoc::get(&context, path, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(moduleLoc);

  // Graph inputs that also have an initializer are constants (ONNX's way of
  // giving a weight a default value), not arguments of @main.
  std::set<std::string> initializerNames;
  for (const onnx::TensorProto &t : graph.initializer())
    initializerNames.insert(t.name());
  SmallVector<const onnx::ValueInfoProto *> args;
  SmallVector<Type> argTypes;
  for (const onnx::ValueInfoProto &info : graph.input()) {
    if (initializerNames.count(info.name()))
      continue;
    FailureOr<RankedTensorType> type = inputType(info);
    if (failed(type))
      return {};
    args.push_back(&info);
    argTypes.push_back(*type);
  }

  SmallVector<std::pair<const onnx::TensorProto *, DenseElementsAttr>> params;
  if (failed(collectParameters(params)))
    return {};
  for (auto &[tensor, value] : params)
    argTypes.push_back(value.getType());

  builder.setInsertionPointToEnd(module->getBody());
  auto func = builder.create<func::FuncOp>(
      moduleLoc, "main", builder.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  for (auto [i, info] : llvm::enumerate(args)) {
    func.setArgAttr(i, "ipuc.name", builder.getStringAttr(info->name()));
    body->getArgument(i).setLoc(graphLoc(info->name()));
    define(info->name(), body->getArgument(i));
  }
  for (auto [i, param] : llvm::enumerate(params)) {
    unsigned index = args.size() + i;
    const std::string &name = param.first->name();
    func.setArgAttr(index, "ipuc.name", builder.getStringAttr(name));
    func.setArgAttr(index, "ipuc.param", builder.getUnitAttr());
    func.setArgAttr(index, "ipuc.initial", param.second);
    body->getArgument(index).setLoc(graphLoc(name));
    define(name, body->getArgument(index));
  }
  builder.setInsertionPointToEnd(body);

  if (failed(importInitializers(moduleLoc)))
    return {};
  for (auto [i, node] : llvm::enumerate(graph.node()))
    if (failed(importNode(node, static_cast<int>(i))))
      return {};

  SmallVector<std::string> resultNames;
  for (const onnx::ValueInfoProto &info : graph.output())
    resultNames.push_back(info.name());
  if (!options.outputs.empty())
    resultNames.assign(options.outputs.begin(), options.outputs.end());
  SmallVector<Value> results;
  for (const std::string &name : resultNames) {
    Value value = lookup(name);
    if (!value) {
      if (!options.outputs.empty())
        emitError(moduleLoc)
            << "the model has no tensor named '" << name
            << "' (a node output, graph input or initializer); its graph "
               "outputs are: "
            << llvm::join(llvm::map_range(graph.output(),
                                          [](const onnx::ValueInfoProto &o) {
                                            return o.name();
                                          }),
                          ", ");
      else
        emitError(graphLoc(name))
            << "graph output '" << name << "' is never produced";
      return {};
    }
    results.push_back(value);
  }
  builder.create<func::ReturnOp>(moduleLoc, results);
  func.setType(builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, name] : llvm::enumerate(resultNames))
    func.setResultAttr(i, "ipuc.name", builder.getStringAttr(name));

  if (failed(verify(*module)))
    return {};
  return module;
}

} // namespace
} // namespace onnx_import

OwningOpRef<ModuleOp> importOnnxModel(MLIRContext &context,
                                      llvm::StringRef path,
                                      const OnnxImportOptions &options) {
  return onnx_import::GraphImporter(context, path, options).run();
}

bool parseInputShapeOption(llvm::StringRef text, OnnxImportOptions &options,
                           std::string &error) {
  auto [name, dims] = text.rsplit('=');
  if (name.empty() || name.size() == text.size()) {
    error = "malformed --input-shape '" + text.str() +
            "': expected NAME=DxDx... (e.g. x=1x3x224x224)";
    return false;
  }
  std::vector<int64_t> shape;
  // An empty dimension list is a scalar.
  if (!dims.empty()) {
    SmallVector<llvm::StringRef> parts;
    dims.split(parts, 'x');
    for (llvm::StringRef part : parts) {
      int64_t d;
      if (part.getAsInteger(10, d) || d < 0) {
        error = "malformed --input-shape '" + text.str() + "': '" +
                part.str() + "' is not a dimension";
        return false;
      }
      shape.push_back(d);
    }
  }
  options.inputShapes[name] = std::move(shape);
  return true;
}

} // namespace ipuc
