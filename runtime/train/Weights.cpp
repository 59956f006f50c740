//===- Weights.cpp - The trained parameters as an .npz -------------------===//

#include "ipuc/train/TrainingLoop.h"

namespace ipuc::train {

std::vector<std::string> parameterNames(const StepSignature &signature) {
  std::vector<std::string> names;
  for (const host::BindingInfo &in : signature.carried) {
    bool isState = false;
    for (const host::BindingInfo &other : signature.carried)
      isState |=
          in.name.size() > other.name.size() + 1 &&
          in.name.compare(0, other.name.size() + 1, other.name + ".") == 0;
    if (!isState)
      names.push_back(in.name);
  }
  return names;
}

bool saveWeights(const std::string &path, const TrainState &state,
                 const StepSignature &signature, std::string &error) {
  std::vector<std::pair<std::string, support::NpyArray>> arrays;
  for (const std::string &name : parameterNames(signature))
    arrays.emplace_back(name, state.tensors.at(name));
  return support::writeNpzFile(path, arrays, error);
}

} // namespace ipuc::train
