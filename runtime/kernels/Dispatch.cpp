//===- Dispatch.cpp - Run one plan kernel body on device storage ----------===//

#include "ipuc/kernels/Dispatch.h"

#include "ipuc/kernels/Conv2D.h"
#include "ipuc/kernels/Conv2DBackwardData.h"
#include "ipuc/kernels/Conv2DBackwardFilter.h"
#include "ipuc/kernels/Copy.h"
#include "ipuc/kernels/Generic.h"
#include "ipuc/kernels/GenericStream.h"
#include "ipuc/kernels/MatMul.h"
#include "ipuc/kernels/MaxPool2DBackward.h"

#include <cstring>

namespace ipuc::kernels {

using namespace plan;

namespace {

/// Fills `a` from the table, pointing its operands at `tensors`.
void genericArgs(const Generic &g, const std::vector<KernelTensor> &tensors,
                 const DispatchOptions &options, GenericArgs &a) {
  auto data = [&](int64_t i) { return tensors[i].data; };
  a.bounds.clear();
  a.reductionDims.clear();
  a.inputs.clear();
  a.outputs.clear();
  a.numThreads = options.genericThreads;
  if (g.loop_bounds())
    a.bounds.assign(g.loop_bounds()->begin(), g.loop_bounds()->end());
  if (g.reduction_dims())
    a.reductionDims.assign(g.reduction_dims()->begin(),
                           g.reduction_dims()->end());
  auto operand = [&](const Operand &o) {
    StridedOperand s;
    s.data = data(o.tensor());
    s.dtype = tensors[o.tensor()].dtype;
    s.offset = o.offset();
    s.strides = o.strides() ? o.strides()->data() : nullptr;
    return s;
  };
  if (g.inputs())
    for (const Operand *o : *g.inputs())
      a.inputs.push_back(operand(*o));
  if (g.outputs())
    for (const Operand *o : *g.outputs())
      a.outputs.push_back(operand(*o));
  // Resized, not cleared, so each entry's shape keeps its capacity.
  size_t nc = g.captured() ? g.captured()->size() : 0;
  a.captured.resize(nc);
  for (size_t i = 0; i < nc; ++i) {
    uint32_t c = g.captured()->Get(i);
    a.captured[i].data = data(c);
    a.captured[i].dtype = tensors[c].dtype;
    a.captured[i].shape.assign(tensors[c].shape.begin(),
                               tensors[c].shape.end());
  }
  // Struct vectors are stored inline and contiguous.
  a.program =
      g.program() && g.program()->size() ? g.program()->Get(0) : nullptr;
  a.programSize = g.program() ? g.program()->size() : 0;
  a.numRegisters = g.num_registers();
  a.indexOrigin.assign(options.indexOrigin.begin(), options.indexOrigin.end());
}

bool runGenericTable(const Generic &g, const std::vector<KernelTensor> &tensors,
                     const DispatchOptions &options,
                     const PreparedKernel *prepared, std::string &error) {
  // Reused across calls, so that a warm thread runs a vertex without
  // allocating: the simulator calls this once per Generic vertex per step,
  // often for a few elements. Cleared, not shrunk; runGeneric does not call
  // back in here, so one set per thread is enough.
  thread_local GenericArgs a;
  genericArgs(g, tensors, options, a);
  // The body reads the previous output value: start from the init.
  if (g.outputs() && g.inits())
    for (size_t i = 0; i < g.outputs()->size() && i < g.inits()->size(); ++i) {
      const uint32_t out = g.outputs()->Get(i)->tensor();
      const int32_t init = g.inits()->Get(i);
      if (init >= 0 && static_cast<uint32_t>(init) != out)
        std::memcpy(tensors[out].data, tensors[init].data,
                    static_cast<size_t>(tensors[init].numElements) *
                        dtypeSize(tensors[init].dtype));
    }
  if (prepared && prepared->stream)
    return runGenericStream(*prepared->stream, a, error);
  return runGeneric(a, error);
}

} // namespace

std::unique_ptr<PreparedKernel>
prepareKernelBody(KernelBody type, const void *body,
                  const std::vector<KernelTensor> &tensors,
                  const DispatchOptions &options) {
  if (type != KernelBody::Generic)
    return nullptr;
  GenericArgs a;
  genericArgs(*static_cast<const Generic *>(body), tensors, options, a);
  auto prepared = std::make_unique<PreparedKernel>();
  prepared->stream = planGenericStream(a);
  if (!prepared->stream)
    return nullptr;
  return prepared;
}

bool runKernelBody(KernelBody type, const void *body,
                   const std::vector<KernelTensor> &tensors,
                   const DispatchOptions &options, std::string &error,
                   const PreparedKernel *prepared) {
  auto data = [&](int64_t i) -> uint8_t * {
    return i >= 0 ? tensors[i].data : nullptr;
  };
  switch (type) {
  case KernelBody::Generic:
    return runGenericTable(*static_cast<const Generic *>(body), tensors,
                           options, prepared, error);
  case KernelBody::MatMul: {
    const MatMul &m = *static_cast<const MatMul *>(body);
    MatMulArgs a;
    a.dtype = tensors[m.lhs()].dtype;
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
    a.ldLhs = tensors[m.lhs()].rowStride;
    a.ldRhs = tensors[m.rhs()].rowStride;
    a.ldResult = tensors[m.result()].rowStride;
    return runMatMul(a, error);
  }
  case KernelBody::Conv2D: {
    const Conv2D &c = *static_cast<const Conv2D *>(body);
    Conv2DArgs a;
    a.dtype = tensors[c.input()].dtype;
    a.input = data(c.input());
    a.filter = data(c.filter());
    a.init = data(c.init());
    a.result = data(c.result());
    a.n = c.n(), a.h = c.h(), a.w = c.w(), a.c = c.c(), a.f = c.f();
    a.kh = c.kh(), a.kw = c.kw(), a.oh = c.oh(), a.ow = c.ow();
    a.strideH = c.stride_h(), a.strideW = c.stride_w();
    a.dilationH = c.dilation_h(), a.dilationW = c.dilation_w();
    a.groups = c.groups();
    a.numThreads = options.genericThreads;
    return runConv2D(a, error);
  }
  case KernelBody::Conv2DBackwardFilter: {
    const Conv2DBackwardFilter &c =
        *static_cast<const Conv2DBackwardFilter *>(body);
    Conv2DBackwardFilterArgs a;
    a.dtype = tensors[c.input()].dtype;
    a.input = data(c.input());
    a.grad = data(c.grad());
    a.result = data(c.result());
    a.n = c.n(), a.h = c.h(), a.w = c.w(), a.c = c.c(), a.o = c.o();
    a.kh = c.kh(), a.kw = c.kw(), a.oh = c.oh(), a.ow = c.ow();
    a.strideH = c.stride_h(), a.strideW = c.stride_w();
    a.dilationH = c.dilation_h(), a.dilationW = c.dilation_w();
    // The verifier checked that each stride list has four entries.
    for (int i = 0; i < 4; ++i) {
      a.inputStrides[i] = c.input_strides()->Get(i);
      a.gradStrides[i] = c.grad_strides()->Get(i);
      a.resultStrides[i] = c.result_strides()->Get(i);
    }
    a.numThreads = options.genericThreads;
    return runConv2DBackwardFilter(a, error);
  }
  case KernelBody::MaxPool2DBackward: {
    const MaxPool2DBackward &p = *static_cast<const MaxPool2DBackward *>(body);
    MaxPool2DBackwardArgs a;
    a.dtype = tensors[p.input()].dtype;
    a.input = data(p.input());
    a.max = data(p.max());
    a.grad = data(p.grad());
    a.mask = data(p.mask());
    a.result = data(p.result());
    a.n = p.n(), a.oh = p.oh(), a.ow = p.ow(), a.c = p.c();
    a.kh = p.kh(), a.kw = p.kw();
    // The verifier checked each stride list's length (mask's when present).
    for (int i = 0; i < 6; ++i) {
      a.inputStrides[i] = p.input_strides()->Get(i);
      a.resultStrides[i] = p.result_strides()->Get(i);
      if (p.mask() >= 0)
        a.maskStrides[i] = p.mask_strides()->Get(i);
    }
    for (int i = 0; i < 4; ++i) {
      a.maxStrides[i] = p.max_strides()->Get(i);
      a.gradStrides[i] = p.grad_strides()->Get(i);
    }
    a.numThreads = options.genericThreads;
    return runMaxPool2DBackward(a, error);
  }
  case KernelBody::Conv2DBackwardData: {
    const Conv2DBackwardData &c =
        *static_cast<const Conv2DBackwardData *>(body);
    Conv2DBackwardDataArgs a;
    a.dtype = tensors[c.grad()].dtype;
    a.grad = data(c.grad());
    a.filter = data(c.filter());
    a.result = data(c.result());
    a.n = c.n(), a.oh = c.oh(), a.ow = c.ow(), a.o = c.o();
    a.kh = c.kh(), a.kw = c.kw(), a.c = c.c(), a.h = c.h(), a.w = c.w();
    a.strideH = c.stride_h(), a.strideW = c.stride_w();
    a.dilationH = c.dilation_h(), a.dilationW = c.dilation_w();
    a.padTop = c.pad_top(), a.padLeft = c.pad_left();
    // The verifier checked that each stride list has four entries.
    for (int i = 0; i < 4; ++i) {
      a.gradStrides[i] = c.grad_strides()->Get(i);
      a.filterStrides[i] = c.filter_strides()->Get(i);
      a.resultStrides[i] = c.result_strides()->Get(i);
    }
    a.numThreads = options.genericThreads;
    return runConv2DBackwardData(a, error);
  }
  case KernelBody::Copy: {
    const Copy &c = *static_cast<const Copy *>(body);
    int rank = c.sizes() ? static_cast<int>(c.sizes()->size()) : 0;
    runCopy(data(c.src()), data(c.dst()), dtypeSize(tensors[c.src()].dtype),
            rank, rank ? c.sizes()->data() : nullptr, c.src_offset(),
            rank ? c.src_strides()->data() : nullptr, c.dst_offset(),
            rank ? c.dst_strides()->data() : nullptr);
    return true;
  }
  case KernelBody::Fill: {
    const Fill &f = *static_cast<const Fill *>(body);
    runFill(data(f.dst()), tensors[f.dst()].dtype, tensors[f.dst()].numElements,
            f.fimm(), f.iimm());
    return true;
  }
  default:
    error = "unknown kernel type";
    return false;
  }
}

} // namespace ipuc::kernels
