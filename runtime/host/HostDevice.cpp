//===- HostDevice.cpp - Whole-tensor execution of the host program --------===//

#include "ipuc/host/HostDevice.h"
#include "ipuc/kernels/Conv2D.h"
#include "ipuc/kernels/Copy.h"
#include "ipuc/kernels/Generic.h"
#include "ipuc/kernels/MatMul.h"

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
  const Plan &p = loaded_.plan();
  auto tensor = [&](uint32_t i) { return p.tensors()->Get(i); };
  auto data = [&](int64_t i) -> void * {
    return i >= 0 ? buffers_[i]->data : nullptr;
  };
  std::string kernelError;
  bool ok = true;
  switch (k.body_type()) {
  case KernelBody::Generic: {
    const Generic &g = *k.body_as_Generic();
    kernels::GenericArgs a;
    if (g.loop_bounds())
      a.bounds.assign(g.loop_bounds()->begin(), g.loop_bounds()->end());
    if (g.reduction_dims())
      a.reductionDims.assign(g.reduction_dims()->begin(),
                             g.reduction_dims()->end());
    auto operand = [&](const Operand &o) {
      kernels::StridedOperand s;
      s.data = data(o.tensor());
      s.dtype = tensor(o.tensor())->dtype();
      s.offset = o.offset();
      s.strides = o.strides() ? o.strides()->data() : nullptr;
      return s;
    };
    if (g.inputs())
      for (const Operand *o : *g.inputs())
        a.inputs.push_back(operand(*o));
    if (g.outputs())
      for (size_t i = 0; i < g.outputs()->size(); ++i) {
        const Operand &o = *g.outputs()->Get(i);
        a.outputs.push_back(operand(o));
        int32_t init = g.inits() && i < g.inits()->size() ? g.inits()->Get(i)
                                                          : -1;
        if (init >= 0 && static_cast<uint32_t>(init) != o.tensor())
          std::memcpy(data(o.tensor()), data(init), buffers_[init]->size);
      }
    if (g.captured())
      for (uint32_t c : *g.captured()) {
        kernels::CapturedTensor ct;
        ct.data = data(c);
        ct.dtype = tensor(c)->dtype();
        if (tensor(c)->shape())
          ct.shape.assign(tensor(c)->shape()->begin(),
                          tensor(c)->shape()->end());
        a.captured.push_back(std::move(ct));
      }
    // Struct vectors are stored inline and contiguous.
    a.program = g.program() && g.program()->size() ? g.program()->Get(0) : nullptr;
    a.programSize = g.program() ? g.program()->size() : 0;
    a.numRegisters = g.num_registers();
    ok = kernels::runGeneric(a, kernelError);
    break;
  }
  case KernelBody::MatMul: {
    const MatMul &m = *k.body_as_MatMul();
    kernels::MatMulArgs a;
    a.dtype = tensor(m.lhs())->dtype();
    a.lhs = data(m.lhs());
    a.rhs = data(m.rhs());
    a.init = data(m.init());
    a.result = data(m.result());
    a.batch = m.batch();
    a.m = m.m();
    a.n = m.n();
    a.k = m.k();
    a.transposeLhs = m.transpose_lhs();
    a.transposeRhs = m.transpose_rhs();
    a.lhsBatchStride = m.lhs_batch_stride();
    a.rhsBatchStride = m.rhs_batch_stride();
    ok = kernels::runMatMul(a, kernelError);
    break;
  }
  case KernelBody::Conv2D: {
    const Conv2D &c = *k.body_as_Conv2D();
    kernels::Conv2DArgs a;
    a.dtype = tensor(c.input())->dtype();
    a.input = data(c.input());
    a.filter = data(c.filter());
    a.init = data(c.init());
    a.result = data(c.result());
    a.n = c.n(), a.h = c.h(), a.w = c.w(), a.c = c.c(), a.f = c.f();
    a.kh = c.kh(), a.kw = c.kw(), a.oh = c.oh(), a.ow = c.ow();
    a.strideH = c.stride_h(), a.strideW = c.stride_w();
    a.dilationH = c.dilation_h(), a.dilationW = c.dilation_w();
    a.groups = c.groups();
    ok = kernels::runConv2D(a, kernelError);
    break;
  }
  case KernelBody::Copy: {
    const Copy &c = *k.body_as_Copy();
    int rank = c.sizes() ? static_cast<int>(c.sizes()->size()) : 0;
    kernels::runCopy(data(c.src()), data(c.dst()),
                     dtypeSize(tensor(c.src())->dtype()), rank,
                     rank ? c.sizes()->data() : nullptr, c.src_offset(),
                     rank ? c.src_strides()->data() : nullptr, c.dst_offset(),
                     rank ? c.dst_strides()->data() : nullptr);
    break;
  }
  case KernelBody::Fill: {
    const Fill &f = *k.body_as_Fill();
    kernels::runFill(data(f.dst()), tensor(f.dst())->dtype(),
                     numElements(tensor(f.dst())->shape()), f.fimm(),
                     f.iimm());
    break;
  }
  default:
    ok = false;
    kernelError = "unknown kernel type";
  }
  if (!ok)
    error = fmt::format("kernel {} ({}) at {}: {}", index,
                        k.name() ? k.name()->str() : "?",
                        k.loc() ? k.loc()->str() : "unknown location",
                        kernelError);
  return ok;
}

} // namespace ipuc::host
