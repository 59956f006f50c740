//===- PlanTestBuilder.h - Build small plans in unit tests ------*- C++ -*-===//
//
// FlatBuffers wants children serialized before their parents, which makes
// hand-building plans tedious; this helper records tensors, bindings and
// kernels in any order and serializes them all in finish().
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_TEST_UNIT_PLANTESTBUILDER_H
#define IPUC_TEST_UNIT_PLANTESTBUILDER_H

#include "ipuc/plan/Plan.h"

#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace ipuc::test {

struct OperandSpec {
  uint32_t tensor;
  int64_t offset;
  std::vector<int64_t> strides;
};

struct GenericSpec {
  std::vector<int64_t> bounds;
  std::vector<uint8_t> reductionDims;
  std::vector<OperandSpec> inputs, outputs;
  std::vector<int32_t> inits;
  std::vector<uint32_t> captured;
  std::vector<plan::Instr> program;
  uint32_t numRegisters = 0; // 0: computed from the program
};

inline plan::Instr instr(plan::Opcode op, plan::DType dtype, uint16_t dst,
                         uint16_t a = 0, uint16_t b = 0, uint16_t c = 0,
                         int64_t iimm = 0, double fimm = 0,
                         plan::DType srcDtype = plan::DType::F32) {
  return plan::Instr(op, dtype, srcDtype, dst, a, b, c, iimm, fimm);
}

/// The Generic table for `g`; num_registers defaults to the highest register
/// the program uses.
inline flatbuffers::Offset<plan::Generic>
buildGeneric(flatbuffers::FlatBufferBuilder &b, const GenericSpec &g) {
  auto ops = [&](const std::vector<OperandSpec> &v) {
    std::vector<flatbuffers::Offset<plan::Operand>> out;
    for (const auto &o : v)
      out.push_back(
          plan::CreateOperand(b, o.tensor, o.offset, b.CreateVector(o.strides)));
    return b.CreateVector(out);
  };
  uint32_t nregs = g.numRegisters;
  if (!nregs) {
    nregs = static_cast<uint32_t>(g.inputs.size() + g.outputs.size());
    for (const auto &in : g.program)
      nregs = std::max<uint32_t>(nregs, in.dst() + 1u);
  }
  auto inputs = ops(g.inputs), outputs = ops(g.outputs);
  return plan::CreateGeneric(b, b.CreateVector(g.bounds),
                             b.CreateVector(g.reductionDims), inputs, outputs,
                             b.CreateVector(g.inits), b.CreateVector(g.captured),
                             b.CreateVectorOfStructs(g.program), nregs);
}

class PlanTestBuilder {
public:
  using B = flatbuffers::FlatBufferBuilder;

  uint32_t addTensor(const std::string &name, plan::DType dtype,
                     std::vector<int64_t> shape,
                     plan::TensorRole role = plan::TensorRole::Intermediate,
                     std::vector<uint8_t> data = {}) {
    tensors.push_back({name, dtype, std::move(shape), role, std::move(data)});
    return static_cast<uint32_t>(tensors.size() - 1);
  }
  template <typename T>
  uint32_t addConstant(const std::string &name, plan::DType dtype,
                       std::vector<int64_t> shape, const std::vector<T> &v) {
    std::vector<uint8_t> bytes(v.size() * sizeof(T));
    std::memcpy(bytes.data(), v.data(), bytes.size());
    return addTensor(name, dtype, std::move(shape), plan::TensorRole::Constant,
                     std::move(bytes));
  }
  uint32_t addInput(const std::string &name, plan::DType dtype,
                    std::vector<int64_t> shape) {
    uint32_t t = addTensor(name, dtype, std::move(shape), plan::TensorRole::Input);
    inputs.push_back({name, t});
    return t;
  }
  uint32_t addOutput(const std::string &name, plan::DType dtype,
                     std::vector<int64_t> shape) {
    uint32_t t =
        addTensor(name, dtype, std::move(shape), plan::TensorRole::Output);
    outputs.push_back({name, t});
    return t;
  }
  void bindInput(const std::string &name, uint32_t t) { inputs.push_back({name, t}); }

