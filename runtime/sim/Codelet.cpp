//===- Codelet.cpp - Run a vertex's codelet over packed operands ----------===//
//
// The same kernels as the host device (ipuc/kernels), pointed at the packed
// operand boxes instead of whole tensors, so both devices compute the same
// numbers.
//
//===----------------------------------------------------------------------===//

#include "Codelet.h"

#include "ipuc/kernels/Conv2D.h"
#include "ipuc/kernels/Copy.h"
#include "ipuc/kernels/Generic.h"
#include "ipuc/kernels/MatMul.h"

#include <cstring>

namespace ipuc::sim {

using namespace plan;

std::vector<bool> writtenOperands(const Vertex &v, size_t n) {
  std::vector<bool> w(n, false);
  auto mark = [&](int64_t i) {
    if (i >= 0 && static_cast<size_t>(i) < n)
      w[i] = true;
  };
  switch (v.codelet_type()) {
  case KernelBody::Generic:
    if (auto *outs = v.codelet_as_Generic()->outputs())
      for (const Operand *o : *outs)
        mark(o->tensor());
    break;
  case KernelBody::MatMul:
    mark(v.codelet_as_MatMul()->result());
    break;
  case KernelBody::Conv2D:
    mark(v.codelet_as_Conv2D()->result());
    break;
  case KernelBody::Copy:
    mark(v.codelet_as_Copy()->dst());
    break;
  case KernelBody::Fill:
    mark(v.codelet_as_Fill()->dst());
    break;
  default:
    break;
  }
  return w;
}

bool runCodelet(const Vertex &v, std::vector<PackedOperand> &ops,
                int genericThreads, std::string &error) {
  auto data = [&](int64_t i) -> uint8_t * {
    return i >= 0 ? ops[i].data : nullptr;
  };
  switch (v.codelet_type()) {
  case KernelBody::Generic: {
    const Generic &g = *v.codelet_as_Generic();
    kernels::GenericArgs a;
    a.numThreads = genericThreads;
    if (g.loop_bounds())
      a.bounds.assign(g.loop_bounds()->begin(), g.loop_bounds()->end());
    if (g.reduction_dims())
      a.reductionDims.assign(g.reduction_dims()->begin(),
                             g.reduction_dims()->end());
    auto operand = [&](const Operand &o) {
      kernels::StridedOperand s;
      s.data = data(o.tensor());
      s.dtype = ops[o.tensor()].dtype;
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
        int32_t init =
            g.inits() && i < g.inits()->size() ? g.inits()->Get(i) : -1;
        if (init >= 0 && static_cast<uint32_t>(init) != o.tensor())
          std::memcpy(data(o.tensor()), data(init),
                      static_cast<size_t>(ops[init].numElements) *
                          dtypeSize(ops[init].dtype));
      }
    if (g.captured())
      for (uint32_t c : *g.captured()) {
        kernels::CapturedTensor ct;
        ct.data = data(c);
        ct.dtype = ops[c].dtype;
        ct.shape = ops[c].shape;
        a.captured.push_back(std::move(ct));
      }
    a.program =
        g.program() && g.program()->size() ? g.program()->Get(0) : nullptr;
    a.programSize = g.program() ? g.program()->size() : 0;
    a.numRegisters = g.num_registers();
    // A vertex runs a sub-box of the op's loop nest; Index must still see the
    // op's global iteration indices.
    if (v.index_origin())
      a.indexOrigin.assign(v.index_origin()->begin(), v.index_origin()->end());
    return kernels::runGeneric(a, error);
  }
  case KernelBody::MatMul: {
    const MatMul &m = *v.codelet_as_MatMul();
    kernels::MatMulArgs a;
    a.dtype = ops[m.lhs()].dtype;
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
    return kernels::runMatMul(a, error);
  }
  case KernelBody::Conv2D: {
    const Conv2D &c = *v.codelet_as_Conv2D();
    kernels::Conv2DArgs a;
    a.dtype = ops[c.input()].dtype;
    a.input = data(c.input());
    a.filter = data(c.filter());
    a.init = data(c.init());
    a.result = data(c.result());
    a.n = c.n(), a.h = c.h(), a.w = c.w(), a.c = c.c(), a.f = c.f();
    a.kh = c.kh(), a.kw = c.kw(), a.oh = c.oh(), a.ow = c.ow();
    a.strideH = c.stride_h(), a.strideW = c.stride_w();
    a.dilationH = c.dilation_h(), a.dilationW = c.dilation_w();
    a.groups = c.groups();
    return kernels::runConv2D(a, error);
  }
  case KernelBody::Copy: {
    const Copy &c = *v.codelet_as_Copy();
    int rank = c.sizes() ? static_cast<int>(c.sizes()->size()) : 0;
    kernels::runCopy(data(c.src()), data(c.dst()),
                     dtypeSize(ops[c.src()].dtype), rank,
                     rank ? c.sizes()->data() : nullptr, c.src_offset(),
                     rank ? c.src_strides()->data() : nullptr, c.dst_offset(),
                     rank ? c.dst_strides()->data() : nullptr);
    return true;
  }
  case KernelBody::Fill: {
    const Fill &f = *v.codelet_as_Fill();
    kernels::runFill(data(f.dst()), ops[f.dst()].dtype,
                     ops[f.dst()].numElements, f.fimm(), f.iimm());
    return true;
  }
  default:
    error = "unknown codelet type";
    return false;
  }
}

} // namespace ipuc::sim
