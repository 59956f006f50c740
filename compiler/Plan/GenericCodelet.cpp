//===- GenericCodelet.cpp - Generic codelets, before the builder ----------===//

#include "compiler/Plan/GenericCodelet.h"
#include "compiler/Plan/HostPlanSupport.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/ThreadPool.h"

#include <functional>

using namespace mlir;
namespace bsp = ipuc::bsp;

/// Compiles the scalar body with the host plan's BodyCompiler, which works on
/// a linalg structured op: the body is cloned into a detached linalg.generic
/// that is never verified or inserted.
static LogicalResult compileVertexBody(bsp::GenericVertexOp vertex,
                                       ipuc::CompiledBody &out) {
  LogicalResult result =
      ipuc::compileBody(vertex.getBody().front(), vertex, out);
  for (Value table : out.captured)
    if (!isa<BlockArgument>(table))
      return vertex.emitOpError()
             << "body reads a tensor with tensor.extract that is not one of "
                "its gathered inputs; vertices can only read their operands";
  return result;
}

/// compileVertexBody, or the last body `cache` compiled when `op`'s equals
/// it (its captured tables renamed to `op`'s own arguments).
static LogicalResult compileVertexBody(bsp::GenericVertexOp op,
                                       ipuc::CompiledBody &out,
                                       ipuc::GenericCodeletCache *cache) {
  if (!cache)
    return compileVertexBody(op, out);
  if (cache->bodyOwner && OperationEquivalence::isRegionEquivalentTo(
                              &cache->bodyOwner->getRegion(0), &op.getBody(),
                              OperationEquivalence::IgnoreLocations)) {
    out.program = cache->body.program;
    out.numRegisters = cache->body.numRegisters;
    out.captured.clear();
    Block &block = op.getBody().front();
    for (Value table : cache->body.captured)
      out.captured.push_back(
          block.getArgument(cast<BlockArgument>(table).getArgNumber()));
    return success();
  }
  if (failed(compileVertexBody(op, out))) {
    cache->bodyOwner = nullptr;
    return failure();
  }
  cache->bodyOwner = op;
  cache->body = out;
  return success();
}

/// ipuc::foldIndexingMap, or what `cache` kept of it for the same map and
/// sizes.
static LogicalResult foldCached(AffineMap map, ArrayRef<int64_t> sizes,
                                SmallVectorImpl<int64_t> &strides,
                                int64_t &offset,
                                ipuc::GenericCodeletCache *cache) {
  if (!cache)
    return ipuc::foldIndexingMap(map, sizes, strides, offset);
  auto found = cache->folds.find({map, sizes});
  if (found != cache->folds.end()) {
    strides.assign(found->second.strides.begin(), found->second.strides.end());
    offset = found->second.offset;
    return success();
  }
  if (failed(ipuc::foldIndexingMap(map, sizes, strides, offset)))
    return failure();
  cache->folds.try_emplace(
      {map, sizes},
      ipuc::GenericCodeletCache::Fold{
          offset, SmallVector<int64_t>(strides.begin(), strides.end())});
  return success();
}

LogicalResult ipuc::prepareGenericCodelet(bsp::GenericVertexOp op,
                                          GenericCodelet &out,
                                          GenericCodeletCache *cache) {
  if (failed(compileVertexBody(op, out.body, cache)))
    return failure();
  ArrayRef<int64_t> bounds = op.getLoopBounds();
  out.loopBounds.assign(bounds.begin(), bounds.end());
  out.reductionDims.clear();
  for (Attribute attr : op.getIteratorTypes())
    out.reductionDims.push_back(cast<StringAttr>(attr).getValue() ==
                                "reduction");

  // Codelet operands: element inputs, outputs, then gathered inputs (see
  // serializeVertex), so a gathered input's operand index is its body
  // argument's number.
  unsigned numInputs = op.getInputs().size() - op.getNumGathered();
  out.numInputs = numInputs;
  SmallVector<Attribute> boxes(
      op.getInputBoxes().getValue().take_front(numInputs));
  llvm::append_range(boxes, op.getOutputBoxes().getValue());
  // The codelet's content, as the key under which it is shared.
  std::string &key = out.key;
  key.clear();
  auto append = [&](const void *data, size_t bytes) {
    key.append(static_cast<const char *>(data), bytes);
  };
  auto appendInts = [&](ArrayRef<int64_t> values) {
    int64_t n = values.size();
    append(&n, sizeof(n));
    append(values.data(), n * sizeof(int64_t));
  };
  appendInts(out.loopBounds);
  append(out.reductionDims.data(), out.reductionDims.size());
  out.folded.clear();
  out.inits.clear();
  Block &block = op.getBody().front();
  for (auto [i, attr] : llvm::enumerate(op.getIndexingMaps())) {
    AffineMap map = cast<AffineMapAttr>(attr).getValue();
    GenericCodelet::FoldedOperand f;
    if (failed(foldCached(map, cast<bsp::BoxAttr>(boxes[i]).getSizes(),
                          f.strides, f.offset, cache)))
      return op.emitOpError()
             << "indexing map #" << i << " " << AffineMapAttr::get(map)
             << " is not a linear combination of loop dimensions plus a "
                "constant";
    append(&f.offset, sizeof(f.offset));
    appendInts(f.strides);
    // An output whose old value the body reads (a reduction) is its own
    // init: the box already holds the value to start from.
    if (i >= numInputs)
      out.inits.push_back(block.getArgument(i).use_empty() ? -1 : (int32_t)i);
    out.folded.push_back(std::move(f));
  }
  append(&numInputs, sizeof(numInputs));
  append(out.inits.data(), out.inits.size() * sizeof(int32_t));
  append(out.body.program.data(),
         out.body.program.size() * sizeof(plan::Instr));
  append(&out.body.numRegisters, sizeof(out.body.numRegisters));
  // Gathered inputs the body reads with tensor.extract, by operand index.
  out.captured.clear();
  for (Value table : out.body.captured)
    out.captured.push_back(cast<BlockArgument>(table).getArgNumber());
  append(out.captured.data(), out.captured.size() * sizeof(uint32_t));
  out.hash = std::hash<std::string>()(key);
  int64_t points = 1;
  for (int64_t bound : bounds)
    points *= bound;
  int64_t bodyOps = 0;
  for (Operation &bodyOp : block.without_terminator())
    bodyOps += !bodyOp.hasTrait<OpTrait::ConstantLike>();
  out.flops = double(points) * double(bodyOps);
  return success();
}

