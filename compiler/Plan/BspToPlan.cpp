//===- BspToPlan.cpp - bsp.program -> FlatBuffers tile program -----------===//
//
// Codelet operands are the vertex's boxes in order (inputs then outputs),
// each handed to the kernel as a contiguous row-major array shaped like the
// box; Generic operand strides and offsets are therefore folded with the box
// sizes, not with the tensor's shape.
//
//===----------------------------------------------------------------------===//

#include "compiler/Plan/BspToPlan.h"
#include "compiler/Plan/BodyCompiler.h"
#include "compiler/Plan/GenericCodelet.h"
#include "compiler/Plan/HostPlanSupport.h"
#include "compiler/Plan/LocationString.h"
#include "compiler/Plan/PlanWriting.h"
#include "compiler/Plan/RecentVtables.h"
#include "compiler/Plan/StepReruns.h"
#include "compiler/Plan/TileImage.h"

#include "ipuc/plan/Plan.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Allocator.h"

#include <cstring>
#include <map>

using namespace mlir;
namespace fb = flatbuffers;
namespace plan = ipuc::plan;
namespace bsp = ipuc::bsp;
using ipuc::useVtableFirst;

#ifndef IPUC_VERSION
#define IPUC_VERSION "0.1.0"
#endif

bsp::DeviceAttr ipuc::getDeviceAttr(MLIRContext *context,
                                    const DeviceDescription &d) {
  return bsp::DeviceAttr::get(
      context, d.name, d.tilesPerChip, d.sramBytesPerTile,
      llvm::APFloat(d.clockHz), d.workersPerTile,
      llvm::APFloat(d.fp32MatmulFlopsPerCycle),
      llvm::APFloat(d.fp16MatmulFlopsPerCycle),
      llvm::APFloat(d.elementwiseF32PerCycle),
      llvm::APFloat(d.exchangeBytesPerCycle), d.syncCycles);
}

ipuc::DeviceDescription
ipuc::getDeviceDescription(bsp::DeviceAttr attr,
                           const DeviceDescription &base) {
  DeviceDescription d = base;
  d.name = attr.getName().str();
  d.tilesPerChip = attr.getTiles();
  d.sramBytesPerTile = attr.getSramBytes();
  d.clockHz = attr.getClockHz().convertToDouble();
  d.workersPerTile = attr.getWorkers();
  d.fp32MatmulFlopsPerCycle = attr.getFp32FlopsPerCycle().convertToDouble();
  d.fp16MatmulFlopsPerCycle = attr.getFp16FlopsPerCycle().convertToDouble();
  d.elementwiseF32PerCycle = attr.getElementwisePerCycle().convertToDouble();
  d.exchangeBytesPerCycle = attr.getExchangeBytesPerCycle().convertToDouble();
  d.syncCycles = attr.getSyncCycles();
  return d;
}

namespace {
/// An int64 vector and its hash, as the key of BspSerializer::intVectors.
struct IntsKey {
  ArrayRef<int64_t> values;
  unsigned hashValue;

  static unsigned hash(ArrayRef<int64_t> values) {
    return llvm::hash_combine_range(values.begin(), values.end());
  }
  struct Info {
    static IntsKey getEmptyKey() {
      return {llvm::DenseMapInfo<ArrayRef<int64_t>>::getEmptyKey(), 0};
    }
    static IntsKey getTombstoneKey() {
      return {llvm::DenseMapInfo<ArrayRef<int64_t>>::getTombstoneKey(), 0};
    }
    static unsigned getHashValue(const IntsKey &key) { return key.hashValue; }
    static bool isEqual(const IntsKey &a, const IntsKey &b) {
      // The empty and tombstone keys are told apart by their data pointers.
      if (a.hashValue != b.hashValue || a.values.size() != b.values.size())
        return false;
      if (a.values.data() == b.values.data())
        return true;
      return llvm::DenseMapInfo<ArrayRef<int64_t>>::isEqual(a.values, b.values);
    }
  };
};

class BspSerializer {
public:
  BspSerializer(const ipuc::PlanOptions &options, fb::FlatBufferBuilder &fbb,
                ipuc::GenericCodeletPrefetcher &codelets,
                const ipuc::StepReruns &reruns)
      : options(options), fbb(fbb), codelets(codelets), reruns(reruns) {}

