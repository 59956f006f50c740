//===- MaxPool2DBackward.cpp - Gradient of a tiling max pool -------------===//
//
// Autodiff writes a max pool's gradient as an equality mask of the pool's
// input against its upsampled output, times the upsampled output gradient
// (and, behind a ReLU, times the ReLU's mask), fused into one Generic over a
// 6-d nest whose pooled operands are broadcast over the window. The
// interpreter walks that nest through per-operand offset tables at ~13
// cycles an element; this kernel runs the same arithmetic as plain loops in
// the order n, oh, kh, ow, kw, c, which for NHWC tensors reads the input,
// mask and result once each in memory order and the pooled rows from L1, with
// the channel loop innermost and vectorized when its strides are 1.
//
//===----------------------------------------------------------------------===//

#include "ipuc/kernels/MaxPool2DBackward.h"

#include "ThreadParts.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace ipuc::kernels {
namespace {

/// Pooled elements below which a second thread costs more than it saves;
/// the Generic's streaming path splits at the same size.
constexpr int64_t kMinElementsToSplit = int64_t(1) << 17;

/// One row of `count` channels. The comparisons become 1 or 0 by
/// conversion rather than by a branch: a pooled input's equality is true
/// for about one element in a window, which a branch mispredicts often,
/// and the converted form vectorizes.
template <typename T, bool Masked>
inline void runRow(const T *__restrict x, const T *__restrict m,
                   const T *__restrict g, const T *__restrict k,
                   T *__restrict r, int64_t count, int64_t xc, int64_t mc,
                   int64_t gc, int64_t kc, int64_t rc) {
  // Written as the Generic's body: 0 * inf is NaN and 0 * -g is -0 here as
  // there.
  for (int64_t c = 0; c < count; ++c) {
    T v = static_cast<T>(x[c * xc] == m[c * mc]) * g[c * gc];
    if constexpr (Masked)
      v = v * static_cast<T>(k[c * kc] >= T(0));
    r[c * rc] = v;
  }
}

/// Images [first, last). `Unit`: every operand's channel stride is 1, so the
/// row loop sees constant strides and is vectorized.
template <typename T, bool Masked, bool Unit>
void runImages(const MaxPool2DBackwardArgs &a, int64_t first, int64_t last) {
  const T *x = static_cast<const T *>(a.input);
  const T *m = static_cast<const T *>(a.max);
  const T *g = static_cast<const T *>(a.grad);
  const T *k = static_cast<const T *>(a.mask);
  T *r = static_cast<T *>(a.result);
  // Copied out of `a`: the stores through `r` could otherwise alias them.
  int64_t xs[6], ks[6], rs[6], ms[4], gs[4];
  std::copy_n(a.inputStrides, 6, xs);
  std::copy_n(a.maskStrides, 6, ks);
  std::copy_n(a.resultStrides, 6, rs);
  std::copy_n(a.maxStrides, 4, ms);
  std::copy_n(a.gradStrides, 4, gs);
  const int64_t oh = a.oh, ow = a.ow, kh = a.kh, kw = a.kw, channels = a.c;
  const int64_t xc = Unit ? 1 : xs[3], mc = Unit ? 1 : ms[3],
                gc = Unit ? 1 : gs[3], kc = Unit ? 1 : ks[3],
                rc = Unit ? 1 : rs[3];
  for (int64_t n = first; n < last; ++n)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t wy = 0; wy < kh; ++wy)
        for (int64_t xw = 0; xw < ow; ++xw) {
          const T *mp = m + n * ms[0] + y * ms[1] + xw * ms[2];
          const T *gp = g + n * gs[0] + y * gs[1] + xw * gs[2];
          for (int64_t wx = 0; wx < kw; ++wx) {
            auto fine = [&](const int64_t *s) {
              return n * s[0] + y * s[1] + xw * s[2] + wy * s[4] + wx * s[5];
            };
            runRow<T, Masked>(x + fine(xs), mp, gp,
                              Masked ? k + fine(ks) : nullptr, r + fine(rs),
                              channels, xc, mc, gc, kc, rc);
          }
        }
}

template <typename T>
void runTyped(const MaxPool2DBackwardArgs &a, int64_t first, int64_t last) {
  const bool unit = a.inputStrides[3] == 1 && a.maxStrides[3] == 1 &&
                    a.gradStrides[3] == 1 && a.resultStrides[3] == 1 &&
                    (!a.mask || a.maskStrides[3] == 1);
  if (a.mask)
    return unit ? runImages<T, true, true>(a, first, last)
                : runImages<T, true, false>(a, first, last);
  return unit ? runImages<T, false, true>(a, first, last)
              : runImages<T, false, false>(a, first, last);
}

} // namespace

bool runMaxPool2DBackward(const MaxPool2DBackwardArgs &a, std::string &error) {
  void (*run)(const MaxPool2DBackwardArgs &, int64_t, int64_t);
  switch (a.dtype) {
  case plan::DType::F32:
    run = runTyped<float>;
    break;
  case plan::DType::F64:
    run = runTyped<double>;
    break;
  default:
    error = fmt::format("max-pool backward does not support element type {}",
                        static_cast<int>(a.dtype));
    return false;
  }
  const int64_t elements = a.n * a.oh * a.ow * a.c * a.kh * a.kw;
  int threads =
      a.numThreads > 0
          ? a.numThreads
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (elements < kMinElementsToSplit)
    threads = 1;
  threads =
      static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, a.n)));
  return runThreadParts(
      threads,
      [&](int t, std::string &) {
        run(a, a.n * t / threads, a.n * (t + 1) / threads);
        return true;
      },
      error);
}

} // namespace ipuc::kernels
