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

FailureOr<size_t> getConstantByteSize(Attribute attr, ShapedType type,
                                      DType dtype, Operation *at) {
  int64_t count = type.getNumElements();
  size_t size = plan::dtypeSize(dtype);
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return at->emitError() << "constant resource '"
                             << resource.getRawHandle().getKey()
                             << "' has no data";
    size_t bytes = blob->getData().size();
    if (bytes != count * size)
      return at->emitError() << "constant resource holds " << bytes
                             << " bytes, expected " << count * size;
    return bytes;
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return at->emitError() << "unsupported constant attribute";
  if (dtype == DType::I1)
    return size_t(count);
  size_t raw = dense.getRawData().size();
  if (dense.isSplat()) {
    if (raw != size)
      return at->emitError() << "unexpected splat constant layout";
    return count * size;
  }
  if (raw != count * size)
    return at->emitError() << "constant holds " << raw << " bytes, expected "
                           << count * size;
  return raw;
}

void writeConstantBytes(Attribute attr, ShapedType type, DType dtype,
                        uint8_t *out) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    ArrayRef<char> data = resource.getRawHandle().getBlob()->getData();
    std::memcpy(out, data.data(), data.size());
    return;
  }
  auto dense = cast<DenseElementsAttr>(attr);
  if (dtype == DType::I1) {
    for (bool value : dense.getValues<bool>())
      *out++ = value ? 1 : 0;
    return;
  }
  ArrayRef<char> raw = dense.getRawData();
  if (dense.isSplat()) {
    int64_t count = type.getNumElements();
    for (int64_t i = 0; i < count; ++i)
      std::memcpy(out + i * raw.size(), raw.data(), raw.size());
    return;
  }
  std::memcpy(out, raw.data(), raw.size());
}

LogicalResult getConstantBytes(Attribute attr, ShapedType type, DType dtype,
                               Operation *at, std::vector<uint8_t> &out) {
  out.clear();
  FailureOr<size_t> bytes = getConstantByteSize(attr, type, dtype, at);
  if (failed(bytes))
    return failure();
  out.resize(*bytes);
  writeConstantBytes(attr, type, dtype, out.data());
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