  LogicalResult run(bsp::ProgramOp program);

private:
  LogicalResult addTensor(bsp::TensorOp op);
  FailureOr<std::vector<fb::Offset<plan::Step>>> serializeSteps(Block &block);
  FailureOr<fb::Offset<plan::Step>> serializeStep(Operation *op);
  FailureOr<fb::Offset<plan::Vertex>> serializeVertex(Operation *op);
  /// The table of `codelet`, shared with the vertices of equal content.
  fb::Offset<plan::Generic> createGeneric();

  /// Identical int64 vectors (box offsets and sizes, shapes, strides) are
  /// written once and shared: FlatBuffers allows any number of references to
  /// one vector, and the boxes of a big program repeat a few shapes.
  fb::Offset<fb::Vector<int64_t>> ints(ArrayRef<int64_t> values) {
    auto [it, inserted] =
        intVectors.try_emplace(IntsKey{values, IntsKey::hash(values)});
    if (!inserted)
      return it->second;
    // The key must outlive the map: it is pointed at a copy in the arena
    // (same contents, so the same hash and equality).
    int64_t *copy = intArena.Allocate<int64_t>(values.size());
    std::copy(values.begin(), values.end(), copy);
    it->first.values = ArrayRef<int64_t>(copy, values.size());
    it->second = fbb.CreateVector(copy, values.size());
    return it->second;
  }
  fb::Offset<plan::Box> makeBox(Value value, Attribute attr) {
    // Box attributes are uniqued, so their vectors are found by pointer
    // first: hashing and comparing the int64 contents of every box of a
    // million-vertex program was a large part of serialization. The vectors
    // are still created in first-use order, so the bytes are unchanged.
    auto [it, inserted] = boxVectors.try_emplace(attr);
    if (inserted) {
      auto box = cast<bsp::BoxAttr>(attr);
      it->second.first = ints(box.getOffsets());
      it->second.second = ints(box.getSizes());
    }
    return useVtableFirst(fbb,
                          plan::CreateBox(fbb, tensorIndex.lookup(value),
                                          it->second.first, it->second.second));
  }
  template <typename T>
  fb::Offset<plan::Step> makeStep(fb::Offset<T> body) {
    useVtableFirst(fbb, body);
    return useVtableFirst(
        fbb, plan::CreateStep(fbb, plan::StepBodyTraits<T>::enum_value,
                              body.Union()));
  }
  void bind(std::vector<std::pair<std::string, uint32_t>> &bindings,
            StringRef name, uint32_t tensor) {
    for (auto &binding : bindings)
      if (binding.first == name)
        return;
    bindings.emplace_back(name.str(), tensor);
  }

  const ipuc::PlanOptions &options;
  fb::FlatBufferBuilder &fbb;
  llvm::DenseMap<Value, uint32_t> tensorIndex;
  std::vector<fb::Offset<plan::Tensor>> tensors;
  std::vector<fb::Offset<plan::TensorMapping>> mappings;
  llvm::DenseMap<Attribute, fb::Offset<fb::Vector<const plan::TileInterval *>>>
      intervalVectors;
  std::vector<std::pair<std::string, uint32_t>> inputs, outputs;
  /// The shared int vectors by content. The map holds each key's hash, so
  /// that a probe compares hashes before contents (a 12-layer encoder has
  /// hundreds of thousands of distinct vectors, and comparing contents on
  /// every probe showed in profiles), and the contents live in one arena
  /// rather than a heap vector each.
  llvm::DenseMap<IntsKey, fb::Offset<fb::Vector<int64_t>>, IntsKey::Info>
      intVectors;
  llvm::BumpPtrAllocator intArena;
  llvm::DenseMap<Attribute, std::pair<fb::Offset<fb::Vector<int64_t>>,
                                      fb::Offset<fb::Vector<int64_t>>>>
      boxVectors;
  /// Generic codelets by content: the vertices of one op on equally sized
  /// boxes share one table instead of each carrying the scalar program.
  /// Hashed rather than ordered: the keys are long and share prefixes, so a
  /// tree lookup compared many bytes per vertex. Only looked up, never
  /// iterated, so the plan does not depend on the order. The hash comes
  /// with the key from the prefetcher's thread. A key is copied into the
  /// arena only when it is new: most vertices share a codelet, and taking
  /// each one's key into the map (to free it on a hit) made the prefetcher
  /// allocate it anew for every vertex.
  struct GenericKey {
    StringRef bytes;
    size_t hash;
    struct Info {
      static GenericKey getEmptyKey() {
        return {llvm::DenseMapInfo<StringRef>::getEmptyKey(), 0};
      }
      static GenericKey getTombstoneKey() {
        return {llvm::DenseMapInfo<StringRef>::getTombstoneKey(), 0};
      }
      static unsigned getHashValue(const GenericKey &key) {
        return static_cast<unsigned>(key.hash);
      }
      static bool isEqual(const GenericKey &a, const GenericKey &b) {
        // The empty and tombstone keys are told apart by their data pointers.
        if (a.hash != b.hash || a.bytes.size() != b.bytes.size())
          return false;
        if (a.bytes.data() == b.bytes.data())
          return true;
        return llvm::DenseMapInfo<StringRef>::isEqual(a.bytes, b.bytes);
      }
    };
  };
  llvm::DenseMap<GenericKey, fb::Offset<plan::Generic>, GenericKey::Info>
      generics;
  llvm::BumpPtrAllocator genericArena;
  /// The operands of the vertex being serialized, reused from vertex to
  /// vertex.
  std::vector<fb::Offset<plan::Box>> operands;
  /// The generic vertices' codelets, in the order serializeSteps meets them.
  ipuc::GenericCodeletPrefetcher &codelets;
  /// The content of the generic vertex being serialized, reused so its
  /// buffers are too.
  ipuc::GenericCodelet codelet;
  /// The mapped constants, written into the tile image.
  ipuc::TileImageWriter image;
  /// The steps written as reruns of earlier ones (StepReruns.h).
  const ipuc::StepReruns &reruns;
};
} // namespace

