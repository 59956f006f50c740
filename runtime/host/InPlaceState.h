//===- InPlaceState.h - Resident pairs updated in place ---------*- C++ -*-===//
#ifndef IPUC_HOST_INPLACESTATE_H
#define IPUC_HOST_INPLACESTATE_H

#include "ipuc/plan/Plan.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace ipuc::host {

/// For each resident (input tensor, output tensor) pair of `plan`'s host
/// program, whether the output can be the input's own storage
/// (InPlaceState.cpp says when).
std::vector<bool>
inPlacePairs(const plan::Plan &plan,
             const std::vector<std::pair<uint32_t, uint32_t>> &pairs);

} // namespace ipuc::host

#endif // IPUC_HOST_INPLACESTATE_H
