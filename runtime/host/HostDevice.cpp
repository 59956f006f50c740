//===- HostDevice.cpp - Whole-tensor execution of the host program --------===//

#include "ipuc/host/HostDevice.h"
#include "ipuc/kernels/Dispatch.h"

#include "InPlaceState.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace ipuc::host {

using namespace plan;

/// Either owned, 64-byte aligned storage or a pointer into the plan's
/// constant data (which nothing writes: the verifier rejects such plans).
struct HostDevice::Buffer {
  uint8_t *data = nullptr;
  size_t size = 0;
  bool owned = false;
  ~Buffer() {
    if (owned)
      ::operator delete[](data, std::align_val_t(64));
  }
};

HostDevice::HostDevice(const LoadedPlan &loaded)
    : loaded_(loaded), bindings_(loaded.plan()) {
  if (const char *threads = std::getenv("IPUC_NUM_THREADS"))
    dispatch_.genericThreads = std::max(0, std::atoi(threads));
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
      kernels::KernelTensor view;
      view.data = buf->data;
      view.dtype = t->dtype();
      if (t->shape())
        view.shape.assign(t->shape()->begin(), t->shape()->end());
      view.numElements = numElements(t->shape());
      kernelTensors_.push_back(std::move(view));
      buffers_.push_back(std::move(buf));
    }
  prepareKernels();
}

void HostDevice::prepareKernels() {
  prepared_.clear();
  if (auto *prog = loaded_.plan().host_program())
    for (const Kernel *k : *prog)
      prepared_.push_back(kernels::prepareKernelBody(
          k->body_type(), k->body(), kernelTensors_, dispatch_));
}

HostDevice::~HostDevice() = default;

bool HostDevice::setInput(const std::string &name, DType dtype,
                          const std::vector<int64_t> &shape, const void *data,
                          size_t bytes, std::string &error) {
  int index = bindings_.checkInput(name, dtype, shape, bytes, error);
  if (index < 0)
    return false;
  std::memcpy(buffers_[bindings_.inputs()[index].tensor]->data, data, bytes);
  bindings_.markInputSet(index);
  return true;
}

bool HostDevice::run(std::string &error) {
  if (!bindings_.checkAllInputsSet(error))
    return false;
  // An ipu plan carries only the tile program; running its (absent) host
  // program would silently return zero-filled outputs.
  if (loaded_.plan().tile_program()) {
    error = "this plan was compiled with --target=ipu and holds only a tile "
            "program, which the host device does not run; use --device=sim, "
            "or compile the model with --target=host for the host device";
    return false;
  }
  if (auto *prog = loaded_.plan().host_program())
    for (size_t i = 0; i < prog->size(); ++i)
      if (!runKernel(i, *prog->Get(i), error))
        return false;
  for (size_t i = 0; i < resident_.size(); ++i) {
    if (inPlace_[i])
      continue;
    auto [in, out] = resident_[i];
    std::swap(buffers_[in], buffers_[out]);
    std::swap(kernelTensors_[in].data, kernelTensors_[out].data);
  }
  return true;
}

bool HostDevice::makeResident(
    const std::vector<std::pair<std::string, std::string>> &pairs,
    std::string &error) {
  std::vector<std::pair<uint32_t, uint32_t>> resolved;
  for (const auto &[inName, outName] : pairs) {
    const BindingInfo *in = bindings_.findInput(inName);
    const BindingInfo *out = bindings_.findOutput(outName);
    if (!in || !out) {
      error =
          fmt::format("cannot keep '{}' resident: the plan has no {} '{}'",
                      inName, in ? "output" : "input", in ? outName : inName);
      return false;
    }
    if (in->dtype != out->dtype ||
        buffers_[in->tensor]->size != buffers_[out->tensor]->size ||
        !buffers_[in->tensor]->owned || !buffers_[out->tensor]->owned ||
        in->tensor == out->tensor) {
      error = fmt::format("cannot keep '{}' resident: output '{}' differs in "
                          "dtype or size, or shares its storage",
                          inName, outName);
      return false;
    }
    resolved.emplace_back(in->tensor, out->tensor);
  }
  // Pairs the plan updates element for element share the input's storage
  // (InPlaceState.cpp); a previous call's sharing is undone first. The
  // kernels are prepared again for the new storage.
  for (size_t t = 0; t < buffers_.size(); ++t)
    kernelTensors_[t].data = buffers_[t]->data;
  inPlace_ = inPlacePairs(loaded_.plan(), resolved);
  for (size_t i = 0; i < resolved.size(); ++i)
    if (inPlace_[i])
      kernelTensors_[resolved[i].second].data =
          buffers_[resolved[i].first]->data;
  resident_ = std::move(resolved);
  prepareKernels();
  return true;
}

bool HostDevice::readResident(const std::string &name, void *out, size_t bytes,
                              std::string &error) const {
  const BindingInfo *b = bindings_.findInput(name);
  if (!b || std::none_of(resident_.begin(), resident_.end(),
                         [&](auto pair) { return pair.first == b->tensor; })) {
    error = fmt::format("'{}' is not resident on the host device", name);
    return false;
  }
  const Buffer &buffer = *buffers_[b->tensor];
  if (bytes != buffer.size) {
    error = fmt::format("resident '{}' holds {} bytes, not {}", name,
                        buffer.size, bytes);
    return false;
  }
  std::memcpy(out, buffer.data, bytes);
  return true;
}

const void *HostDevice::outputData(const std::string &name) const {
  const BindingInfo *b = findOutput(name);
  return b ? kernelTensors_[b->tensor].data : nullptr;
}

void *HostDevice::tensorData(uint32_t index) {
  return index < kernelTensors_.size() ? kernelTensors_[index].data : nullptr;
}

bool HostDevice::runKernel(size_t index, const Kernel &k, std::string &error) {
  std::string kernelError;
  bool ok =
      kernels::runKernelBody(k.body_type(), k.body(), kernelTensors_, dispatch_,
                             kernelError, prepared_[index].get());
  if (!ok)
    error = fmt::format(
        "kernel {} ({}) at {}: {}", index, k.name() ? k.name()->str() : "?",
        k.loc() ? k.loc()->str() : "unknown location", kernelError);
  return ok;
}

} // namespace ipuc::host
