//===- HostDevice.h - Run a plan's host program on the CPU ------*- C++ -*-===//
//
// The fallback device: one buffer per tensor, the host_program's kernels run
// in order over whole tensors. Errors are returned as strings (never thrown)
// and name the failing kernel's source location.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_HOST_HOSTDEVICE_H
#define IPUC_HOST_HOSTDEVICE_H

#include "ipuc/host/Bindings.h"
#include "ipuc/kernels/Dispatch.h"
#include "ipuc/plan/Plan.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ipuc::host {

class HostDevice {
public:
  /// `plan` must outlive the device; constants are read from it in place.
  explicit HostDevice(const plan::LoadedPlan &plan);
  ~HostDevice();
  HostDevice(const HostDevice &) = delete;
  HostDevice &operator=(const HostDevice &) = delete;

  const std::vector<BindingInfo> &inputs() const { return bindings_.inputs(); }
  const std::vector<BindingInfo> &outputs() const {
    return bindings_.outputs();
  }
  /// One line per input: "  name: f32[2x3]".
  std::string describeInputs() const { return bindings_.describeInputs(); }

  /// Copies an input in; checks the name, dtype and shape. On mismatch the
  /// error lists every input the plan expects.
  bool setInput(const std::string &name, plan::DType dtype,
                const std::vector<int64_t> &shape, const void *data,
                size_t bytes, std::string &error);
  bool isInputSet(const std::string &name) const {
    return bindings_.isInputSet(name);
  }

  /// Runs the host program; every input must have been set.
  bool run(std::string &error);

  /// Read-only view of an output after run(); null if no such output.
  const void *outputData(const std::string &name) const;
  const BindingInfo *findOutput(const std::string &name) const {
    return bindings_.findOutput(name);
  }

  /// Raw storage of any tensor (tests, the simulator's host streams).
  void *tensorData(uint32_t index);

  /// Keeps training state on the device: after every run() each (input,
  /// output) pair, e.g. ("w", "w.next"), swaps storage, so the input holds
  /// the updated value for the next run without a copy either way (the
  /// output then holds the previous value until the next run rewrites it).
  /// A pair whose only writer updates the input element for element, with
  /// nothing reading the input afterwards, shares one buffer instead (the
  /// output then holds the updated value too; InPlaceState.cpp).
  /// Fails, naming the pair, unless both exist with equal dtype and size.
  bool makeResident(
      const std::vector<std::pair<std::string, std::string>> &pairs,
      std::string &error);
  /// The current value of a resident input (checkpoints, saving).
  bool readResident(const std::string &name, void *out, size_t bytes,
                    std::string &error) const;

private:
  bool runKernel(size_t index, const plan::Kernel &kernel, std::string &error);
  void prepareKernels();

  const plan::LoadedPlan &loaded_;
  struct Buffer;
  std::vector<std::unique_ptr<Buffer>> buffers_;
  /// Views of buffers_, indexed like the plan's tensors, for the kernels.
  std::vector<kernels::KernelTensor> kernelTensors_;
  PlanBindings bindings_;
  /// Per host kernel, what was decided when the plan was loaded (null:
  /// nothing); the swaps of resident_ keep the tensors' storage distinct.
  std::vector<std::unique_ptr<kernels::PreparedKernel>> prepared_;
  /// (input tensor, output tensor) pairs swapped after every run(), except
  /// those whose output shares the input's storage (inPlace_).
  std::vector<std::pair<uint32_t, uint32_t>> resident_;
  std::vector<bool> inPlace_;
  /// Threads per Generic kernel: IPUC_NUM_THREADS when set (as OpenMP's
  /// OMP_NUM_THREADS, so a benchmark can match another library's thread
  /// count, or a loaded machine can run single-threaded), else 0 (one per
  /// core for large loops).
  kernels::DispatchOptions dispatch_;
};

} // namespace ipuc::host

#endif // IPUC_HOST_HOSTDEVICE_H
