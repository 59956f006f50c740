//===- Bindings.cpp - A plan's model inputs and outputs -------------------===//

#include "ipuc/host/Bindings.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ipuc::host {

using namespace plan;

int64_t BindingInfo::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

size_t BindingInfo::byteSize() const {
  return static_cast<size_t>(numElements()) * dtypeSize(dtype);
}

std::string BindingInfo::describe() const {
  return fmt::format("{}: {}[{}]", name, dtypeName(dtype),
                     fmt::join(shape, "x"));
}

static std::vector<BindingInfo>
collectBindings(const Plan &plan,
                const flatbuffers::Vector<flatbuffers::Offset<Binding>> *list) {
  std::vector<BindingInfo> out;
  if (!list)
    return out;
  for (const Binding *b : *list) {
    const Tensor &t = *plan.tensors()->Get(b->tensor());
    BindingInfo info;
    info.name = b->name() ? b->name()->str() : "";
    info.tensor = b->tensor();
    info.dtype = t.dtype();
    if (t.shape())
      info.shape.assign(t.shape()->begin(), t.shape()->end());
    out.push_back(std::move(info));
  }
  return out;
}

PlanBindings::PlanBindings(const Plan &plan)
    : inputs_(collectBindings(plan, plan.inputs())),
      outputs_(collectBindings(plan, plan.outputs())),
      inputSet_(inputs_.size(), false) {}

std::string PlanBindings::describeInputs() const {
  if (inputs_.empty())
    return "  (the plan has no inputs)\n";
  std::string s;
  for (const BindingInfo &b : inputs_)
    s += "  " + b.describe() + "\n";
  return s;
}

int PlanBindings::checkInput(const std::string &name, DType dtype,
                             const std::vector<int64_t> &shape, size_t bytes,
                             std::string &error) const {
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const BindingInfo &b = inputs_[i];
    if (b.name != name)
      continue;
    if (dtype != b.dtype || shape != b.shape) {
      error = fmt::format("input '{}' is {}[{}] but the plan expects {}[{}]; "
                          "the plan's inputs are:\n{}",
                          name, dtypeName(dtype), fmt::join(shape, "x"),
                          dtypeName(b.dtype), fmt::join(b.shape, "x"),
                          describeInputs());
      return -1;
    }
    if (bytes != b.byteSize()) {
      error = fmt::format("input '{}' has {} bytes, expected {}", name, bytes,
                          b.byteSize());
      return -1;
    }
    return static_cast<int>(i);
  }
  error = fmt::format("the plan has no input named '{}'; its inputs are:\n{}",
                      name, describeInputs());
  return -1;
}

bool PlanBindings::isInputSet(const std::string &name) const {
  int i = inputIndex(name);
  return i >= 0 && inputSet_[i];
}

bool PlanBindings::checkAllInputsSet(std::string &error) const {
  std::vector<std::string> missing;
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (!inputSet_[i])
      missing.push_back(inputs_[i].name);
  if (missing.empty())
    return true;
  error = fmt::format("missing input{} {}; the plan's inputs are:\n{}",
                      missing.size() > 1 ? "s" : "", fmt::join(missing, ", "),
                      describeInputs());
  return false;
}

int PlanBindings::inputIndex(const std::string &name) const {
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (inputs_[i].name == name)
      return static_cast<int>(i);
  return -1;
}

const BindingInfo *PlanBindings::findInput(const std::string &name) const {
  int i = inputIndex(name);
  return i >= 0 ? &inputs_[i] : nullptr;
}

int PlanBindings::outputIndex(const std::string &name) const {
  for (size_t i = 0; i < outputs_.size(); ++i)
    if (outputs_[i].name == name)
      return static_cast<int>(i);
  return -1;
}

const BindingInfo *PlanBindings::findOutput(const std::string &name) const {
  int i = outputIndex(name);
  return i >= 0 ? &outputs_[i] : nullptr;
}

} // namespace ipuc::host
