//===- matmul_bench.cpp - Host MatMul kernel vs Eigen called directly -----===//
//
// Measures the host device's matmul kernel (ipuc::kernels::runMatMul, as the
// host plan calls it) against Eigen's GEMM called directly on the same
// row-major buffers, for square f32 matrices. Both are compiled with the
// runtime's IPUC_KERNEL_FLAGS, so the Eigen code is the same; the question is
// only how much the kernel's dispatch and layout handling cost.
//
//   matmul_bench [--sizes 256,512,1024,2048] [--reps N] [--min-time SECONDS]
//
// Each size runs one warm-up of each variant, then alternates the two for at
// least --reps repetitions and --min-time seconds each, and reports the best
// time as GFLOP/s (2·n³ flops). Both run on the calling thread: Eigen's GEMM
// uses more threads only when built with OpenMP, which neither is.
//
//===----------------------------------------------------------------------===//

#include "ipuc/kernels/MatMul.h"

#include <Eigen/Core>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using RowMat =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Options {
  std::vector<int64_t> sizes = {256, 512, 1024, 2048};
  int reps = 10;
  double minTime = 1.0;
};

bool parseSizes(const char *text, std::vector<int64_t> &sizes) {
  sizes.clear();
  std::string s(text);
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    std::string item = s.substr(pos, comma == std::string::npos
                                         ? std::string::npos
                                         : comma - pos);
    char *end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v <= 0)
      return false;
    sizes.push_back(v);
    if (comma == std::string::npos)
      break;
    pos = comma + 1;
  }
  return !sizes.empty();
}

bool parseArgs(int argc, char **argv, Options &opts) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char * {
      return i + 1 < argc ? argv[++i] : nullptr;
    };
    if (arg == "--sizes") {
      const char *v = value();
      if (!v || !parseSizes(v, opts.sizes))
        return false;
    } else if (arg == "--reps") {
      const char *v = value();
      if (!v || (opts.reps = std::atoi(v)) <= 0)
        return false;
    } else if (arg == "--min-time") {
      const char *v = value();
      if (!v || (opts.minTime = std::atof(v)) < 0)
        return false;
    } else {
      return false;
    }
  }
  return true;
}

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

} // namespace

int main(int argc, char **argv) {
  Options opts;
  if (!parseArgs(argc, argv, opts)) {
    fmt::print(stderr, "usage: {} [--sizes 256,512,1024,2048] [--reps N] "
                       "[--min-time SECONDS]\n",
               argv[0]);
    return 2;
  }

  fmt::print("f32 square matmul, row-major, {} thread(s) for both "
             "(Eigen::nbThreads), SIMD: {}\n\n",
             Eigen::nbThreads(), Eigen::SimdInstructionSetsInUse());
  fmt::print("| n | ipuc kernel GFLOP/s | Eigen direct GFLOP/s | "
             "kernel / Eigen |\n");
  fmt::print("|---:|---:|---:|---:|\n");

  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  bool allMatch = true;
  for (int64_t n : opts.sizes) {
    std::vector<float> a(n * n), b(n * n), cKernel(n * n), cEigen(n * n);
    for (float &v : a)
      v = dist(rng);
    for (float &v : b)
      v = dist(rng);

    ipuc::kernels::MatMulArgs args;
    args.dtype = ipuc::plan::DType::F32;
    args.lhs = a.data();
    args.rhs = b.data();
    args.result = cKernel.data();
    args.m = args.n = args.k = n;

    Eigen::Map<const RowMat> A(a.data(), n, n), B(b.data(), n, n);
    Eigen::Map<RowMat> C(cEigen.data(), n, n);

    std::string error;
    auto runKernel = [&] {
      if (!ipuc::kernels::runMatMul(args, error)) {
        fmt::print(stderr, "runMatMul failed: {}\n", error);
        std::exit(1);
      }
    };
    auto runEigen = [&] { C.noalias() = A * B; };

    // Warm-up: page in the buffers and let the CPU reach its steady clock.
    runKernel();
    runEigen();

    double bestKernel = std::numeric_limits<double>::infinity();
    double bestEigen = bestKernel, spentKernel = 0, spentEigen = 0;
    // Alternate the two so frequency drift affects both alike.
    for (int rep = 0; rep < opts.reps || spentKernel < opts.minTime ||
                      spentEigen < opts.minTime;
         ++rep) {
      auto t0 = Clock::now();
      runKernel();
      auto t1 = Clock::now();
      runEigen();
      auto t2 = Clock::now();
      bestKernel = std::min(bestKernel, seconds(t0, t1));
      bestEigen = std::min(bestEigen, seconds(t1, t2));
      spentKernel += seconds(t0, t1);
      spentEigen += seconds(t1, t2);
    }

    float maxDiff = 0;
    for (int64_t i = 0; i < n * n; ++i)
      maxDiff = std::max(maxDiff, std::fabs(cKernel[i] - cEigen[i]));
    if (maxDiff > 1e-3f * std::sqrt(static_cast<float>(n))) {
      fmt::print(stderr, "n={}: kernel and Eigen differ by {}\n", n, maxDiff);
      allMatch = false;
    }

    double flops = 2.0 * static_cast<double>(n) * n * n;
    double gKernel = flops / bestKernel * 1e-9;
    double gEigen = flops / bestEigen * 1e-9;
    fmt::print("| {} | {:.1f} | {:.1f} | {:.1f} % |\n", n, gKernel, gEigen,
               100.0 * gKernel / gEigen);
    std::fflush(stdout);
  }
  return allMatch ? 0 : 1;
}
