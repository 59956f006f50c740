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
/// result, Copy/Fill dst): `out` becomes `n` flags, true at those positions.
/// Filled in place because it runs for every vertex of a plan.
void writtenOperands(const plan::Vertex &v, size_t n, std::vector<bool> &out);

} // namespace ipuc::sim

#endif // IPUC_SIM_CODELET_H