LogicalResult BspSerializer::addTensor(bsp::TensorOp op) {
  std::optional<plan::DType> dtype =
      ipuc::getPlanDType(op.getType().getElementType());
  if (!dtype)
    return op.emitOpError() << "element type " << op.getType().getElementType()
                            << " has no plan dtype";
  uint32_t index = tensors.size();
  tensorIndex[op.getResult()] = index;
  // The tensor's data: its value, or a training loop's carried input's
  // initial value. Checked here, written straight into the builder below.
  Attribute data;
  ShapedType dataType;
  if (std::optional<ElementsAttr> value = op.getValue()) {
    data = *value;
    dataType = value->getShapedType();
  } else if (op.getRole() == bsp::TensorRole::input) {
    auto initial = options.initialValues.find(op.getName().str());
    if (initial != options.initialValues.end()) {
      data = initial->second;
      dataType = op.getType();
    }
  }
  FailureOr<size_t> dataBytes = size_t(0);
  if (data)
    dataBytes = ipuc::getConstantByteSize(data, dataType, *dtype, op);
  if (failed(dataBytes))
    return failure();
  auto name = fbb.CreateString(op.getName().str());
  auto shape = ints(op.getType().getShape());
  fb::Offset<fb::Vector<uint8_t>> dataOffset;
  // A mapped constant lives in the tile image (TileImage.h), not in its data.
  if (data && op.getRole() == bsp::TensorRole::constant &&
      !op.getMapping().empty()) {
    image.add(data, dataType, *dtype, *dataBytes,
              op.getMapping().getIntervals());
  } else if (data) {
    fbb.ForceVectorAlignment(*dataBytes, sizeof(uint8_t), 16);
    uint8_t *bytes;
    dataOffset = fbb.CreateUninitializedVector(*dataBytes, &bytes);
    if (*dataBytes)
      ipuc::writeConstantBytes(data, dataType, *dtype, bytes);
  }
  tensors.push_back(plan::CreateTensor(
      fbb, name, *dtype, shape,
      static_cast<plan::TensorRole>(op.getRole()), dataOffset));
  // A tensor without elements has an empty mapping, still recorded so that
  // it can be bound to a plan input or output.
  bool empty = llvm::is_contained(op.getType().getShape(), int64_t(0));
  if (!op.getMapping().empty() || empty) {
    // Tensors of one mapping (MappingAttr is uniqued) share its intervals:
    // the activations of a model's repeated layers have the same few
    // mappings, and a 12-layer encoder's 6 000 mappings are 441 distinct.
    auto [it, inserted] = intervalVectors.try_emplace(op.getMapping());
    if (inserted) {
      std::vector<plan::TileInterval> intervals;
      intervals.reserve(op.getMapping().size());
      for (const bsp::Interval &iv : op.getMapping())
        intervals.emplace_back(iv.tile, iv.begin, iv.end, iv.address);
      it->second = fbb.CreateVectorOfStructs(intervals);
    }
    mappings.push_back(plan::CreateTensorMapping(fbb, index, it->second));
  }
  return success();
}

