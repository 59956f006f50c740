//===- Dataset.cpp - Batches of a .npz dataset ---------------------------===//

#include "ipuc/train/TrainingLoop.h"

#include <fmt/format.h>

#include <cstring>
#include <numeric>
#include <random>

namespace ipuc::train {

bool Dataset::init(
    std::vector<std::pair<std::string, support::NpyArray>> arrays,
    const std::vector<host::BindingInfo> &dataInputs, int64_t batch,
    bool shuffle, uint64_t seed, std::string &error) {
  batch_ = batch;
  shuffle_ = shuffle;
  seed_ = seed;
  numSamples_ = -1;
  for (const host::BindingInfo &input : dataInputs) {
    auto it = std::find_if(arrays.begin(), arrays.end(), [&](const auto &a) {
      return a.first == input.name;
    });
    if (it == arrays.end()) {
      std::string names;
      for (const auto &a : arrays)
        names += (names.empty() ? "" : ", ") + a.first;
      error = fmt::format("the dataset has no array '{}' for the plan's data "
                          "input {}; its arrays are: {}",
                          input.name, input.describe(),
                          names.empty() ? "(none)" : names);
      return false;
    }
    support::NpyArray &arr = it->second;
    plan::DType dtype;
    bool shapeOk = !arr.shape.empty() &&
                   arr.shape.size() == input.shape.size() &&
                   std::equal(arr.shape.begin() + 1, arr.shape.end(),
                              input.shape.begin() + 1);
    if (!dtypeForDescr(arr.descr, dtype) || dtype != input.dtype || !shapeOk) {
      std::string shape;
      for (int64_t d : arr.shape)
        shape += (shape.empty() ? "" : "x") + std::to_string(d);
      error = fmt::format("dataset array '{}' ({} [{}]) does not fit the "
                          "plan's input {}: expected the same dtype and "
                          "[samples, ...] with the input's trailing "
                          "dimensions",
                          input.name, arr.descr, shape, input.describe());
      return false;
    }
    if (numSamples_ >= 0 && arr.shape[0] != numSamples_) {
      error = fmt::format("dataset array '{}' has {} samples but the others "
                          "have {}",
                          input.name, arr.shape[0], numSamples_);
      return false;
    }
    numSamples_ = arr.shape[0];
    sampleBytes_.push_back(arr.shape[0] ? arr.data.size() / arr.shape[0] : 0);
    arrays_.push_back(std::move(arr));
  }
  if (numSamples_ < 0)
    numSamples_ = batch; // a step without data inputs
  if (numSamples_ < batch) {
    error = fmt::format("the dataset has {} samples, fewer than one batch "
                        "of {}",
                        numSamples_, batch);
    return false;
  }
  return true;
}

std::vector<int64_t> Dataset::batchSamples(int64_t step) const {
  int64_t perEpoch = batchesPerEpoch();
  int64_t epoch = step / perEpoch, first = (step % perEpoch) * batch_;
  std::vector<int64_t> order(numSamples_);
  std::iota(order.begin(), order.end(), 0);
  if (shuffle_) {
    // Fisher-Yates with a fixed generator, so the permutation is the same
    // with every standard library (std::shuffle's algorithm is not fixed).
    std::mt19937_64 rng(seed_ * 0x9E3779B97F4A7C15ull + uint64_t(epoch));
    for (int64_t i = numSamples_ - 1; i > 0; --i)
      std::swap(order[i], order[rng() % uint64_t(i + 1)]);
  }
  return {order.begin() + first, order.begin() + first + batch_};
}

std::vector<uint8_t>
Dataset::gather(size_t index, const std::vector<int64_t> &samples) const {
  size_t n = sampleBytes_[index];
  std::vector<uint8_t> out(n * samples.size());
  for (size_t i = 0; i < samples.size(); ++i)
    std::memcpy(out.data() + i * n, arrays_[index].data.data() + samples[i] * n,
                n);
  return out;
}

} // namespace ipuc::train
