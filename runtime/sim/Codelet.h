//===- Codelet.h - What a vertex's codelet writes ---------------*- C++ -*-===//
//
// Vertices run the same kernels as the host device (ipuc/kernels/Dispatch.h)
// over their operand boxes; the simulator only needs to know which operands
// a codelet writes, to copy those back into tile memory.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_SIM_CODELET_H
#define IPUC_SIM_CODELET_H

#include "ipuc/plan/Plan.h"

#include <vector>

namespace ipuc::sim {

/// Operand indices the codelet writes (Generic outputs, MatMul/Conv2D
/// result, Copy/Fill dst); true at those positions of a vector of `n`.
std::vector<bool> writtenOperands(const plan::Vertex &v, size_t n);

} // namespace ipuc::sim

#endif // IPUC_SIM_CODELET_H
