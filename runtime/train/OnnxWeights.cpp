//===- OnnxWeights.cpp - Trained weights written into the ONNX model -----===//

#include "ipuc/train/OnnxWeights.h"

#include "ipuc/support/AtomicFile.h"

#include <fmt/format.h>
#include <onnx/defs/parser.h>
#include <onnx/onnx_pb.h>

namespace ipuc::train {
namespace {

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// ONNX's TensorProto.DataType for a plan dtype, or UNDEFINED.
int onnxType(plan::DType dtype) {
  using T = onnx::TensorProto;
  switch (dtype) {
  case plan::DType::F32:
    return T::FLOAT;
  case plan::DType::F16:
    return T::FLOAT16;
  case plan::DType::BF16:
    return T::BFLOAT16;
  case plan::DType::F64:
    return T::DOUBLE;
  default:
    return T::UNDEFINED;
  }
}

std::string shapeString(const std::vector<int64_t> &shape) {
  return shape.empty() ? "scalar" : fmt::format("{}", fmt::join(shape, "x"));
}

onnx::TensorProto *findInitializer(onnx::ModelProto &model,
                                   const std::string &name) {
  for (onnx::TensorProto &t : *model.mutable_graph()->mutable_initializer())
    if (t.name() == name)
      return &t;
  return nullptr;
}

} // namespace

bool isOnnxPath(const std::string &path) { return endsWith(path, ".onnx"); }

OnnxWeightWriter::OnnxWeightWriter() = default;
OnnxWeightWriter::~OnnxWeightWriter() = default;

bool OnnxWeightWriter::load(const std::string &modelPath,
                            const StepSignature &signature,
                            const TrainState &state, std::string &error) {
  if (modelPath.empty()) {
    error = "--save-weights FILE.onnx rewrites the model the plan was "
            "compiled from, but the plan records none; pass --model "
            "MODEL.onnx";
    return false;
  }
  if (!endsWith(modelPath, ".onnx") && !endsWith(modelPath, ".onnxtxt")) {
    error = fmt::format("--save-weights FILE.onnx rewrites an ONNX model "
                        "(.onnx or .onnxtxt), not '{}'; pass --model "
                        "MODEL.onnx",
                        modelPath);
    return false;
  }
  std::string bytes;
  if (!support::readFile(modelPath, bytes, error)) {
    error = fmt::format("--save-weights FILE.onnx needs the model the plan "
                        "was compiled from: {} (pass --model MODEL.onnx if "
                        "it moved)",
                        error);
    return false;
  }
  auto model = std::make_unique<onnx::ModelProto>();
  if (endsWith(modelPath, ".onnxtxt")) {
    onnx::Status status = onnx::OnnxParser::Parse(*model, bytes.c_str());
    if (!status.IsOK()) {
      error = fmt::format("{}: malformed ONNX text model: {}", modelPath,
                          status.ErrorMessage());
      return false;
    }
  } else if (!model->ParseFromString(bytes)) {
    error =
        fmt::format("{}: malformed ONNX model (not a ModelProto)", modelPath);
    return false;
  }
  std::vector<std::string> parameters = parameterNames(signature);
  for (const std::string &name : parameters) {
    const support::NpyArray &arr = state.tensors.at(name);
    const host::BindingInfo *info = nullptr;
    for (const host::BindingInfo &in : signature.carried)
      if (in.name == name)
        info = &in;
    onnx::TensorProto *t = findInitializer(*model, name);
    if (!t) {
      error = fmt::format("{}: the model has no initializer '{}' for the "
                          "trained parameter {}; is it the model the plan "
                          "was compiled from?",
                          modelPath, name, info->describe());
      return false;
    }
    std::vector<int64_t> dims(t->dims().begin(), t->dims().end());
    if (t->data_type() != onnxType(info->dtype) || dims != arr.shape) {
      error = fmt::format("{}: initializer '{}' ({} of ONNX type {}) does "
                          "not match the trained parameter {}",
                          modelPath, name, shapeString(dims), t->data_type(),
                          info->describe());
      return false;
    }
    if (t->data_location() == onnx::TensorProto::EXTERNAL) {
      error = fmt::format("{}: initializer '{}' keeps its data in an "
                          "external file, which --save-weights does not "
                          "rewrite",
                          modelPath, name);
      return false;
    }
  }
  model_ = std::move(model);
  modelPath_ = modelPath;
  parameters_ = std::move(parameters);
  return true;
}

bool OnnxWeightWriter::write(const std::string &path, const TrainState &state,
                             std::string &error) {
  if (!model_) {
    error = "no ONNX model loaded to write the weights into";
    return false;
  }
  for (const std::string &name : parameters_) {
    onnx::TensorProto *t = findInitializer(*model_, name);
    // raw_data is little-endian, as the state's .npy bytes are; the typed
    // fields the input may have used instead must be cleared.
    t->clear_float_data();
    t->clear_double_data();
    t->clear_int32_data();
    const support::NpyArray &arr = state.tensors.at(name);
    t->set_raw_data(arr.data.data(), arr.data.size());
  }
  std::string out;
  if (!model_->SerializeToString(&out)) {
    error = fmt::format("cannot serialize the trained model for {}", path);
    return false;
  }
  return support::writeFileAtomically(path, out.data(), out.size(), error);
}

} // namespace ipuc::train
