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

#include "ipuc/kernels/GenericStream.h"
#include "ipuc/plan/Plan.h"

#include <cstdint>
#include <memory>
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
  /// For a MatMul operand: elements from one row of its matrix to the next
  /// when the rows are not packed (0: packed), so that a device can pass a
  /// matrix that is a block of a larger row-major one without copying it.
  /// Other kernels need packed tensors.
  int64_t rowStride = 0;
};

struct DispatchOptions {
  /// Threads for the Generic interpreter; 0 lets it choose.
  int genericThreads = 0;
  /// Loop-space origin of a Generic run on a sub-box (empty: zeros).
  std::vector<int64_t> indexOrigin;
};

/// What a device decides about a kernel once, when it loads the plan, rather
/// than on every run: whether a Generic kernel is streamed (GenericStream.h).
struct PreparedKernel {
  std::optional<GenericStream> stream;
};

/// The preparation of a kernel over `tensors` (whose shapes and distinct
/// storage later runs keep; their pointers may change), or null when there is
/// nothing to prepare.
std::unique_ptr<PreparedKernel>
prepareKernelBody(plan::KernelBody type, const void *body,
                  const std::vector<KernelTensor> &tensors,
                  const DispatchOptions &options);

/// Runs the kernel table `body` of type `type`; tensor indices inside the
/// table index `tensors`. The plan verifier has proved every access in
/// bounds. Returns false with `error` set when a kernel reports a failure.
/// `prepared`, if given, is prepareKernelBody's result for this kernel.
bool runKernelBody(plan::KernelBody type, const void *body,
                   const std::vector<KernelTensor> &tensors,
                   const DispatchOptions &options, std::string &error,
                   const PreparedKernel *prepared = nullptr);

} // namespace ipuc::kernels

#endif // IPUC_KERNELS_DISPATCH_H
