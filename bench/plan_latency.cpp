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

#include "ipuc/host/HostDevice.h"
#include "ipuc/plan/Plan.h"
#include "ipuc/support/Npy.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

/// NumPy descr of a plan dtype, for checking .npy inputs.
const char *descrOf(ipuc::plan::DType dtype) {
  using ipuc::plan::DType;
  switch (dtype) {
  case DType::F32: return "<f4";
  case DType::F16: return "<f2";
  case DType::F64: return "<f8";
  case DType::I1: return "|b1";
  case DType::I8: return "|i1";
  case DType::I16: return "<i2";
  case DType::I32: return "<i4";
  case DType::I64: return "<i8";
  default: return "";
  }
}

/// Seeded values that are valid for any dtype: small floats, zeros otherwise
/// (so integer index inputs stay in range).
std::vector<uint8_t> randomBytes(const ipuc::host::BindingInfo &b,
                                 std::mt19937 &rng) {
  std::vector<uint8_t> bytes(b.byteSize(), 0);
  if (b.dtype == ipuc::plan::DType::F32) {
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    float *f = reinterpret_cast<float *>(bytes.data());
    for (int64_t i = 0; i < b.numElements(); ++i)
      f[i] = dist(rng);
  }
  return bytes;
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

  std::mt19937 rng(0);
  for (const ipuc::host::BindingInfo &b : device.inputs()) {
    std::vector<uint8_t> bytes;
    auto it = inputFiles.find(b.name);
    if (it != inputFiles.end()) {
      ipuc::support::NpyArray array;
      if (!ipuc::support::readNpyFile(it->second, array, error)) {
        fmt::print(stderr, "plan_latency: error: {}\n", error);
        return 1;
      }
      if (array.descr != descrOf(b.dtype) || array.shape != b.shape) {
        fmt::print(stderr, "plan_latency: error: {} does not match {}\n",
                   it->second, b.describe());
        return 1;
      }
      bytes = std::move(array.data);
    } else {
      bytes = randomBytes(b, rng);
    }
    if (!device.setInput(b.name, b.dtype, b.shape, bytes.data(), bytes.size(),
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
