//===- plan_latency.cpp - In-process latency of a plan on the host device -===//
//
// ipu-run's wall time includes process start-up, plan loading and .npy I/O.
// This tool measures what an application embedding the runtime would see:
// it loads and verifies the plan once, binds inputs (from .npy files, or
// seeded random values), then times HostDevice::run() alone.
//
//   plan_latency MODEL.ipuplan [--input NAME=@FILE.npy]... [--runs N]
//                [--warmup N]
//
// Prints one line per measurement, e.g.
//   load+verify time: 0.210 ms
//   run time: median 0.041 ms, min 0.038 ms over 200 runs
//
//===----------------------------------------------------------------------===//

#include "../tools/ipu-run/Arrays.h"
#include "ipuc/host/HostDevice.h"
#include "ipuc/plan/Plan.h"
#include "ipuc/support/Npy.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

int usage(const char *argv0) {
  fmt::print(stderr,
             "usage: {} MODEL.ipuplan [--input NAME=@FILE.npy]... "
             "[--runs N] [--warmup N]\n",
             argv0);
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  std::string planPath;
  std::map<std::string, std::string> inputFiles;
  int runs = 200, warmup = 10;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if ((arg == "--runs" || arg == "--warmup" || arg == "--input") &&
        i + 1 < argc) {
      std::string v = argv[++i];
      if (arg == "--runs")
        runs = std::atoi(v.c_str());
      else if (arg == "--warmup")
        warmup = std::atoi(v.c_str());
      else {
        size_t eq = v.find("=@");
        if (eq == std::string::npos)
          return usage(argv[0]);
        inputFiles[v.substr(0, eq)] = v.substr(eq + 2);
      }
    } else if (!arg.empty() && arg[0] != '-' && planPath.empty()) {
      planPath = arg;
    } else {
      return usage(argv[0]);
    }
  }
  if (planPath.empty() || runs <= 0 || warmup < 0)
    return usage(argv[0]);

  std::string error;
  ipuc::plan::LoadedPlan plan;
  auto t0 = Clock::now();
  if (!ipuc::plan::loadPlanFile(planPath, plan, error)) {
    fmt::print(stderr, "plan_latency: error: {}\n", error);
    return 1;
  }
  auto t1 = Clock::now();
  ipuc::host::HostDevice device(plan);

  // Inputs are bound exactly as ipu-run binds them.
  std::mt19937_64 rng(0);
  for (const ipuc::host::BindingInfo &b : device.inputs()) {
    std::vector<uint8_t> bytes;
    ipuc::plan::DType dtype = b.dtype;
    std::vector<int64_t> shape = b.shape;
    auto it = inputFiles.find(b.name);
    if (it != inputFiles.end()) {
      ipuc::support::NpyArray array;
      if (!ipuc::support::readNpyFile(it->second, array, error)) {
        fmt::print(stderr, "plan_latency: error: {}\n", error);
        return 1;
      }
      if (!ipurun::npyToBinding(array, b, bytes, dtype)) {
        fmt::print(stderr, "plan_latency: error: {} has dtype {} which no "
                   "plan dtype matches\n", it->second, array.descr);
        return 1;
      }
      shape = array.shape;
    } else {
      bytes = ipurun::randomData(b, rng);
    }
    if (!device.setInput(b.name, dtype, shape, bytes.data(), bytes.size(),
                         error)) {
      fmt::print(stderr, "plan_latency: error: {}\n", error);
      return 1;
    }
  }

  for (int i = 0; i < warmup; ++i)
    if (!device.run(error)) {
      fmt::print(stderr, "plan_latency: error: {}\n", error);
      return 1;
    }
  std::vector<double> times;
  times.reserve(runs);
  for (int i = 0; i < runs; ++i) {
    auto a = Clock::now();
    if (!device.run(error)) {
      fmt::print(stderr, "plan_latency: error: {}\n", error);
      return 1;
    }
    times.push_back(ms(a, Clock::now()));
  }
  std::sort(times.begin(), times.end());
  double median = runs % 2 ? times[runs / 2]
                           : 0.5 * (times[runs / 2 - 1] + times[runs / 2]);
  fmt::print("load+verify time: {:.3f} ms\n", ms(t0, t1));
  fmt::print("run time: median {:.4f} ms, min {:.4f} ms over {} runs\n",
             median, times.front(), runs);
  return 0;
}