fb::Offset<plan::Generic> BspSerializer::createGeneric() {
  auto [it, inserted] =
      generics.try_emplace(GenericKey{codelet.key, codelet.hash});
  if (!inserted)
    return it->second;
  // The key must outlive the map: it is pointed at a copy in the arena
  // (same contents, so the same hash and equality).
  char *copy = genericArena.Allocate<char>(codelet.key.size());
  std::memcpy(copy, codelet.key.data(), codelet.key.size());
  it->first.bytes = StringRef(copy, codelet.key.size());
  std::vector<fb::Offset<plan::Operand>> inputOperands, outputOperands;
  for (auto [i, f] : llvm::enumerate(codelet.folded)) {
    auto strides = ints(f.strides);
    auto operand =
        useVtableFirst(fbb, plan::CreateOperand(fbb, i, f.offset, strides));
    (i < codelet.numInputs ? inputOperands : outputOperands).push_back(operand);
  }
  it->second = plan::CreateGeneric(
      fbb, ints(codelet.loopBounds), fbb.CreateVector(codelet.reductionDims),
      fbb.CreateVector(inputOperands), fbb.CreateVector(outputOperands),
      fbb.CreateVector(codelet.inits), fbb.CreateVector(codelet.captured),
      fbb.CreateVectorOfStructs(codelet.body.program),
      codelet.body.numRegisters);
  return it->second;
}

