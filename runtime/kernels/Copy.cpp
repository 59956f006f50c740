//===- Copy.cpp - Strided box copy and fill -------------------------------===//

#include "ipuc/kernels/Copy.h"
#include "ipuc/kernels/Half.h"
#include "ipuc/plan/Plan.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace ipuc::kernels {

namespace {
struct Dim {
  int64_t size, src, dst;
};

template <size_t N>
void copyRun(const uint8_t *s, uint8_t *d, int64_t n, int64_t ss, int64_t ds) {
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(d + i * ds * N, s + i * ss * N, N);
}
} // namespace

void runCopy(const void *src, void *dst, size_t elemSize, int rank,
             const int64_t *sizes, int64_t srcOffset,
             const int64_t *srcStrides, int64_t dstOffset,
             const int64_t *dstStrides) {
  // Drop size-1 dims and merge dims that are contiguous in both source and
  // destination, so most reshapes and slices become a few long memcpys.
  std::vector<Dim> dims;
  for (int d = 0; d < rank; ++d) {
    if (sizes[d] == 0)
      return;
    if (sizes[d] == 1)
      continue;
    Dim cur{sizes[d], srcStrides[d], dstStrides[d]};
    if (!dims.empty() && dims.back().src == cur.src * cur.size &&
        dims.back().dst == cur.dst * cur.size) {
      dims.back() = {dims.back().size * cur.size, cur.src, cur.dst};
      continue;
    }
    dims.push_back(cur);
  }
  const uint8_t *s = static_cast<const uint8_t *>(src) + srcOffset * elemSize;
  uint8_t *d = static_cast<uint8_t *>(dst) + dstOffset * elemSize;
  if (dims.empty()) {
    std::memcpy(d, s, elemSize);
    return;
  }
  Dim inner = dims.back();
  dims.pop_back();
  auto innerCopy = [&](const uint8_t *sp, uint8_t *dp) {
    if (inner.src == 1 && inner.dst == 1) {
      std::memcpy(dp, sp, inner.size * elemSize);
      return;
    }
    switch (elemSize) {
    case 1: return copyRun<1>(sp, dp, inner.size, inner.src, inner.dst);
    case 2: return copyRun<2>(sp, dp, inner.size, inner.src, inner.dst);
    case 4: return copyRun<4>(sp, dp, inner.size, inner.src, inner.dst);
    case 8: return copyRun<8>(sp, dp, inner.size, inner.src, inner.dst);
    default:
      for (int64_t i = 0; i < inner.size; ++i)
        std::memcpy(dp + i * inner.dst * elemSize,
                    sp + i * inner.src * elemSize, elemSize);
    }
  };
  std::vector<int64_t> idx(dims.size(), 0);
  while (true) {
    int64_t so = 0, dO = 0;
    for (size_t k = 0; k < dims.size(); ++k) {
      so += idx[k] * dims[k].src;
      dO += idx[k] * dims[k].dst;
    }
    innerCopy(s + so * int64_t(elemSize), d + dO * int64_t(elemSize));
    size_t k = dims.size();
    while (k > 0) {
      --k;
      if (++idx[k] < dims[k].size)
        break;
      idx[k] = 0;
      if (k == 0)
        return;
    }
    if (dims.empty())
      return;
  }
}

namespace {
template <typename T> void fillWith(void *dst, int64_t count, T v) {
  std::fill_n(static_cast<T *>(dst), count, v);
}
} // namespace

void runFill(void *dst, plan::DType dtype, int64_t count, double fimm,
             int64_t iimm) {
  using plan::DType;
  switch (dtype) {
  case DType::F32: return fillWith<float>(dst, count, float(fimm));
  case DType::F64: return fillWith<double>(dst, count, fimm);
  case DType::F16: return fillWith<uint16_t>(dst, count, floatToHalf(float(fimm)));
  case DType::BF16: return fillWith<uint16_t>(dst, count, floatToBf16(float(fimm)));
  case DType::I1: return fillWith<uint8_t>(dst, count, uint8_t(iimm & 1));
  case DType::I8: return fillWith<int8_t>(dst, count, int8_t(iimm));
  case DType::I16: return fillWith<int16_t>(dst, count, int16_t(iimm));
  case DType::I32: return fillWith<int32_t>(dst, count, int32_t(iimm));
  case DType::I64: return fillWith<int64_t>(dst, count, iimm);
  }
}

} // namespace ipuc::kernels