  void addGeneric(const GenericSpec &g, const std::string &loc = "test") {
    kernels.push_back([g, loc](B &b) {
      auto body = buildGeneric(b, g);
      return plan::CreateKernel(b, b.CreateString("linalg.generic"),
                                b.CreateString(loc),
                                plan::KernelBody::Generic, body.Union());
    });
  }
  void addMatMul(uint32_t lhs, uint32_t rhs, int32_t init, uint32_t result,
                 int64_t batch, int64_t m, int64_t n, int64_t k, bool tl,
                 bool tr, int64_t lbs, int64_t rbs,
                 const std::string &loc = "test") {
    kernels.push_back([=](B &b) {
      auto body = plan::CreateMatMul(b, lhs, rhs, init, result, batch, m, n, k,
                                     tl, tr, lbs, rbs);
      return plan::CreateKernel(b, b.CreateString("linalg.matmul"),
                                b.CreateString(loc), plan::KernelBody::MatMul,
                                body.Union());
    });
  }
  void addCopy(uint32_t src, uint32_t dst, std::vector<int64_t> sizes,
               int64_t srcOffset, std::vector<int64_t> srcStrides,
               int64_t dstOffset, std::vector<int64_t> dstStrides,
               const std::string &loc = "test") {
    kernels.push_back([=](B &b) {
      auto body = plan::CreateCopy(b, src, dst, b.CreateVector(sizes),
                                   srcOffset, b.CreateVector(srcStrides),
                                   dstOffset, b.CreateVector(dstStrides));
      return plan::CreateKernel(b, b.CreateString("copy"), b.CreateString(loc),
                                plan::KernelBody::Copy, body.Union());
    });
  }
  /// Sizes {n, h, w, c, o, kh, kw, oh, ow}, unit strides and dilations.
  void addConvBackwardFilter(uint32_t input, uint32_t grad, uint32_t result,
                             std::vector<int64_t> sizes,
                             std::vector<int64_t> inputStrides,
                             std::vector<int64_t> gradStrides,
                             std::vector<int64_t> resultStrides,
                             const std::string &loc = "test") {
    kernels.push_back([=](B &b) {
      auto body = plan::CreateConv2DBackwardFilter(
          b, input, grad, result, sizes[0], sizes[1], sizes[2], sizes[3],
          sizes[4], sizes[5], sizes[6], sizes[7], sizes[8], 1, 1, 1, 1,
          b.CreateVector(inputStrides), b.CreateVector(gradStrides),
          b.CreateVector(resultStrides));
      return plan::CreateKernel(
          b, b.CreateString("conv_backward_filter"), b.CreateString(loc),
          plan::KernelBody::Conv2DBackwardFilter, body.Union());
    });
  }
  /// Sizes {n, oh, ow, c, kh, kw}; mask < 0 for none.
  void addMaxPoolBackward(uint32_t input, uint32_t max, uint32_t grad,
                          int32_t mask, uint32_t result,
                          std::vector<int64_t> sizes,
                          std::vector<int64_t> fineStrides,
                          std::vector<int64_t> pooledStrides,
                          std::vector<int64_t> resultStrides,
                          const std::string &loc = "test") {
    kernels.push_back([=](B &b) {
      auto fine = b.CreateVector(fineStrides);
      auto pooled = b.CreateVector(pooledStrides);
      auto body = plan::CreateMaxPool2DBackward(
          b, input, max, grad, mask, result, sizes[0], sizes[1], sizes[2],
          sizes[3], sizes[4], sizes[5], fine, pooled, pooled,
          mask >= 0 ? fine : 0, b.CreateVector(resultStrides));
      return plan::CreateKernel(
          b, b.CreateString("max_pool_backward"), b.CreateString(loc),
          plan::KernelBody::MaxPool2DBackward, body.Union());
    });
  }
  /// sizes: n, oh, ow, o, kh, kw, c, h, w; params: stride h/w, dilation
  /// h/w, pad top/left.
  void addConvBackwardData(uint32_t grad, uint32_t filter, uint32_t result,
                           std::vector<int64_t> sizes,
                           std::vector<int64_t> params,
                           std::vector<int64_t> gradStrides,
                           std::vector<int64_t> filterStrides,
                           std::vector<int64_t> resultStrides,
                           const std::string &loc = "test") {
    kernels.push_back([=](B &b) {
      auto body = plan::CreateConv2DBackwardData(
          b, grad, filter, result, sizes[0], sizes[1], sizes[2], sizes[3],
          sizes[4], sizes[5], sizes[6], sizes[7], sizes[8], params[0],
          params[1], params[2], params[3], params[4], params[5],
          b.CreateVector(gradStrides), b.CreateVector(filterStrides),
          b.CreateVector(resultStrides));
      return plan::CreateKernel(
          b, b.CreateString("conv_backward_data"), b.CreateString(loc),
          plan::KernelBody::Conv2DBackwardData, body.Union());
    });
  }
  void addFill(uint32_t dst, double fimm, int64_t iimm,
               const std::string &loc = "test") {
    kernels.push_back([=](B &b) {
      auto body = plan::CreateFill(b, dst, fimm, iimm);
      return plan::CreateKernel(b, b.CreateString("linalg.fill"),
                                b.CreateString(loc), plan::KernelBody::Fill,
                                body.Union());
    });
  }