//===----------------------------------------------------------------------===//
// GenericCodeletPrefetcher
//===----------------------------------------------------------------------===//

namespace {
// How far the worker may run ahead: enough to ride out the serializer's
// slower steps, few enough that prepared codelets stay a few MB.
constexpr size_t kAhead = 4096;
// Each side, once it has to wait, waits for this many codelets (prepared,
// or slots freed) rather than one: waking the other thread for every
// codelet made the two ping-pong through the scheduler, which on a loaded
// machine doubled serialization.
constexpr size_t kBatch = 256;
// Set on the worker's thread while it prepares, so that the diagnostics of
// a vertex that fails there are dropped (take() reports them again).
thread_local bool onWorker = false;
} // namespace

ipuc::GenericCodeletPrefetcher::GenericCodeletPrefetcher(
    MLIRContext *context, std::vector<bsp::GenericVertexOp> list)
    : vertices(std::move(list)) {
  if (!context->isMultithreadingEnabled() || vertices.empty())
    return;
  slots.resize(std::min(kAhead, vertices.size()));
  quietWorker.emplace(context, [](Diagnostic &) {
    return success(onWorker); // failure: not handled, passed on
  });
  worker = context->getThreadPool().async([this] { work(); });
}

ipuc::GenericCodeletPrefetcher::~GenericCodeletPrefetcher() {
  if (!worker.valid())
    return;
  {
    std::lock_guard<std::mutex> lock(mutex);
    stop = true;
  }
  changed.notify_all();
  worker.wait();
}

void ipuc::GenericCodeletPrefetcher::work() {
  onWorker = true;
  size_t total = vertices.size(), batch = std::min(kBatch, slots.size());
  for (size_t i = 0; i < total; ++i) {
    {
      std::unique_lock<std::mutex> lock(mutex);
      if (i - consumed >= slots.size()) {
        // Full: wait until a batch of slots is free.
        producerWaiting = true;
        changed.wait(
            lock, [&] { return stop || i - consumed <= slots.size() - batch; });
        producerWaiting = false;
      }
      if (stop)
        break;
    }
    // The slot is the worker's until `produced` passes it.
    Slot &slot = slots[i % slots.size()];
    slot.ok =
        succeeded(prepareGenericCodelet(vertices[i], slot.codelet, &cache));
    bool wake;
    {
      std::lock_guard<std::mutex> lock(mutex);
      produced = i + 1;
      wake = consumerWaiting && produced >= consumerTarget;
    }
    if (wake)
      changed.notify_all();
  }
  onWorker = false;
}

LogicalResult ipuc::GenericCodeletPrefetcher::take(bsp::GenericVertexOp op,
                                                   GenericCodelet &out) {
  if (!worker.valid() || consumed >= vertices.size() ||
      vertices[consumed] != op)
    return prepareGenericCodelet(op, out);
  size_t i = consumed;
  Slot &slot = slots[i % slots.size()];
  bool wake;
  {
    std::unique_lock<std::mutex> lock(mutex);
    if (produced <= i) {
      // Caught up: wait until a batch is prepared (or the last codelet).
      consumerTarget =
          std::min(i + std::min(kBatch, slots.size()), vertices.size());
      consumerWaiting = true;
      changed.wait(lock, [&] { return produced >= consumerTarget; });
      consumerWaiting = false;
    }
  }
  bool ok = slot.ok;
  if (ok)
    std::swap(out, slot.codelet);
  {
    std::lock_guard<std::mutex> lock(mutex);
    consumed = i + 1;
    wake = producerWaiting &&
           produced - consumed <= slots.size() - std::min(kBatch, slots.size());
  }
  if (wake)
    changed.notify_all();
  // Prepared again here, for its diagnostics.
  return ok ? success() : prepareGenericCodelet(op, out);
}
