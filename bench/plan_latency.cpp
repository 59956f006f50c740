//===- plan_latency.cpp - In-process latency of a plan on the host device -===//
//
// ipu-run's wall time includes process start-up, plan loading and .npy I/O.
// This tool measures what an application embedding the runtime would see:
// it loads and verifies the plan once, binds inputs (from .npy files, or
// seeded random values), then times HostDevice::run() alone.
//
//   plan_latency MODEL.ipuplan [--input NAME=@FILE.npy]... [--runs N]
//                [--warmup N] [--per-kernel N]
//
// Prints one line per measurement, e.g.
//   load+verify time: 0.210 ms
//   run time: median 0.041 ms, min 0.038 ms over 200 runs
//
// --per-kernel N then times each kernel of the host program on its own
// (through the same dispatcher the host device uses, on the device's
// buffers) and prints the N with the largest median time per run, so a
// training step's time can be attributed to the kernels that spend it.
// IPUC_NUM_THREADS is honoured as by the host device. Kernel times are the
// calling thread's CPU time, which on a machine shared with other work does
// not count waiting for a core; run with IPUC_NUM_THREADS=1 so that all of a
// kernel's work is on that thread.
//
//===----------------------------------------------------------------------===//

#include "../tools/ipu-run/Arrays.h"
#include "ipuc/host/HostDevice.h"
#include "ipuc/kernels/Dispatch.h"
#include "ipuc/plan/Plan.h"
#include "ipuc/support/Npy.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

/// Times each host-program kernel `runs` times on the device's storage and
/// prints the `top` most expensive by median.
bool printPerKernel(const ipuc::plan::LoadedPlan &loaded,
                    ipuc::host::HostDevice &device, int runs, int top,
                    std::string &error) {
  const ipuc::plan::Plan &p = loaded.plan();
  std::vector<ipuc::kernels::KernelTensor> tensors;
  if (auto *ts = p.tensors())
    for (uint32_t i = 0; i < ts->size(); ++i) {
      const ipuc::plan::Tensor *t = ts->Get(i);
      ipuc::kernels::KernelTensor view;
      view.data = static_cast<uint8_t *>(device.tensorData(i));
      view.dtype = t->dtype();
      if (t->shape())
        view.shape.assign(t->shape()->begin(), t->shape()->end());
      view.numElements = ipuc::plan::numElements(t->shape());
      tensors.push_back(std::move(view));
    }
  ipuc::kernels::DispatchOptions options;
  if (const char *threads = std::getenv("IPUC_NUM_THREADS"))
    options.genericThreads = std::max(0, std::atoi(threads));
  auto *prog = p.host_program();
  size_t nk = prog ? prog->size() : 0;
  std::vector<std::vector<double>> times(nk);
  // Prepared as the device prepares them, so each kernel runs its own path.
  std::vector<std::unique_ptr<ipuc::kernels::PreparedKernel>> prepared;
  for (size_t k = 0; k < nk; ++k)
    prepared.push_back(ipuc::kernels::prepareKernelBody(
        prog->Get(k)->body_type(), prog->Get(k)->body(), tensors, options));
  auto cpuMs = [] {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) * 1e-6;
  };
  for (int r = 0; r < runs; ++r)
    for (size_t k = 0; k < nk; ++k) {
      const ipuc::plan::Kernel &kernel = *prog->Get(k);
      double a = cpuMs();
      if (!ipuc::kernels::runKernelBody(kernel.body_type(), kernel.body(),
                                        tensors, options, error,
                                        prepared[k].get()))
        return false;
      times[k].push_back(cpuMs() - a);
    }
  std::vector<std::pair<double, size_t>> medians;
  double total = 0;
  for (size_t k = 0; k < nk; ++k) {
    std::sort(times[k].begin(), times[k].end());
    medians.push_back({times[k][times[k].size() / 2], k});
    total += medians.back().first;
  }
  std::sort(medians.rbegin(), medians.rend());
  fmt::print("per kernel (thread CPU ms per run, median / min; sum of "
             "medians {:.3f} ms over {} kernels):\n",
             total, nk);
  for (int i = 0; i < top && size_t(i) < nk; ++i) {
    const ipuc::plan::Kernel &kernel = *prog->Get(medians[i].second);
    fmt::print("  {:8.3f} / {:8.3f} {:5.1f}%  #{} {} {} at {}\n",
               medians[i].first, times[medians[i].second].front(),
               100 * medians[i].first / total, medians[i].second,
               ipuc::plan::EnumNameKernelBody(kernel.body_type()),
               kernel.name() ? kernel.name()->str() : "?",
               kernel.loc() ? kernel.loc()->str() : "?");
  }
  return true;
}

int usage(const char *argv0) {
  fmt::print(stderr,
             "usage: {} MODEL.ipuplan [--input NAME=@FILE.npy]... "
             "[--runs N] [--warmup N] [--per-kernel N]\n",
             argv0);
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  std::string planPath;
  std::map<std::string, std::string> inputFiles;
  int runs = 200, warmup = 10, perKernel = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if ((arg == "--runs" || arg == "--warmup" || arg == "--input" ||
         arg == "--per-kernel") &&
        i + 1 < argc) {
      std::string v = argv[++i];
      if (arg == "--runs")
        runs = std::atoi(v.c_str());
      else if (arg == "--per-kernel")
        perKernel = std::atoi(v.c_str());
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
  if (perKernel > 0 && !printPerKernel(plan, device, runs, perKernel, error)) {
    fmt::print(stderr, "plan_latency: error: {}\n", error);
    return 1;
  }
  return 0;
}
