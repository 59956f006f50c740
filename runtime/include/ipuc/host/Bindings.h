//===- Bindings.h - A plan's model inputs and outputs -----------*- C++ -*-===//
//
// Both devices bind the same model inputs and outputs the same way: find by
// name, check dtype and shape, remember which inputs are set, and list what
// the plan expects when the user got it wrong. This is that shared part.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_HOST_BINDINGS_H
#define IPUC_HOST_BINDINGS_H

#include "ipuc/plan/Plan.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ipuc::host {

/// A model input or output as the plan declares it.
struct BindingInfo {
  std::string name;
  uint32_t tensor = 0;
  plan::DType dtype = plan::DType::F32;
  std::vector<int64_t> shape;

  int64_t numElements() const;
  size_t byteSize() const;
  /// "name: f32[2x3]".
  std::string describe() const;
};

class PlanBindings {
public:
  explicit PlanBindings(const plan::Plan &plan);

  const std::vector<BindingInfo> &inputs() const { return inputs_; }
  const std::vector<BindingInfo> &outputs() const { return outputs_; }
  /// One line per input: "  name: f32[2x3]".
  std::string describeInputs() const;

  /// Index of input `name` once its dtype, shape and byte size are checked;
  /// -1 with `error` (listing every input the plan expects) otherwise.
  int checkInput(const std::string &name, plan::DType dtype,
                 const std::vector<int64_t> &shape, size_t bytes,
                 std::string &error) const;
  void markInputSet(size_t index) { inputSet_[index] = true; }
  bool isInputSet(const std::string &name) const;
  /// False with an error naming the inputs not set yet.
  bool checkAllInputsSet(std::string &error) const;

  /// Index of input `name`, or -1.
  int inputIndex(const std::string &name) const;
  const BindingInfo *findInput(const std::string &name) const;
  /// Index of output `name`, or -1.
  int outputIndex(const std::string &name) const;
  const BindingInfo *findOutput(const std::string &name) const;

private:
  std::vector<BindingInfo> inputs_, outputs_;
  std::vector<bool> inputSet_;
};

} // namespace ipuc::host

#endif // IPUC_HOST_BINDINGS_H
