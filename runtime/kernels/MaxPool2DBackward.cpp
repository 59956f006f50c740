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

/// Images [first, last). `Unit`: every operand's channel stride is 1.
template <typename T, bool Masked, bool Unit>
void runImages(const MaxPool2DBackwardArgs &a, int64_t first, int64_t last) {
  const T *x = static_cast<const T *>(a.input);
  const T *m = static_cast<const T *>(a.max);
  const T *g = static_cast<const T *>(a.grad);
  const T *k = static_cast<const T *>(a.mask);
  T *r = static_cast<T *>(a.result);
  const int64_t *xs = a.inputStrides, *ms = a.maxStrides, *gs = a.gradStrides,
                *ks = a.maskStrides, *rs = a.resultStrides;
  for (int64_t n = first; n < last; ++n)
    for (int64_t oh = 0; oh < a.oh; ++oh)
      for (int64_t kh = 0; kh < a.kh; ++kh)
        for (int64_t ow = 0; ow < a.ow; ++ow) {
          const T *__restrict mp = m + n * ms[0] + oh * ms[1] + ow * ms[2];
          const T *__restrict gp = g + n * gs[0] + oh * gs[1] + ow * gs[2];
          for (int64_t kw = 0; kw < a.kw; ++kw) {
            auto fine = [&](const int64_t *s) {
              return n * s[0] + oh * s[1] + ow * s[2] + kh * s[4] + kw * s[5];
            };
            const T *__restrict xp = x + fine(xs);
            const T *__restrict kp = Masked ? k + fine(ks) : nullptr;
            T *__restrict rp = r + fine(rs);
            const int64_t xc = Unit ? 1 : xs[3], mc = Unit ? 1 : ms[3],
                          gc = Unit ? 1 : gs[3], kc = Unit ? 1 : ks[3],
                          rc = Unit ? 1 : rs[3];
            // Written as the Generic's body: 0 * inf is NaN and 0 * -g is
            // -0 here as there.
            for (int64_t c = 0; c < a.c; ++c) {
              T v = (xp[c * xc] == mp[c * mc] ? T(1) : T(0)) * gp[c * gc];
              if constexpr (Masked)
                v = v * (kp[c * kc] >= T(0) ? T(1) : T(0));
              rp[c * rc] = v;
            }
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
