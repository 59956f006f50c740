//===- Dispatch.h - Run one plan kernel body on device storage --*- C++ -*-===//
//
// Both devices run the same kernel tables (Generic, MatMul, Conv2D, Copy,
// Fill): the host device over whole tensors, the simulator over a vertex's
// packed operand boxes. This is the one place that turns a kernel table into
// a call of the codelet library, so the two devices cannot drift apart.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_KERNELS_DISPATCH_H
#define IPUC_KERNELS_DISPATCH_H

#include "ipuc/plan/Plan.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ipuc::kernels {

/// Storage of one tensor a kernel refers to (a whole tensor on the host, an
/// operand box on a tile).
struct KernelTensor {
  uint8_t *data = nullptr;
  plan::DType dtype = plan::DType::F32;
  std::vector<int64_t> shape;
  int64_t numElements = 0;
};

struct DispatchOptions {
  /// Threads for the Generic interpreter; 0 lets it choose.
  int genericThreads = 0;
  /// Loop-space origin of a Generic run on a sub-box (empty: zeros).
  std::vector<int64_t> indexOrigin;
};

/// Runs the kernel table `body` of type `type`; tensor indices inside the
/// table index `tensors`. The plan verifier has proved every access in
/// bounds. Returns false with `error` set when a kernel reports a failure.
bool runKernelBody(plan::KernelBody type, const void *body,
                   const std::vector<KernelTensor> &tensors,
                   const DispatchOptions &options, std::string &error);

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_DISPATCH_H