FailureOr<fb::Offset<plan::Vertex>>
BspSerializer::serializeVertex(Operation *op) {
  // Operands 0..n-1 of the codelet are the boxes, inputs then outputs.
  operands.clear();
  // Boxes as a plain list: the generic vertex's are slices of its box
  // array, which are not rebuilt as attributes for every vertex.
  auto addBoxes = [&](ValueRange values, ArrayRef<Attribute> boxes) {
    for (auto [value, box] : llvm::zip(values, boxes))
      operands.push_back(makeBox(value, box));
  };
  // Not through addBoxes' ArrayRef directly: an ArrayAttr is an Attribute,
  // and would become a one-element list of itself.
  auto addBoxArray = [&](ValueRange values, ArrayAttr boxes) {
    addBoxes(values, boxes.getValue());
  };
  int64_t tile = 0;
  double flops = 0;
  plan::KernelBody kind = plan::KernelBody::NONE;
  fb::Offset<void> body;
  LogicalResult result =
      llvm::TypeSwitch<Operation *, LogicalResult>(op)
          .Case([&](bsp::GenericVertexOp v) -> LogicalResult {
            tile = v.getTile();
            // The codelet's content first, which counts the element inputs;
            // the boxes' tables are still created before the codelet's.
            if (failed(codelets.take(v, codelet)))
              return failure();
            unsigned elementInputs = codelet.numInputs;
            ArrayRef<Attribute> inBoxes = v.getInputBoxes().getValue();
            addBoxes(v.getInputs().take_front(elementInputs),
                     inBoxes.take_front(elementInputs));
            addBoxArray(v.getOutputs(), v.getOutputBoxes());
            addBoxes(v.getInputs().drop_front(elementInputs),
                     inBoxes.drop_front(elementInputs));
            flops = codelet.flops;
            kind = plan::KernelBody::Generic;
            body = createGeneric().Union();
            return success();
          })
          .Case([&](bsp::MatMulVertexOp v) {
            tile = v.getTile();
            addBoxArray(v.getInputs(), v.getInputBoxes());
            addBoxArray(v.getOutputs(), v.getOutputBoxes());
            int64_t m, n, k;
            v.getSizes(m, n, k);
            flops = 2.0 * m * n * k;
            kind = plan::KernelBody::MatMul;
            body = useVtableFirst(
                       fbb,
                       plan::CreateMatMul(fbb, 0, 1, v.getAccumulate() ? 2 : -1,
                                          2, 1, m, n, k, v.getTransposeLhs(),
                                          v.getTransposeRhs(), 0, 0))
                       .Union();
            return success();
          })
          .Case([&](bsp::Conv2DVertexOp v) {
            tile = v.getTile();
            addBoxArray(v.getInputs(), v.getInputBoxes());
            addBoxArray(v.getOutputs(), v.getOutputBoxes());
            auto sizes = [&](ArrayAttr boxes) {
              return cast<bsp::BoxAttr>(boxes[0]).getSizes();
            };
            ArrayRef<int64_t> in = sizes(v.getInputBoxes());
            ArrayRef<int64_t> filter =
                cast<bsp::BoxAttr>(v.getInputBoxes()[1]).getSizes();
            ArrayRef<int64_t> out = sizes(v.getOutputBoxes());
            SmallVector<int64_t> s{1, 1}, d{1, 1};
            if (auto strides = v.getStrides())
              s.assign(strides->begin(), strides->end());
            if (auto dilations = v.getDilations())
              d.assign(dilations->begin(), dilations->end());
            flops = 2.0 * out[0] * out[1] * out[2] * out[3] * filter[1] *
                    filter[2] * filter[3];
            kind = plan::KernelBody::Conv2D;
            body = plan::CreateConv2D(fbb, 0, 1, v.getAccumulate() ? 2 : -1, 2,
                                      in[0], in[1], in[2], in[3], filter[0],
                                      filter[1], filter[2], out[1], out[2],
                                      s[0], s[1], d[0], d[1], v.getGroups())
                       .Union();
            return success();
          })
          .Case([&](bsp::CopyVertexOp v) {
            tile = v.getTile();
            addBoxArray(v.getInputs(), v.getInputBoxes());
            addBoxArray(v.getOutputs(), v.getOutputBoxes());
            // Both operands are contiguous row-major arrays of the same
            // length, so the copy is one flat run.
            std::vector<int64_t> sizes{
                cast<bsp::BoxAttr>(v.getInputBoxes()[0]).getNumElements()};
            std::vector<int64_t> unit{1};
            kind = plan::KernelBody::Copy;
            body = plan::CreateCopyDirect(fbb, 0, 1, &sizes, 0, &unit, 0, &unit)
                       .Union();
            return success();
          })
          .Case([&](bsp::FillVertexOp v) {
            tile = v.getTile();
            addBoxArray(v.getOutputs(), v.getOutputBoxes());
            double fimm = 0;
            int64_t iimm = 0;
            if (auto f = dyn_cast<FloatAttr>(v.getValue()))
              fimm = f.getValueAsDouble();
            if (auto i = dyn_cast<IntegerAttr>(v.getValue()))
              iimm = i.getType().isInteger(1) ? (int64_t)i.getValue().getZExtValue()
                                             : i.getValue().getSExtValue();
            kind = plan::KernelBody::Fill;
            body = useVtableFirst(fbb, plan::CreateFill(fbb, 0, fimm, iimm))
                       .Union();
            return success();
          })
          .Default([](Operation *other) {
            return other->emitOpError("is not a vertex");
          });
  if (failed(result))
    return failure();
  if (auto attr = op->getAttrOfType<FloatAttr>("flops"))
    flops = attr.getValueAsDouble();
  auto operandsOffset = fbb.CreateVector(operands);
  return useVtableFirst(
      fbb, plan::CreateVertex(fbb, tile, operandsOffset, kind, body, flops));
}

