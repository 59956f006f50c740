//===- Partitioner.cpp - Tensors, exchanges and the op walk ---------------
//===//
//
// Correctness first: every op becomes compute sets of vertices whose output
// boxes live on the vertex's tile; input boxes may live anywhere until
// ipuc-insert-exchanges gathers them.
//
//===----------------------------------------------------------------------===//

#include "compiler/Partition/Partitioner.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace ipuc;
using namespace ipuc::partition;
namespace bsp = ipuc::bsp;

Buffer &Partitioner::newTensor(Location loc, StringRef name,
                               bsp::TensorRole role, Type tensorType,
                               std::vector<TileRange> ranges, Attribute value,
                               Value viewOf) {
  auto shaped = cast<ShapedType>(tensorType);
  auto type =
      bsp::BufferType::get(ctx, shaped.getShape(), shaped.getElementType());
  sortByBegin(ranges);
  // Adjacent ranges on one tile are one interval: the rows of a block that
  // spans whole rows, say. The memory planner gives a tile's intervals
  // consecutive addresses, so the layout is the same with fewer records.
  size_t kept = 0;
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (kept && ranges[kept - 1].tile == ranges[i].tile &&
        ranges[kept - 1].end == ranges[i].begin)
      ranges[kept - 1].end = ranges[i].end;
    else
      ranges[kept++] = ranges[i];
  }
  ranges.resize(kept);
  // Addresses come from ipuc-plan-tile-memory.
  SmallVector<bsp::Interval> intervals;
  intervals.reserve(ranges.size());
  for (const TileRange &r : ranges)
    intervals.push_back({r.tile, r.begin, r.end, /*address=*/0});
  OpBuilder::InsertionGuard guard(b);
  // Tensors are declared before the steps, in creation order.
  if (tensorInsertPoint)
    b.setInsertionPointAfter(tensorInsertPoint);
  else
    b.setInsertionPointToStart(tensorBlock);
  auto op = b.create<bsp::TensorOp>(
      loc, type, b.getStringAttr(name), bsp::TensorRoleAttr::get(ctx, role),
      bsp::MappingAttr::get(ctx, intervals),
      value ? cast<ElementsAttr>(value) : ElementsAttr(), viewOf);
  tensorInsertPoint = op;
  buffers.push_back(Buffer{op.getResult(), op, std::move(ranges)});
  return buffers.back();
}

FailureOr<Buffer *>
Partitioner::get(Value v, Operation *user,
                 llvm::function_ref<std::vector<TileRange>()> home) {
  auto it = bufferOf.find(v);
  if (it != bufferOf.end())
    return it->second;
  if (Buffer *fill = materializeFill(v))
    return fill;
  Attribute attr;
  if (isa<RankedTensorType>(v.getType()) &&
      matchPattern(v, m_Constant(&attr))) {
    // Constants get their home mapping where they are first consumed: the
    // user's choice when it has one, so that its vertices read the constant
    // in place instead of gathering it by exchange on every run.
    Operation *def = v.getDefiningOp();
    Buffer &buf = newTensor(def->getLoc(), "c" + std::to_string(buffers.size()),
                            bsp::TensorRole::constant, v.getType(),
                            home ? home() : linear(shapeOf(v.getType())), attr);
    bufferOf[v] = &buf;
    return &buf;
  }
  return user->emitError() << "'" << user->getName()
                           << "' reads a value that cannot be placed on "
                              "tiles (a scalar or an uninitialized tensor), "
                              "which is not supported by the ipu target yet";
}

void Partitioner::flushExchange(Location loc, StringRef name) {
  if (pending.empty())
    return;
  auto ex = b.create<bsp::ExchangeOp>(loc, b.getStringAttr(name));
  Block *block = new Block();
  ex.getBody().push_back(block);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(block);
  for (PendingCopy &c : pending)
    b.create<bsp::CopyOp>(loc, c.src, c.srcBox, c.dst, c.dstBox, c.perm);
  pending.clear();
}

bsp::ComputeSetOp Partitioner::newComputeSet(Location loc, StringRef name) {
  auto cs = b.create<bsp::ComputeSetOp>(loc, b.getStringAttr(name));
  cs.getBody().push_back(new Block());
  return cs;
}

bsp::ComputeSetOp Partitioner::newGridStep(Location loc, StringRef name,
                                           const MatMulGrid &grid,
                                           int64_t step) {
  std::string suffix = grid.sk > 1 ? ".k" + std::to_string(step) : "";
  auto cs = newComputeSet(loc, (name + suffix).str());
  cs->setAttr("grid", b.getStringAttr(grid.str()));
  if (grid.sk > 1)
    cs->setAttr("k_chunks", b.getI64IntegerAttr(grid.sk));
  return cs;
}

Attribute ipuc::partition::constantValue(Value v) {
  Attribute attr;
  if (matchPattern(v, m_Constant(&attr)))
    return attr;
  return {};
}

