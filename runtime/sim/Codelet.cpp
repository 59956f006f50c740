//===- Codelet.cpp - Run a vertex's codelet over packed operands ----------===//
//
// The same kernels as the host device (ipuc/kernels), pointed at the packed
// operand boxes instead of whole tensors, so both devices compute the same
// numbers.
//
//===----------------------------------------------------------------------===//

#include "Codelet.h"

#include "ipuc/kernels/Dispatch.h"

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
  kernels::DispatchOptions options;
  options.genericThreads = genericThreads;
  // A vertex runs a sub-box of the op's loop nest; Index must still see the
  // op's global iteration indices.
  if (v.index_origin())
    options.indexOrigin.assign(v.index_origin()->begin(),
                               v.index_origin()->end());
  return kernels::runKernelBody(v.codelet_type(), v.codelet(), ops,
                                options, error);
}

} // namespace ipuc::sim