FailureOr<fb::Offset<plan::Step>> BspSerializer::serializeStep(Operation *op) {
  std::string loc = ipuc::formatLocation(op->getLoc());
  if (auto found = reruns.find(op); found != reruns.end()) {
    std::vector<std::pair<uint32_t, uint32_t>> renames;
    for (auto [from, to] : found->second.renames)
      renames.emplace_back(tensorIndex.lookup(from), tensorIndex.lookup(to));
    llvm::sort(renames);
    std::vector<uint32_t> from, to;
    for (auto [f, t] : renames) {
      from.push_back(f);
      to.push_back(t);
    }
    StringRef name = cast<StringAttr>(op->getAttr("name")).getValue();
    return makeStep(plan::CreateRerunDirect(fbb, name.str().c_str(),
                                            loc.c_str(), found->second.target,
                                            &from, &to));
  }
  if (auto cs = dyn_cast<bsp::ComputeSetOp>(op)) {
    std::vector<fb::Offset<plan::Vertex>> vertices;
    for (Operation &vertex : cs.getBody().front()) {
      FailureOr<fb::Offset<plan::Vertex>> offset = serializeVertex(&vertex);
      if (failed(offset))
        return failure();
      vertices.push_back(*offset);
    }
    return makeStep(plan::CreateComputeSetDirect(
        fbb, cs.getName().str().c_str(), loc.c_str(), &vertices));
  }
  if (auto exchange = dyn_cast<bsp::ExchangeOp>(op)) {
    std::vector<fb::Offset<plan::ExchangeCopy>> copies;
    for (auto copy : exchange.getBody().front().getOps<bsp::CopyOp>()) {
      auto src = makeBox(copy.getSrc(), copy.getSrcBox());
      auto dst = makeBox(copy.getDst(), copy.getDstBox());
      fb::Offset<fb::Vector<int64_t>> perm;
      if (std::optional<ArrayRef<int64_t>> p = copy.getPerm())
        perm = fbb.CreateVector(p->data(), p->size());
      copies.push_back(
          useVtableFirst(fbb, plan::CreateExchangeCopy(fbb, src, dst, perm)));
    }
    return makeStep(plan::CreateExchangeDirect(
        fbb, exchange.getName().str().c_str(), loc.c_str(), &copies));
  }
  if (auto repeat = dyn_cast<bsp::RepeatOp>(op)) {
    FailureOr<std::vector<fb::Offset<plan::Step>>> body =
        serializeSteps(repeat.getBody().front());
    if (failed(body))
      return failure();
    return makeStep(plan::CreateRepeatDirect(fbb, repeat.getCount(), &*body));
  }
  if (auto write = dyn_cast<bsp::HostWriteOp>(op)) {
    uint32_t tensor = tensorIndex.lookup(write.getTensor());
    bind(inputs, write.getBinding(), tensor);
    return makeStep(plan::CreateHostWriteDirect(
        fbb, write.getBinding().str().c_str(), tensor));
  }
  if (auto read = dyn_cast<bsp::HostReadOp>(op)) {
    uint32_t tensor = tensorIndex.lookup(read.getTensor());
    bind(outputs, read.getBinding(), tensor);
    return makeStep(plan::CreateHostReadDirect(
        fbb, read.getBinding().str().c_str(), tensor));
  }
  return op->emitOpError() << "cannot be serialized as a step of the tile "
                              "program";
}

FailureOr<std::vector<fb::Offset<plan::Step>>>
BspSerializer::serializeSteps(Block &block) {
  std::vector<fb::Offset<plan::Step>> steps;
  for (Operation &op : block) {
    // Tensors are declarations; a sync is implied before every exchange.
    if (isa<bsp::TensorOp, bsp::SyncOp>(op))
      continue;
    FailureOr<fb::Offset<plan::Step>> step = serializeStep(&op);
    if (failed(step))
      return failure();
    steps.push_back(*step);
  }
  return steps;
}

/// The generic vertices of `block`'s steps, in the order serializeSteps
/// meets them.
static void
collectGenericVertices(Block &block, const ipuc::StepReruns &reruns,
                       std::vector<bsp::GenericVertexOp> &vertices) {
  for (Operation &op : block) {
    if (reruns.count(&op))
      continue;
    if (auto cs = dyn_cast<bsp::ComputeSetOp>(op)) {
      for (Operation &vertex : cs.getBody().front())
        if (auto generic = dyn_cast<bsp::GenericVertexOp>(vertex))
          vertices.push_back(generic);
    } else if (auto repeat = dyn_cast<bsp::RepeatOp>(op)) {
      collectGenericVertices(repeat.getBody().front(), reruns, vertices);
    }
  }
}

/// The runtime needs every operand on its vertex's tile.
static LogicalResult checkNoRemoteOperands(bsp::ProgramOp program) {
  if (program.getRemoteOperands())
    return program.emitOpError()
           << "has vertices reading boxes on other tiles ('remote_operands'); "
              "run ipuc-insert-exchanges before writing a plan";
  return success();
}

/// Starts preparing the generic codelets of `program` on another thread, in
/// the order serializeSteps meets them (program order, repeat bodies in
/// place), before anything else of the plan: the serializer's first steps
/// (the builder's size, the tensors and their data) then run beside it.
static ipuc::GenericCodeletPrefetcher
startCodelets(bsp::ProgramOp program, const ipuc::StepReruns &reruns) {
  std::vector<bsp::GenericVertexOp> vertices;
  collectGenericVertices(program.getBody().front(), reruns, vertices);
  return ipuc::GenericCodeletPrefetcher(program.getContext(),
                                        std::move(vertices));
}

