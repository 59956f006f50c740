//===- MaxPoolBackwardVerifier.cpp - Checks of the max-pool gradient ------===//
//
// The host's MaxPool2DBackward kernel addresses five tensors through
// strides it trusts: every element it reads or writes must lie inside its
// tensor, and the result must be written one element per index (its
// batch is split over threads, so an overlap would be a race).
//
//===----------------------------------------------------------------------===//

#include "SemanticVerifier.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <utility>

namespace ipuc::plan::detail {

bool SemanticVerifier::checkMaxPoolBackward(const std::string &where,
                                            const MaxPool2DBackward &p) {
  if (scope)
    return fail(where + ": max-pool backward is a host-only kernel");
  const bool masked = p.mask() >= 0;
  if (!checkTensorIndex(where, "input", p.input()) ||
      !checkTensorIndex(where, "max", p.max()) ||
      !checkTensorIndex(where, "grad", p.grad()) ||
      (masked && !checkTensorIndex(where, "mask", p.mask())) ||
      !checkTensorIndex(where, "result", p.result()) ||
      !sameDType(where, p.input(), p.max()) ||
      !sameDType(where, p.input(), p.grad()) ||
      (masked && !sameDType(where, p.input(), p.mask())) ||
      !sameDType(where, p.input(), p.result()) ||
      !checkWritable(where, p.result()))
    return false;
  DType dtype = dtypeOf(p.input());
  if (dtype != DType::F32 && dtype != DType::F64)
    return fail(fmt::format("{}: max-pool backward needs f32 or f64 tensors, "
                            "not {}",
                            where, EnumNameDType(dtype)));
  for (int64_t read : {int64_t(p.input()), int64_t(p.max()), int64_t(p.grad()),
                       int64_t(p.mask())})
    if (read == p.result())
      return fail(fmt::format("{}: max-pool backward result %{} is also one "
                              "of its operands",
                              where, p.result()));
  const std::array<int64_t, 6> dims = {p.n(), p.oh(), p.ow(),
                                       p.c(), p.kh(), p.kw()};
  if (std::any_of(dims.begin(), dims.end(), [](int64_t v) { return v < 0; }))
    return fail(where + ": negative max-pool backward size");
  const bool empty =
      std::any_of(dims.begin(), dims.end(), [](int64_t v) { return v == 0; });
  // Each operand's furthest element, from its non-negative strides over the
  // first `rank` of the six indices.
  auto reach = [&](const char *what, uint32_t tensor,
                   const flatbuffers::Vector<int64_t> *strides, size_t rank) {
    if (!strides || strides->size() != rank)
      return fail(fmt::format("{}: max-pool backward {} needs {} strides, "
                              "has {}",
                              where, what, rank,
                              strides ? strides->size() : 0));
    I128 last = 0;
    for (size_t d = 0; d < rank; ++d) {
      if (strides->Get(d) < 0)
        return fail(fmt::format("{}: max-pool backward {} has a negative "
                                "stride {} for index {}",
                                where, what, strides->Get(d), d));
      last += static_cast<I128>(strides->Get(d)) *
              std::max<int64_t>(dims[d] - 1, 0);
    }
    return empty || checkSpan(where, what, tensor, last + 1);
  };
  if (!reach("input", p.input(), p.input_strides(), 6) ||
      !reach("max", p.max(), p.max_strides(), 4) ||
      !reach("grad", p.grad(), p.grad_strides(), 4) ||
      (masked && !reach("mask", p.mask(), p.mask_strides(), 6)) ||
      !reach("result", p.result(), p.result_strides(), 6))
    return false;
  if (empty)
    return true;
  // One result element per index: sorted by stride, each index must step
  // past everything the smaller strides span (indices of extent 1 never
  // step).
  std::array<std::pair<int64_t, int64_t>, 6> steps;
  for (int d = 0; d < 6; ++d)
    steps[d] = {p.result_strides()->Get(d), dims[d]};
  std::sort(steps.begin(), steps.end());
  I128 span = 1;
  for (auto [stride, extent] : steps) {
    if (extent == 1)
      continue;
    if (stride < span)
      return fail(fmt::format("{}: max-pool backward result strides [{}] "
                              "write some elements twice",
                              where, fmt::join(*p.result_strides(), ", ")));
    span = static_cast<I128>(stride) * extent;
  }
  return true;
}

} // namespace ipuc::plan::detail
