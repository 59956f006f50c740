//===- Codelet.cpp - What a vertex's codelet writes, how it runs ----------===//

#include "Codelet.h"

#include <cstdint>

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

const kernels::PreparedKernel *
PreparedCodelets::get(const Vertex &v, const std::vector<int64_t> &signature) {
  if (v.codelet_type() != KernelBody::Generic)
    return nullptr;
  std::vector<uint32_t> &same = byTable_[v.codelet()];
  for (uint32_t e : same)
    if (entries_[e].signature == signature)
      return entries_[e].prepared.get();
  // Stand-in storage: operand k at (k + 1) << 40, further apart than any
  // tile memory is long, so that no two operands overlap.
  std::vector<kernels::KernelTensor> tensors;
  for (size_t at = 0; at < signature.size();) {
    kernels::KernelTensor t;
    t.data = reinterpret_cast<uint8_t *>(
        static_cast<uintptr_t>(tensors.size() + 1) << 40);
    t.dtype = static_cast<DType>(signature[at]);
    size_t rank = static_cast<size_t>(signature[at + 1]);
    t.shape.assign(signature.begin() + at + 2,
                   signature.begin() + at + 2 + rank);
    t.numElements = 1;
    for (int64_t d : t.shape)
      t.numElements *= d;
    tensors.push_back(std::move(t));
    at += 2 + rank;
  }
  Entry entry;
  entry.signature = signature;
  entry.prepared =
      kernels::prepareKernelBody(v.codelet_type(), v.codelet(), tensors, {});
  same.push_back(static_cast<uint32_t>(entries_.size()));
  entries_.push_back(std::move(entry));
  return entries_.back().prepared.get();
}

} // namespace ipuc::sim