LogicalResult Partitioner::partitionOp(Operation *op) {
  ++opCounter;
  // Only linalg ops split along their output honour `ipuc.mapping`.
  if ((!isa<linalg::LinalgOp>(op) || isa<linalg::FillOp>(op)) &&
      failed(declineMapping(op)))
    return failure();
  Attribute attr;
  if (matchPattern(op, m_Constant(&attr)) || isa<tensor::EmptyOp>(op))
    return success(); // materialized where used
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return partitionFill(fill);
  // Every reader but a matmul or convolution (which overwrite a zero
  // accumulator and never read it) gets its deferred zero fills here, before
  // it looks at its operands' mappings, so that it sees them as before.
  if (!isa<linalg::MatmulOp, linalg::BatchMatmulOp,
           linalg::ConvolutionOpInterface>(op))
    for (Value operand : op->getOperands())
      materializeFill(operand);
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    FailureOr<bool> done = partitionMatMul(linalgOp);
    if (succeeded(done) && !*done)
      done = partitionConv(linalgOp);
    if (failed(done))
      return failure();
    if (*done)
      return declineMapping(op);
    FailureOr<bool> split = partitionTwoStageReduction(linalgOp);
    if (failed(split))
      return failure();
    if (*split)
      return declineMapping(op);
    FailureOr<bool> transposed = partitionTranspose(linalgOp);
    if (failed(transposed))
      return failure();
    if (*transposed)
      return success();
    return partitionStructured(linalgOp);
  }
  if (auto r = dyn_cast<tensor::ExpandShapeOp>(op))
    return partitionReshape(op, r.getSrc());
  if (auto r = dyn_cast<tensor::CollapseShapeOp>(op))
    return partitionReshape(op, r.getSrc());
  if (auto r = dyn_cast<tensor::ReshapeOp>(op))
    return partitionReshape(op, r.getSource());
  if (auto r = dyn_cast<tensor::CastOp>(op))
    return partitionReshape(op, r.getSource());
  if (auto s = dyn_cast<tensor::ExtractSliceOp>(op))
    return partitionExtractSlice(s);
  if (auto s = dyn_cast<tensor::InsertSliceOp>(op))
    return partitionInsertSlice(s);
  if (auto p = dyn_cast<tensor::PadOp>(op))
    return partitionPad(p);
  if (auto c = dyn_cast<tensor::ConcatOp>(op))
    return partitionConcat(c);
  return op->emitError() << "'" << op->getName()
                         << "' is not supported by the ipu target yet";
}

LogicalResult Partitioner::partitionReturn(func::FuncOp func,
                                           func::ReturnOp op) {
  for (auto [i, value] : llvm::enumerate(op.getOperands())) {
    std::string name = "output" + std::to_string(i);
    if (auto attr = func.getResultAttrOfType<StringAttr>(i, "ipuc.name"))
      name = attr.getValue().str();
    FailureOr<Buffer *> buf = get(value, op);
    if (failed(buf))
      return failure();
    Buffer *src = *buf;
    if (src->op.getRole() == bsp::TensorRole::intermediate) {
      src->op.setRole(bsp::TensorRole::output);
      src->op.setName(name);
    } else {
      Buffer &copy = newTensor(op.getLoc(), name, bsp::TensorRole::output,
                               value.getType(), src->ranges);
      Box whole = wholeBox(shapeOf(value.getType()));
      pending.push_back(
          {src->value, boxAttr(whole), copy.value, boxAttr(whole)});
      src = &copy;
    }
    Value v = src->value;
    hostReads.push_back([this, v, name, loc = op.getLoc()] {
      b.create<bsp::HostReadOp>(loc, v, b.getStringAttr(name));
    });
  }
  flushExchange(op.getLoc(), "outputs");
  for (auto &read : hostReads)
    read();
  return success();
}

LogicalResult Partitioner::run() {
  func::FuncOp func = module.lookupSymbol<func::FuncOp>("main");
  if (!func) {
    auto funcs = llvm::to_vector(module.getOps<func::FuncOp>());
    if (funcs.size() != 1)
      return module.emitError("the ipu target needs a function named 'main' "
                              "(or exactly one function)");
    func = funcs.front();
  }
  if (func.isExternal() || !func.getBody().hasOneBlock())
    return func.emitError("the entry function must have a single-block body");
  b.setInsertionPointToEnd(module.getBody());
  auto device = bsp::DeviceAttr::get(
      ctx, dev.name, tiles, dev.sramBytesPerTile, APFloat(dev.clockHz),
      dev.workersPerTile, APFloat(dev.fp32MatmulFlopsPerCycle),
      APFloat(dev.fp16MatmulFlopsPerCycle), APFloat(dev.elementwiseF32PerCycle),
      APFloat(dev.exchangeBytesPerCycle), dev.syncCycles);
  program = b.create<bsp::ProgramOp>(func.getLoc(), "main", device);
  program.setRemoteOperands(true);
  if (program.getBody().empty())
    program.getBody().push_back(new Block());
  tensorBlock = &program.getBody().front();
  b.setInsertionPointToEnd(tensorBlock);
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.hasStaticShape())
      return func.emitError() << "argument #" << arg.getArgNumber()
                              << " must be a statically shaped tensor";
    std::string name = "input" + std::to_string(arg.getArgNumber());
    if (auto attr =
            func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "ipuc.name"))
      name = attr.getValue().str();
    Buffer &buf = newTensor(func.getLoc(), name, bsp::TensorRole::input, type,
                            linear(shapeOf(type)));
    bufferOf[arg] = &buf;
    b.create<bsp::HostWriteOp>(func.getLoc(), buf.value, b.getStringAttr(name));
  }
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      if (failed(partitionReturn(func, ret)))
        return failure();
      continue;
    }
    if (failed(partitionOp(&op)))
      return failure();
  }
  func.erase();
  return success();
}
