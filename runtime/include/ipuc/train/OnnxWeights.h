//===- OnnxWeights.h - Trained weights into the ONNX model -----*- C++ -*-===//
//
// `ipu-run --save-weights trained.onnx` writes the model the plan was
// compiled from (the plan's `source`, or `--model`) with the data of every
// trained initializer replaced by its trained value: the rest of the model
// (graph, opsets, metadata, frozen initializers) is kept as it was, so the
// file loads wherever the input model did. The model is read and checked
// before training, so that a missing or unfit model costs no steps.
//
// It uses Debian's libonnx protobuf messages (no MLIR).
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_TRAIN_ONNXWEIGHTS_H
#define IPUC_TRAIN_ONNXWEIGHTS_H

#include "ipuc/train/TrainingLoop.h"

#include <memory>
#include <string>
#include <vector>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace ipuc::train {

/// True for a --save-weights name that asks for an ONNX model.
bool isOnnxPath(const std::string &path);

class OnnxWeightWriter {
public:
  OnnxWeightWriter();
  ~OnnxWeightWriter();

  /// Reads the model (binary ONNX, or ONNX text when it ends in .onnxtxt)
  /// and checks that it has an initializer of the same element type and
  /// shape for every parameter of `signature` (as in `state`).
  bool load(const std::string &modelPath, const StepSignature &signature,
            const TrainState &state, std::string &error);
  /// Writes the model with those initializers holding `state`'s values,
  /// atomically (temporary file, fsync, rename): on any error the file at
  /// `path` is left as it was.
  bool write(const std::string &path, const TrainState &state,
             std::string &error);

private:
  std::unique_ptr<onnx::ModelProto> model_;
  std::string modelPath_;
  std::vector<std::string> parameters_;
};

} // namespace ipuc::train

#endif // IPUC_TRAIN_ONNXWEIGHTS_H
