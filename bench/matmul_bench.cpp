//===- matmul_bench.cpp - Host MatMul kernel vs Eigen called directly -----===//
//
// Measures the host device's matmul kernel (ipuc::kernels::runMatMul, as the
// host plan and the simulator's vertices call it) against Eigen's GEMM called
// directly on the same row-major buffers, for f32 matrices. Both are compiled
// with the runtime's IPUC_KERNEL_FLAGS, so the Eigen code is the same; for
// large matrices the question is how much the kernel's dispatch and layout
// handling cost, for tile-sized blocks (--small) whether its register-blocked
// small kernel (runtime/kernels/SmallMatMul.cpp) beats Eigen's packed GEMM.
//
//   matmul_bench [--sizes 256,512,32x34x36,...] [--small] [--reps N]
//                [--min-time SECONDS]
//
// A size is n (an n³ cube) or MxNxK. --small measures the block shapes a
// 12-layer encoder's matmul vertices have on 1472 tiles instead. Each shape
// runs one warm-up of each variant, then alternates the two for at least
// --reps repetitions and --min-time seconds each, and reports the best time
// as GFLOP/s (2·m·n·k flops); a repetition of a small shape is as many calls
// as make ~2 MFLOP, so that the clock's resolution does not matter. Both run
// on the calling thread: Eigen's GEMM uses more threads only when built with
// OpenMP, which neither is.
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

struct Shape {
  int64_t m, n, k;
};

struct Options {
  std::vector<Shape> sizes = {
      {256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024}, {2048, 2048, 2048}};
  int reps = 10;
  double minTime = 1.0;
};

/// "n" or "MxNxK".
bool parseShape(const std::string &item, Shape &shape) {
  std::vector<int64_t> dims;
  size_t pos = 0;
  while (true) {
    size_t x = item.find('x', pos);
    std::string part = item.substr(pos, x == std::string::npos ? x : x - pos);
    char *end = nullptr;
    long long v = std::strtoll(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || v <= 0)
      return false;
    dims.push_back(v);
    if (x == std::string::npos)
      break;
    pos = x + 1;
  }
  if (dims.size() == 1)
    shape = {dims[0], dims[0], dims[0]};
  else if (dims.size() == 3)
    shape = {dims[0], dims[1], dims[2]};
  else
    return false;
  return true;
}

bool parseSizes(const char *text, std::vector<Shape> &sizes) {
  sizes.clear();
  std::string s(text);
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    std::string item = s.substr(pos, comma == std::string::npos
                                         ? std::string::npos
                                         : comma - pos);
    Shape shape;
    if (!parseShape(item, shape))
      return false;
    sizes.push_back(shape);
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
    } else if (arg == "--small") {
      // The encoder's most frequent vertex shapes (by FLOPs), from the
      // --dump of its 1472-tile plan.
      opts.sizes = {{64, 47, 35}, {32, 34, 12}, {32, 34, 36}, {43, 70, 24},
                    {32, 34, 24}, {42, 70, 48}, {43, 70, 46}, {13, 11, 64},
                    {16, 13, 43}, {64, 64, 64}, {96, 96, 96}, {128, 128, 128}};
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
    fmt::print(stderr,
               "usage: {} [--sizes 256,512,32x34x36,...] [--small] "
               "[--reps N] [--min-time SECONDS]\n",
               argv[0]);
    return 2;
  }

  fmt::print("f32 matmul, row-major, {} thread(s) for both "
             "(Eigen::nbThreads), SIMD: {}\n\n",
             Eigen::nbThreads(), Eigen::SimdInstructionSetsInUse());
  fmt::print("| m x n x k | ipuc kernel GFLOP/s | Eigen direct GFLOP/s | "
             "kernel / Eigen |\n");
  fmt::print("|---|---:|---:|---:|\n");

  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  bool allMatch = true;
  for (auto [m, n, k] : opts.sizes) {
    std::vector<float> a(m * k), b(k * n), cKernel(m * n), cEigen(m * n);
    for (float &v : a)
      v = dist(rng);
    for (float &v : b)
      v = dist(rng);

    ipuc::kernels::MatMulArgs args;
    args.dtype = ipuc::plan::DType::F32;
    args.lhs = a.data();
    args.rhs = b.data();
    args.result = cKernel.data();
    args.m = m, args.n = n, args.k = k;
    double flops = 2.0 * static_cast<double>(m) * n * k;
    const int calls = static_cast<int>(std::max(1.0, 2e6 / flops));

    Eigen::Map<const RowMat> A(a.data(), m, k), B(b.data(), k, n);
    Eigen::Map<RowMat> C(cEigen.data(), m, n);

    std::string error;
    auto runKernel = [&] {
      for (int c = 0; c < calls; ++c)
        if (!ipuc::kernels::runMatMul(args, error)) {
          fmt::print(stderr, "runMatMul failed: {}\n", error);
          std::exit(1);
        }
    };
    auto runEigen = [&] {
      for (int c = 0; c < calls; ++c)
        C.noalias() = A * B;
    };

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
    for (int64_t i = 0; i < m * n; ++i)
      maxDiff = std::max(maxDiff, std::fabs(cKernel[i] - cEigen[i]));
    if (maxDiff > 1e-3f * std::sqrt(static_cast<float>(k))) {
      fmt::print(stderr, "{}x{}x{}: kernel and Eigen differ by {}\n", m, n, k,
                 maxDiff);
      allMatch = false;
    }

    double gKernel = flops * calls / bestKernel * 1e-9;
    double gEigen = flops * calls / bestEigen * 1e-9;
    fmt::print("| {}x{}x{} | {:.1f} | {:.1f} | {:.1f} % |\n", m, n, k, gKernel,
               gEigen, 100.0 * gKernel / gEigen);
    std::fflush(stdout);
  }
  return allMatch ? 0 : 1;
}
