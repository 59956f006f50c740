//===- Device.h - Device description recorded in every plan -----*- C++ -*-===//
//
// The device model of DESIGN.md section 3 as the compiler resolves it from
// --device (presets or a JSON file) and --tiles. Every plan records it; the
// partitioner plans with it.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_DEVICE_H
#define IPUC_COMPILER_PLAN_DEVICE_H

#include "ipuc/sim/CostModel.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace ipuc {

/// The compiler and the simulator share one device description, so the
/// partitioner plans with exactly the numbers the simulator charges.
using DeviceDescription = sim::DeviceModel;

/// The built-in presets: "gc200" (Mk2, the default) and "gc2" (Mk1).
bool getDevicePreset(llvm::StringRef name, DeviceDescription &out);

/// Resolves a --device value: a preset name or a JSON file. A JSON device
/// file is an object whose keys are the plan's Device field names (e.g.
/// "tiles_per_chip"); an optional "base" key names the preset the other keys
/// override (default gc200). Unknown keys and wrongly typed values are errors.
bool resolveDevice(llvm::StringRef spec, DeviceDescription &out,
                   std::string &error);

/// Overrides the number of tiles (--tiles); 0 keeps the device's count.
bool applyTileCount(int64_t tiles, DeviceDescription &device,
                    std::string &error);

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_DEVICE_H
