//===- ipu-run.cpp - Run an ipuc plan -------------------------------------===//
//
// Loads and verifies a plan, binds inputs from .npy/.npz files (or random
// data), runs it on the chosen device and writes each output as .npy.
// User errors exit with 1 and say what the plan expects; nothing a user can
// pass makes this tool crash.
//
//===----------------------------------------------------------------------===//

#include "Arrays.h"
#include "Options.h"
#include "PhaseTimes.h"

#include "ipuc/host/HostDevice.h"
#include "ipuc/plan/Plan.h"
#include "ipuc/sim/SimDevice.h"
#include "ipuc/support/AtomicFile.h"
#include "ipuc/support/Npy.h"
#include "ipuc/train/TrainCommand.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>

using namespace ipuc;

namespace {

/// Ends the process once a run's outputs, profile and reports are written,
/// without the destructors of the device and the plan: unmapping a 12-layer
/// simulation's tile memory, decoded program and 650 MB plan file and
/// freeing its heap took ~50 ms that nothing needs (clang's -disable-free
/// skips freeing its ASTs for the same reason). Every file was written and
/// closed (atomically) inside runOn; the timing report is printed here.
[[noreturn]] void exitWithoutTeardown(int code, ipurun::PhaseTimes &times) {
  times.printNow();
  std::fflush(nullptr);
  std::_Exit(code);
}

int userError(std::string msg) {
  while (!msg.empty() && msg.back() == '\n')
    msg.pop_back();
  fmt::print(stderr, "ipu-run: error: {}\n", msg);
  return 1;
}

bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

template <typename Device>
bool bindArray(Device &dev, const std::string &name,
               const support::NpyArray &arr, const std::string &source,
               std::string &error) {
  const host::BindingInfo *binding = nullptr;
  for (const auto &b : dev.inputs())
    if (b.name == name)
      binding = &b;
  if (!binding) {
    error = fmt::format("the plan has no input named '{}'; its inputs are:\n{}",
                        name, dev.describeInputs());
    return false;
  }
  std::vector<uint8_t> bytes;
  plan::DType dtype;
  if (!ipurun::npyToBinding(arr, *binding, bytes, dtype)) {
    error = fmt::format("{}: array dtype '{}' has no plan equivalent; the "
                        "plan's inputs are:\n{}",
                        source, arr.descr, dev.describeInputs());
    return false;
  }
  if (!dev.setInput(name, dtype, arr.shape, bytes.data(), bytes.size(),
                    error)) {
    error = source + ": " + error;
    return false;
  }
  return true;
}

std::string sanitize(std::string name) {
  for (char &c : name)
    if (c == '/' || c == '\\' || c == '\0')
      c = '_';
  if (name.empty() || name == "." || name == "..")
    name = "_" + name;
  return name;
}

template <typename Device>
int runOn(Device &dev, const ipurun::Options &opts,
          ipurun::PhaseTimes &times) {
  std::string error;
  for (const auto &[name, path] : opts.inputs) {
    if (endsWith(path, ".npz")) {
      std::vector<std::pair<std::string, support::NpyArray>> arrays;
      if (!support::readNpzFile(path, arrays, error))
        return userError(error);
      for (const auto &[key, arr] : arrays)
        if (!bindArray(dev, key, arr, path + ":" + key, error))
          return userError(error);
      continue;
    }
    support::NpyArray arr;
    if (!support::readNpyFile(path, arr, error) ||
        !bindArray(dev, name, arr, path, error))
      return userError(error);
  }
  if (opts.randomInputs) {
    std::mt19937_64 rng(opts.seed);
    for (const auto &b : dev.inputs()) {
      std::vector<uint8_t> data = ipurun::randomData(b, rng);
      if (!dev.isInputSet(b.name) &&
          !dev.setInput(b.name, b.dtype, b.shape, data.data(), data.size(),
                        error))
        return userError(error);
    }
  }
  for (const auto &b : dev.inputs())
    if (!dev.isInputSet(b.name))
      return userError(fmt::format(
          "input '{}' was not given (use --input {}=@FILE.npy or "
          "--random-inputs); the plan's inputs are:\n{}",
          b.name, b.name, dev.describeInputs()));

  times.mark("inputs");
  if (!dev.run(error)) {
    fmt::print(stderr, "ipu-run: error: {}\n", error);
    return 2;
  }
  times.mark("run");
  if constexpr (std::is_same_v<Device, sim::SimDevice>) {
    if (!opts.quiet)
      std::fputs(dev.summary().format().c_str(), stdout);
    if (!opts.profilePath.empty() &&
        !dev.writeProfile(opts.profilePath, error))
      return userError(error);
  }

  if (!opts.outputDir.empty() &&
      !support::createDirectories(opts.outputDir, error))
    return userError(error);
  for (const auto &b : dev.outputs()) {
    const void *data = dev.outputData(b.name);
    if (!opts.outputDir.empty()) {
      std::string path = opts.outputDir + "/" + sanitize(b.name) + ".npy";
      if (!support::writeNpyFile(path, ipurun::toNpy(b, data), error))
        return userError(error);
    }
    if (!opts.quiet)
      fmt::print("{}\n", ipurun::summarize(b, data));
  }
  times.mark("outputs");
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  // --dataset: the training loop over a plan from ipuc --train.
  if (train::isTrainingCommand(argc, argv))
    return train::trainMain(argc, argv);
  ipurun::Options opts;
  std::string error;
  if (!ipurun::parseOptions(argc, argv, opts, error))
    return userError(error);
  if (opts.help) {
    std::fputs(ipurun::helpText(), stdout);
    return 0;
  }

  ipurun::PhaseTimes times(opts.timing);
  plan::LoadedPlan loaded;
  if (!plan::loadPlanFile(opts.planPath, loaded, error))
    return userError(error);
  times.mark("load+verify");
  if (opts.dump) {
    std::fputs(plan::printPlan(loaded.plan()).c_str(), stdout);
    return 0;
  }
  if (!opts.profilePath.empty() && opts.device != "sim")
    return userError("--profile needs --device=sim (the host device does not "
                     "count cycles)");
  if (opts.device == "sim") {
    sim::SimOptions simOpts;
    simOpts.checked = opts.checked;
    auto dev = sim::SimDevice::create(loaded, simOpts, error);
    if (!dev)
      return userError(error);
    times.mark("set-up");
    if (opts.timing) {
      // Set-up decodes each distinct step once: how much that left to do.
      sim::SimDecodeStats d = dev->decodeStats();
      fmt::print(stderr,
                 "ipu-run: sim set-up decoded {} of {} compute sets ({} of {} "
                 "vertices), {} of {} exchanges ({} of {} pieces)\n",
                 d.computeSetsDecoded, d.computeSteps, d.verticesDecoded,
                 d.vertices, d.exchangesDecoded, d.exchangeSteps,
                 d.piecesDecoded, d.pieces);
      if (d.computeSetsRelocated)
        fmt::print(stderr,
                   "ipu-run: sim set-up relocated {} compute sets ({} "
                   "vertices) from congruent ones: the same vertices over "
                   "tensors at other addresses\n",
                   d.computeSetsRelocated, d.verticesRelocated);
      if (d.exchangePartsRun)
        fmt::print(stderr,
                   "ipu-run: sim set-up ran {} exchange parts, {} distinct, "
                   "where exchanges share copy groups\n",
                   d.exchangePartsRun, d.exchangePartsDecoded);
      if (d.fusedExchangeOps)
        fmt::print(stderr,
                   "ipu-run: sim set-up fused {} exchanges ({} distinct) "
                   "with the compute sets after them, tile by tile\n",
                   d.fusedExchangeOps, d.fusions);
      if (d.imageMappedBytes || d.imageCopiedBytes)
        fmt::print(stderr,
                   "ipu-run: sim tile image {:.1f} MiB mapped from the plan "
                   "file, {:.1f} MiB copied\n",
                   d.imageMappedBytes / 1048576.0,
                   d.imageCopiedBytes / 1048576.0);
    }
    exitWithoutTeardown(runOn(*dev, opts, times), times);
  }
  host::HostDevice dev(loaded);
  times.mark("set-up");
  exitWithoutTeardown(runOn(dev, opts, times), times);
}
