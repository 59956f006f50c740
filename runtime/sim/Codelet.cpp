//===- Codelet.cpp - What a vertex's codelet writes -----------------------===//

#include "Codelet.h"

namespace ipuc::sim {

using namespace plan;

void writtenOperands(const Vertex &v, size_t n, std::vector<bool> &w) {
  w.assign(n, false);
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
}

} // namespace ipuc::sim
