//===- Options.h - ipu-run's command line ---------------------------------===//
//
// A small hand-written parser: the runtime links neither LLVM nor any
// option library, and ipu-run has few options.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_TOOLS_IPURUN_OPTIONS_H
#define IPUC_TOOLS_IPURUN_OPTIONS_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ipurun {

struct Options {
  std::string planPath;
  std::string device = "host";
  /// NAME -> path (from --input NAME=@path).
  std::vector<std::pair<std::string, std::string>> inputs;
  bool randomInputs = false;
  uint64_t seed = 0;
  std::string outputDir;
  bool dump = false;
  /// --profile FILE.json (sim only).
  std::string profilePath;
  /// Sim: reject vertices whose operands live off their tile (default on).
  bool checked = true;
  bool quiet = false;
  /// --timing: wall time of each phase (load, set-up, run, outputs) on stderr.
  bool timing = false;
  bool help = false;
};

/// Returns false with `error` set for a malformed command line.
bool parseOptions(int argc, char **argv, Options &opts, std::string &error);
const char *helpText();

} // namespace ipurun

#endif // IPUC_TOOLS_IPURUN_OPTIONS_H
