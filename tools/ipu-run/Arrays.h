//===- Arrays.h - Plan tensors <-> NumPy arrays, random data, summaries ---===//
#ifndef IPUC_TOOLS_IPURUN_ARRAYS_H
#define IPUC_TOOLS_IPURUN_ARRAYS_H

#include "ipuc/host/HostDevice.h"
#include "ipuc/support/Npy.h"

#include <random>

namespace ipurun {

/// The .npy descr for a plan dtype; BF16 has none and is written as "<f4".
const char *npyDescrFor(ipuc::plan::DType dtype);
/// The plan dtype for a canonical .npy descr; false if the plan has none.
bool dtypeForNpy(const std::string &descr, ipuc::plan::DType &dtype);

/// Converts an array read from .npy to the bytes a binding expects. BF16
/// inputs accept float32 arrays (rounded); every other dtype must match.
bool npyToBinding(const ipuc::support::NpyArray &arr,
                  const ipuc::host::BindingInfo &binding,
                  std::vector<uint8_t> &bytes, ipuc::plan::DType &dtype);

/// Fills a binding with random values (see --random-inputs).
std::vector<uint8_t> randomData(const ipuc::host::BindingInfo &binding,
                                std::mt19937_64 &rng);

/// Output bytes as a .npy array (BF16 widened to float32).
ipuc::support::NpyArray toNpy(const ipuc::host::BindingInfo &binding,
                              const void *data);

/// "name: f32[2x3] = [0.1, 0.2, ...]".
std::string summarize(const ipuc::host::BindingInfo &binding, const void *data,
                      int maxValues = 6);

} // namespace ipurun

#endif // IPUC_TOOLS_IPURUN_ARRAYS_H