  std::vector<uint8_t> finish(uint32_t version = plan::kFormatVersion,
                              const std::string &hash = plan::schemaHash()) {
    B b;
    std::vector<flatbuffers::Offset<plan::Tensor>> ts;
    for (const auto &t : tensors) {
      auto name = b.CreateString(t.name);
      auto shape = b.CreateVector(t.shape);
      flatbuffers::Offset<flatbuffers::Vector<uint8_t>> data;
      if (!t.data.empty()) {
        b.ForceVectorAlignment(t.data.size(), 1, 16);
        data = b.CreateVector(t.data);
      }
      ts.push_back(plan::CreateTensor(b, name, t.dtype, shape, t.role, data));
    }
    auto bindings = [&](const std::vector<std::pair<std::string, uint32_t>> &v) {
      std::vector<flatbuffers::Offset<plan::Binding>> out;
      for (const auto &[n, t] : v)
        out.push_back(plan::CreateBinding(b, b.CreateString(n), t));
      return b.CreateVector(out);
    };
    auto ins = bindings(inputs), outs = bindings(outputs);
    std::vector<flatbuffers::Offset<plan::Kernel>> ks;
    for (auto &k : kernels)
      ks.push_back(k(b));
    auto device = plan::CreateDevice(b, b.CreateString("gc200"), 1, 1472,
                                     624 * 1024, 1.325e9, 6);
    auto root = plan::CreatePlan(
        b, version, b.CreateString(hash), b.CreateString("test"),
        b.CreateString("test.mlir"), b.CreateString("host"), device,
        b.CreateVector(ts), ins, outs, b.CreateVector(ks));
    plan::FinishPlanBuffer(b, root);
    return std::vector<uint8_t>(b.GetBufferPointer(),
                                b.GetBufferPointer() + b.GetSize());
  }

private:
  struct TensorSpec {
    std::string name;
    plan::DType dtype;
    std::vector<int64_t> shape;
    plan::TensorRole role;
    std::vector<uint8_t> data;
  };
  std::vector<TensorSpec> tensors;
  std::vector<std::pair<std::string, uint32_t>> inputs, outputs;
  std::vector<std::function<flatbuffers::Offset<plan::Kernel>(B &)>> kernels;
};

} // namespace ipuc::test

#endif // IPUC_TEST_UNIT_PLANTESTBUILDER_H
