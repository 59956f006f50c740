//===- PlanWriting.cpp - Pieces every plan writer needs -------------------===//

#include "compiler/Plan/PlanWriting.h"

#include "ipuc/plan/Plan.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

namespace ipuc {

using plan::DType;

LogicalResult getConstantBytes(Attribute attr, ShapedType type, DType dtype,
                               Operation *at, std::vector<uint8_t> &out) {
  int64_t count = type.getNumElements();
  size_t size = plan::dtypeSize(dtype);
  out.clear();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return at->emitError() << "constant resource '"
                             << resource.getRawHandle().getKey()
                             << "' has no data";
    ArrayRef<char> data = blob->getData();
    if (data.size() != count * size)
      return at->emitError() << "constant resource holds " << data.size()
                             << " bytes, expected " << count * size;
    out.assign(data.begin(), data.end());
    return success();
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return at->emitError() << "unsupported constant attribute";
  if (dtype == DType::I1) {
    out.reserve(count);
    for (bool value : dense.getValues<bool>())
      out.push_back(value ? 1 : 0);
    return success();
  }
  ArrayRef<char> raw = dense.getRawData();
  if (dense.isSplat()) {
    if (raw.size() != size)
      return at->emitError() << "unexpected splat constant layout";
    out.resize(count * size);
    for (int64_t i = 0; i < count; ++i)
      std::memcpy(out.data() + i * size, raw.data(), size);
    return success();
  }
  if (raw.size() != count * size)
    return at->emitError() << "constant holds " << raw.size()
                           << " bytes, expected " << count * size;
  out.assign(raw.begin(), raw.end());
  return success();
}


flatbuffers::Offset<plan::Device>
createDeviceTable(flatbuffers::FlatBufferBuilder &fbb,
                  const DeviceDescription &d) {
  return plan::CreateDeviceDirect(
      fbb, d.name.c_str(), d.numChips, d.tilesPerChip, d.sramBytesPerTile,
      d.clockHz, d.workersPerTile, d.fp32MatmulFlopsPerCycle,
      d.fp16MatmulFlopsPerCycle, d.elementwiseF32PerCycle,
      d.exchangeBytesPerCycle, d.syncCycles, d.chipLinks, d.chipLinkGbitPerS,
      d.chipLinkEfficiency);
}

void finishPlan(flatbuffers::FlatBufferBuilder &fbb, const PlanOptions &options,
                const char *target, const DeviceDescription &device,
                const std::vector<flatbuffers::Offset<plan::Tensor>> &tensors,
                const PlanBindingList &inputs, const PlanBindingList &outputs,
                const std::vector<flatbuffers::Offset<plan::Kernel>> *hostProgram,
                flatbuffers::Offset<plan::TileProgram> tileProgram) {
  auto makeBindings = [&](const PlanBindingList &bindings) {
    std::vector<flatbuffers::Offset<plan::Binding>> offsets;
    for (const auto &[name, tensor] : bindings)
      offsets.push_back(plan::CreateBindingDirect(fbb, name.c_str(), tensor));
    return offsets;
  };
  auto inputBindings = makeBindings(inputs);
  auto outputBindings = makeBindings(outputs);
  auto deviceTable = createDeviceTable(fbb, device);
  std::string producer =
      options.producer.empty() ? defaultProducer() : options.producer;
  flatbuffers::Offset<plan::Training> training;
  if (!options.optimizer.empty()) {
    std::vector<flatbuffers::Offset<plan::TrainedParameter>> parameters;
    for (const auto &[name, state] : options.trainedParameters) {
      std::vector<flatbuffers::Offset<flatbuffers::String>> names;
      for (const std::string &s : state)
        names.push_back(fbb.CreateString(s));
      parameters.push_back(
          plan::CreateTrainedParameterDirect(fbb, name.c_str(), &names));
    }
    training = plan::CreateTrainingDirect(
        fbb, options.optimizer.c_str(), options.lr, options.lrSchedule.c_str(),
        options.warmup, options.lrStepSize, options.lrGamma, options.lrMin,
        options.totalSteps,
        options.lrInput.empty() ? nullptr : options.lrInput.c_str(),
        &parameters);
  }
  auto root = plan::CreatePlanDirect(
      fbb, plan::kFormatVersion, IPUC_PLAN_SCHEMA_HASH, producer.c_str(),
      options.source.c_str(), target, deviceTable, &tensors, &inputBindings,
      &outputBindings, hostProgram, tileProgram, training);
  plan::FinishPlanBuffer(fbb, root);
}

} // namespace ipuc
