//===- Device.cpp - Device presets and JSON device files -----------------===//

#include "compiler/Plan/Device.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <limits>
#include <optional>


using namespace ipuc;

bool ipuc::getDevicePreset(llvm::StringRef name, DeviceDescription &out) {
  if (name == "gc200") {
    out = DeviceDescription::gc200();
    return true;
  }
  if (name == "gc2") {
    out = DeviceDescription::gc2();
    return true;
  }
  return false;
}

namespace {
/// Reads one numeric field, rejecting non-numbers and (for integers) values
/// that are negative, fractional or out of range.
template <typename T>
bool readNumber(const llvm::json::Value &value, llvm::StringRef key, T &out,
                std::string &error) {
  std::optional<double> number = value.getAsNumber();
  if (!number) {
    error = llvm::formatv("field '{0}' must be a number", key).str();
    return false;
  }
  if constexpr (std::is_integral_v<T>) {
    double max = static_cast<double>(std::numeric_limits<T>::max());
    if (*number < 0 || *number != static_cast<double>(
                                      static_cast<int64_t>(*number)) ||
        *number > max) {
      error = llvm::formatv("field '{0}' must be a non-negative integer that "
                            "fits in {1} bits",
                            key, sizeof(T) * 8)
                  .str();
      return false;
    }
    out = static_cast<T>(*number);
  } else {
    if (*number < 0) {
      error = llvm::formatv("field '{0}' must not be negative", key).str();
      return false;
    }
    out = static_cast<T>(*number);
  }
  return true;
}
} // namespace

static bool parseDeviceFile(llvm::StringRef path, DeviceDescription &out,
                            std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    error = llvm::formatv("cannot read device file '{0}': {1}", path,
                          buffer.getError().message())
                .str();
    return false;
  }
  llvm::Expected<llvm::json::Value> parsed =
      llvm::json::parse((*buffer)->getBuffer());
  if (!parsed) {
    error = llvm::formatv("device file '{0}' is not valid JSON: {1}", path,
                          llvm::toString(parsed.takeError()))
                .str();
    return false;
  }
  const llvm::json::Object *object = parsed->getAsObject();
  if (!object) {
    error = llvm::formatv("device file '{0}' must hold a JSON object", path)
                .str();
    return false;
  }
  DeviceDescription device;
  if (const llvm::json::Value *base = object->get("base")) {
    std::optional<llvm::StringRef> baseName = base->getAsString();
    if (!baseName || !getDevicePreset(*baseName, device)) {
      error = llvm::formatv("device file '{0}': field 'base' must be \"gc200\" "
                            "or \"gc2\"",
                            path)
                  .str();
      return false;
    }
  }
  device.name = llvm::sys::path::stem(path).str();
  std::string fieldError;
  for (const auto &entry : *object) {
    llvm::StringRef key = entry.first;
    const llvm::json::Value &value = entry.second;
    bool ok = true;
    if (key == "base")
      continue;
    if (key == "name") {
      std::optional<llvm::StringRef> name = value.getAsString();
      if (!name) {
        fieldError = "field 'name' must be a string";
        ok = false;
      } else {
        device.name = name->str();
      }
    } else if (key == "num_chips") {
      ok = readNumber(value, key, device.numChips, fieldError);
    } else if (key == "tiles_per_chip") {
      ok = readNumber(value, key, device.tilesPerChip, fieldError);
    } else if (key == "sram_bytes_per_tile") {
      ok = readNumber(value, key, device.sramBytesPerTile, fieldError);
    } else if (key == "clock_hz") {
      ok = readNumber(value, key, device.clockHz, fieldError);
    } else if (key == "worker_threads_per_tile") {
      ok = readNumber(value, key, device.workersPerTile, fieldError);
    } else if (key == "fp32_matmul_flops_per_cycle") {
      ok = readNumber(value, key, device.fp32MatmulFlopsPerCycle, fieldError);
    } else if (key == "fp16_matmul_flops_per_cycle") {
      ok = readNumber(value, key, device.fp16MatmulFlopsPerCycle, fieldError);
    } else if (key == "elementwise_f32_per_cycle") {
      ok = readNumber(value, key, device.elementwiseF32PerCycle, fieldError);
    } else if (key == "exchange_bytes_per_cycle") {
      ok = readNumber(value, key, device.exchangeBytesPerCycle, fieldError);
    } else if (key == "sync_cycles") {
      ok = readNumber(value, key, device.syncCycles, fieldError);
    } else if (key == "chip_links") {
      ok = readNumber(value, key, device.chipLinks, fieldError);
    } else if (key == "chip_link_gbit_per_s") {
      ok = readNumber(value, key, device.chipLinkGbitPerS, fieldError);
    } else if (key == "chip_link_efficiency") {
      ok = readNumber(value, key, device.chipLinkEfficiency, fieldError);
    } else {
      fieldError = llvm::formatv("unknown field '{0}' (expected one of: base, "
                                 "name, num_chips, tiles_per_chip, "
                                 "sram_bytes_per_tile, clock_hz, "
                                 "worker_threads_per_tile, "
                                 "fp32_matmul_flops_per_cycle, "
                                 "fp16_matmul_flops_per_cycle, "
                                 "elementwise_f32_per_cycle, "
                                 "exchange_bytes_per_cycle, sync_cycles, "
                                 "chip_links, chip_link_gbit_per_s, "
                                 "chip_link_efficiency)",
                                 key)
                       .str();
      ok = false;
    }
    if (!ok) {
      error = llvm::formatv("device file '{0}': {1}", path, fieldError).str();
      return false;
    }
  }
  if (device.numChips == 0 || device.tilesPerChip == 0 ||
      device.sramBytesPerTile == 0 || device.clockHz <= 0) {
    error = llvm::formatv("device file '{0}': num_chips, tiles_per_chip, "
                          "sram_bytes_per_tile and clock_hz must be positive",
                          path)
                .str();
    return false;
  }
  out = device;
  return true;
}

bool ipuc::resolveDevice(llvm::StringRef spec, DeviceDescription &out,
                         std::string &error) {
  if (getDevicePreset(spec, out))
    return true;
  if (spec.ends_with(".json"))
    return parseDeviceFile(spec, out, error);
  error = llvm::formatv("unknown device '{0}': expected gc200, gc2 or a JSON "
                        "device file (FILE.json)",
                        spec)
              .str();
  return false;
}

bool ipuc::applyTileCount(int64_t tiles, DeviceDescription &device,
                          std::string &error) {
  if (tiles == 0)
    return true;
  if (tiles < 0 || tiles > std::numeric_limits<uint32_t>::max()) {
    error = llvm::formatv("--tiles={0} is out of range", tiles).str();
    return false;
  }
  device.tilesPerChip = static_cast<uint32_t>(tiles);
  return true;
}