LogicalResult BspSerializer::run(bsp::ProgramOp program) {
  Block &body = program.getBody().front();
  for (auto tensor : body.getOps<bsp::TensorOp>())
    if (failed(addTensor(tensor)))
      return failure();
  for (Operation &op : body)
    for (Value operand : op.getOperands())
      if (isa<bsp::BufferType>(operand.getType()) &&
          !tensorIndex.count(operand))
        return op.emitOpError()
               << "uses a buffer not defined by a bsp.tensor of the program";
  FailureOr<std::vector<fb::Offset<plan::Step>>> steps = serializeSteps(body);
  if (failed(steps))
    return failure();
  auto tileImage = image.write(fbb);
  auto tileProgram =
      plan::CreateTileProgramDirect(fbb, &mappings, &*steps, tileImage);

  ipuc::DeviceDescription d =
      ipuc::getDeviceDescription(program.getDevice(), options.device);
  ipuc::finishPlan(fbb, options, "ipu", d, tensors, inputs, outputs,
                   /*hostProgram=*/nullptr, tileProgram);
  return success();
}

size_t ipuc::estimateTilePlanBytes(bsp::ProgramOp program) {
  // Above what the ops of the encoders of bench/sim_benchmarks.py, the MLP
  // and the 1024^3 matmul take: the estimate is 1.5 to 2 times their plans.
  // It errs high, as an overestimate costs no memory.
  constexpr size_t kBytesPerOp = 256;
  size_t bytes = 1 << 16;
  // Vertex bodies are compiled into codelets shared by the vertices of an
  // op, so the walk does not enter them.
  program.walk<WalkOrder::PreOrder>([&](Operation *op) {
    bytes += kBytesPerOp;
    if (auto tensor = dyn_cast<bsp::TensorOp>(op)) {
      bytes += tensor.getMapping().size() * sizeof(plan::TileInterval);
      if (tensor.getValue())
        bytes += tensor.getType().getNumElements() *
                 tensor.getType().getElementBytes();
    }
    return isa<bsp::GenericVertexOp>(op) ? WalkResult::skip()
                                         : WalkResult::advance();
  });
  return bytes;
}

LogicalResult ipuc::buildBspPlan(bsp::ProgramOp program,
                                 const PlanOptions &options,
                                 fb::FlatBufferBuilder &fbb) {
  if (failed(checkNoRemoteOperands(program)))
    return failure();
  ipuc::StepReruns reruns = ipuc::findStepReruns(program);
  ipuc::GenericCodeletPrefetcher codelets = startCodelets(program, reruns);
  return BspSerializer(options, fbb, codelets, reruns).run(program);
}

LogicalResult ipuc::buildBspPlan(bsp::ProgramOp program,
                                 const PlanOptions &options,
                                 fb::Allocator *allocator,
                                 std::optional<fb::FlatBufferBuilder> &fbb) {
  if (failed(checkNoRemoteOperands(program)))
    return failure();
  ipuc::StepReruns reruns = ipuc::findStepReruns(program);
  ipuc::GenericCodeletPrefetcher codelets = startCodelets(program, reruns);
  fbb.emplace(estimateTilePlanBytes(program), allocator);
  return BspSerializer(options, *fbb, codelets, reruns).run(program);
}

bool ipuc::verifyTilePlanBuffer(ArrayRef<uint8_t> plan) {
  // The loader's check, with its limits (and its threads for a big plan).
  return plan::verifyPlanStructure(plan.data(), plan.size());
}

LogicalResult ipuc::reportUnverifiedTilePlan(bsp::ProgramOp program) {
  return program.emitOpError("internal error: the serialized plan does not "
                             "pass the FlatBuffers verifier");
}

LogicalResult ipuc::serializeBspProgram(bsp::ProgramOp program,
                                        const PlanOptions &options,
                                        fb::FlatBufferBuilder &fbb) {
  if (failed(buildBspPlan(program, options, fbb)))
    return failure();
  if (!verifyTilePlanBuffer({fbb.GetBufferPointer(), fbb.GetSize()}))
    return reportUnverifiedTilePlan(program);
  return success();
}

LogicalResult ipuc::serializeBspProgram(bsp::ProgramOp program,
                                        const PlanOptions &options,
                                        std::vector<uint8_t> &out) {
  fb::FlatBufferBuilder fbb(1 << 16);
  if (failed(serializeBspProgram(program, options, fbb)))
    return failure();
  out.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  return success();
}
