//===- Codelet.h - Run a vertex's codelet over packed operands --*- C++ -*-===//
#ifndef IPUC_SIM_CODELET_H
#define IPUC_SIM_CODELET_H

#include "ipuc/kernels/Dispatch.h"
#include "ipuc/plan/Plan.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ipuc::sim {

/// One operand box packed row-major in scratch memory (shape = box sizes).
using PackedOperand = kernels::KernelTensor;

/// Operand indices the codelet writes (Generic outputs, MatMul/Conv2D
/// result, Copy/Fill dst); true at those positions of a vector of `n`.
std::vector<bool> writtenOperands(const plan::Vertex &v, size_t n);

/// Runs the codelet with tensor indices meaning operand indices. The plan
/// verifier has proved every access stays inside its operand.
bool runCodelet(const plan::Vertex &v, std::vector<PackedOperand> &ops,
                int genericThreads, std::string &error);

} // namespace ipuc::sim

#endif // IPUC_SIM_CODELET_H
