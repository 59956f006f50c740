//===- Device.h - Device description recorded in every plan -----*- C++ -*-===//
//
// The device model of DESIGN.md section 3. The host plan records it so that a
// plan says what it was compiled for; the tile-level plan (issue 3) will use
// the same description to partition work onto tiles.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_DEVICE_H
#define IPUC_COMPILER_PLAN_DEVICE_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace ipuc {

struct DeviceDescription {
  std::string name = "gc200";
  uint32_t numChips = 1;
  uint32_t tilesPerChip = 1472;
  uint64_t sramBytesPerTile = 624 * 1024;
  double clockHz = 1.325e9;
  uint32_t workerThreadsPerTile = 6;
  double fp32MatmulFlopsPerCycle = 32;
  double fp16MatmulFlopsPerCycle = 128;
  double elementwiseF32PerCycle = 2;
  double exchangeBytesPerCycle = 4;
  uint32_t syncCycles = 150;
  uint32_t chipLinks = 10;
  double chipLinkGbitPerS = 128;
  double chipLinkEfficiency = 0.85;
};

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
