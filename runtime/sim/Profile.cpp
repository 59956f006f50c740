//===- Profile.cpp - The run summary and the profile JSON -----------------===//
//
// The JSON layout is documented in docs/profile-format.md; keep them in sync.
//
//===----------------------------------------------------------------------===//

#include "ipuc/sim/SimDevice.h"
#include "ipuc/support/AtomicFile.h"

#include <fmt/format.h>

#include <cmath>

namespace ipuc::sim {

namespace {

std::string jsonString(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      if (c < 0x20)
        out += fmt::format("\\u{:04x}", c);
      else
        out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string jsonNumber(double v) {
  if (!std::isfinite(v))
    return "0";
  return fmt::format("{}", v);
}

std::string bytesString(double b) {
  if (b >= 1024 * 1024)
    return fmt::format("{:.2f} MiB", b / (1024 * 1024));
  if (b >= 1024)
    return fmt::format("{:.1f} KiB", b / 1024);
  return fmt::format("{:.0f} B", b);
}

std::string siString(double v, const char *unit) {
  const char *prefixes[] = {"", "k", "M", "G", "T", "P"};
  int i = 0;
  while (std::fabs(v) >= 1000 && i < 5) {
    v /= 1000;
    ++i;
  }
  return fmt::format("{:.3g} {}{}", v, prefixes[i], unit);
}

std::string timeString(double s) {
  if (s >= 1)
    return fmt::format("{:.3g} s", s);
  if (s >= 1e-3)
    return fmt::format("{:.3g} ms", s * 1e3);
  if (s >= 1e-6)
    return fmt::format("{:.3g} us", s * 1e6);
  return fmt::format("{:.3g} ns", s * 1e9);
}

} // namespace

std::string SimSummary::format() const {
  std::string s;
  s += fmt::format("sim: total cycles      {}\n", totalCycles);
  s += fmt::format("sim: simulated time    {} at {}\n", timeString(seconds),
                   siString(clockHz, "Hz"));
  s +=
      fmt::format("sim: achieved          {} ({:.2f}% of FP32 peak over {} "
                  "tiles)\n",
                  siString(flopsPerSecond, "FLOP/s"), utilization * 100, tiles);
  s += fmt::format(
      "sim: tile memory       peak {} on tile {} ({:.1f}% of {}), "
      "mean {} over {} tiles in use\n",
      bytesString(peakTileMemoryBytes), peakTile,
      sramBytesPerTile ? 100.0 * peakTileMemoryBytes / sramBytesPerTile : 0.0,
      bytesString(sramBytesPerTile), bytesString(meanTileMemoryBytes),
      tilesUsed);
  s += fmt::format("sim: exchange bytes    {}\n", exchangeBytes);
  if (!topComputeSets.empty()) {
    s += "sim: top compute sets by cycles:\n";
    for (const StepProfile &p : topComputeSets)
      s += fmt::format(
          "sim:   {:>12} cycles ({:5.1f}%)  {} x{}  {}\n", p.totalCycles(),
          totalCycles ? 100.0 * p.totalCycles() / totalCycles : 0.0,
          p.name.empty() ? "<unnamed>" : p.name, p.executions, p.loc);
  }
  return s;
}

std::string SimDevice::profileJson(const std::string &extraMembers) const {
  const SimSummary &s = summary();
  std::string j = "{\n";
  j += fmt::format("  \"total_cycles\": {},\n", s.totalCycles);
  j += fmt::format("  \"clock_hz\": {},\n", jsonNumber(s.clockHz));
  j += fmt::format("  \"seconds\": {},\n", jsonNumber(s.seconds));
  j += fmt::format("  \"flops\": {},\n", jsonNumber(s.flops));
  j += fmt::format("  \"utilization\": {},\n", jsonNumber(s.utilization));
  j += fmt::format("  \"exchange_bytes\": {},\n", s.exchangeBytes);
  j += fmt::format("  \"device\": {{\"name\": {}, \"tiles\": {}, "
                   "\"sram_bytes_per_tile\": {}, \"sync_cycles\": {}}},\n",
                   jsonString(device().name), s.tiles, s.sramBytesPerTile,
                   device().syncCycles);
  j += "  \"supersteps\": [";
  const auto &steps = this->steps();
  for (size_t i = 0; i < steps.size(); ++i) {
    const StepProfile &p = steps[i];
    j += fmt::format(
        "{}\n    {{\"name\": {}, \"loc\": {}, \"kind\": {}, \"executions\": "
        "{}, "
        "\"compute_cycles\": {}, \"sync_cycles\": {}, \"exchange_cycles\": {}, "
        "\"flops\": {}, \"exchange_bytes\": {}}}",
        i ? "," : "", jsonString(p.name), jsonString(p.loc), jsonString(p.kind),
        p.executions, p.computeCycles, p.syncCycles, p.exchangeCycles,
        jsonNumber(p.flops), p.exchangeBytes);
  }
  j += steps.empty() ? "],\n" : "\n  ],\n";
  j += fmt::format("  \"tiles\": {{\n    \"peak_memory_bytes\": [{}],\n"
                   "    \"busy_cycles\": [{}]\n  }}\n",
                   fmt::join(tileMemoryBytes(), ", "),
                   fmt::join(tileBusyCycles(), ", "));
  if (!extraMembers.empty()) {
    j.insert(j.size() - 1, ",");
    j += "  " + extraMembers + "\n";
  }
  return j + "}\n";
}

bool SimDevice::writeProfile(const std::string &path,
                             std::string &error) const {
  std::string j = profileJson();
  return support::writeFileAtomically(path, j.data(), j.size(), error);
}

} // namespace ipuc::sim
