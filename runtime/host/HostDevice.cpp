//===- HostDevice.cpp - Whole-tensor execution of the host program --------===//

#include "ipuc/host/HostDevice.h"
#include "ipuc/kernels/Dispatch.h"

#include <fmt/format.h>

#include <cstring>
#include <new>

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

/// Either owned, 64-byte aligned storage or a pointer into the plan's
/// constant data (which nothing writes: the verifier rejects such plans).
struct HostDevice::Buffer {
  uint8_t *data = nullptr;
  size_t size = 0;
  bool owned = false;
  /// The same storage as the kernels see it.
  kernels::KernelTensor view;
  ~Buffer() {
    if (owned)
      ::operator delete[](data, std::align_val_t(64));
  }
};

HostDevice::HostDevice(const LoadedPlan &loaded) : loaded_(loaded) {
  const Plan &p = loaded.plan();
  if (auto *ts = p.tensors())
    for (const Tensor *t : *ts) {
      auto buf = std::make_unique<Buffer>();
      buf->size = static_cast<size_t>(numElements(t->shape())) *
                  dtypeSize(t->dtype());
      if (t->role() == TensorRole::Constant && t->data()) {
        buf->data = const_cast<uint8_t *>(t->data()->data());
      } else {
        // Zero-filled so that a plan reading an unwritten tensor is at least
        // deterministic. Parameters start from their embedded values.
        buf->data = static_cast<uint8_t *>(
            ::operator new[](std::max<size_t>(buf->size, 1), std::align_val_t(64)));
        buf->owned = true;
        std::memset(buf->data, 0, buf->size);
        if (t->data() && t->data()->size() == buf->size)
          std::memcpy(buf->data, t->data()->data(), buf->size);
      }
      buf->view.data = buf->data;
      buf->view.dtype = t->dtype();
      if (t->shape())
        buf->view.shape.assign(t->shape()->begin(), t->shape()->end());
      buf->view.numElements = numElements(t->shape());
      kernelTensors_.push_back(&buf->view);
      buffers_.push_back(std::move(buf));
    }
  auto collect = [&](auto *bindings, std::vector<BindingInfo> &out) {
    if (!bindings)
      return;
    for (const Binding *b : *bindings) {
      const Tensor &t = *p.tensors()->Get(b->tensor());
      BindingInfo info;
      info.name = b->name() ? b->name()->str() : "";
      info.tensor = b->tensor();
      info.dtype = t.dtype();
      if (t.shape())
        info.shape.assign(t.shape()->begin(), t.shape()->end());
      out.push_back(std::move(info));
    }
  };
  collect(p.inputs(), inputs_);
  collect(p.outputs(), outputs_);
  inputSet_.assign(inputs_.size(), false);
}

HostDevice::~HostDevice() = default;

std::string HostDevice::describeInputs() const {
  if (inputs_.empty())
    return "  (the plan has no inputs)\n";
  std::string s;
  for (const BindingInfo &b : inputs_)
    s += "  " + b.describe() + "\n";
  return s;
}

bool HostDevice::setInput(const std::string &name, DType dtype,
                          const std::vector<int64_t> &shape, const void *data,
                          size_t bytes, std::string &error) {
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
      return false;
    }
    if (bytes != b.byteSize()) {
      error = fmt::format("input '{}' has {} bytes, expected {}", name, bytes,
                          b.byteSize());
      return false;
    }
    std::memcpy(buffers_[b.tensor]->data, data, bytes);
    inputSet_[i] = true;
    return true;
  }
  error = fmt::format("the plan has no input named '{}'; its inputs are:\n{}",
                      name, describeInputs());
  return false;
}

bool HostDevice::isInputSet(const std::string &name) const {
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (inputs_[i].name == name)
      return inputSet_[i];
  return false;
}

bool HostDevice::run(std::string &error) {
  std::vector<std::string> missing;
  for (size_t i = 0; i < inputs_.size(); ++i)
    if (!inputSet_[i])
      missing.push_back(inputs_[i].name);
  if (!missing.empty()) {
    error = fmt::format("missing input{} {}; the plan's inputs are:\n{}",
                        missing.size() > 1 ? "s" : "",
                        fmt::join(missing, ", "), describeInputs());
    return false;
  }
  if (auto *prog = loaded_.plan().host_program())
    for (size_t i = 0; i < prog->size(); ++i)
      if (!runKernel(i, *prog->Get(i), error))
        return false;
  return true;
}

const BindingInfo *HostDevice::findOutput(const std::string &name) const {
  for (const BindingInfo &b : outputs_)
    if (b.name == name)
      return &b;
  return nullptr;
}

const void *HostDevice::outputData(const std::string &name) const {
  const BindingInfo *b = findOutput(name);
  return b ? buffers_[b->tensor]->data : nullptr;
}

void *HostDevice::tensorData(uint32_t index) {
  return index < buffers_.size() ? buffers_[index]->data : nullptr;
}

bool HostDevice::runKernel(size_t index, const Kernel &k, std::string &error) {
  std::string kernelError;
  bool ok = kernels::runKernelBody(k.body_type(), k.body(), kernelTensors_, {},
                                   kernelError);
  if (!ok)
    error = fmt::format("kernel {} ({}) at {}: {}", index,
                        k.name() ? k.name()->str() : "?",
                        k.loc() ? k.loc()->str() : "unknown location",
                        kernelError);
  return ok;
}

} // namespace ipuc::host
