//===- BspOps.cpp - bsp dialect ops --------------------------------------===//
//
// Verifiers check what the simulator would otherwise trap on at run time:
// tiles in range, boxes inside their buffers and mapped on the vertex's tile,
// codelet shapes that agree, and per-tile memory within the device's SRAM.
//
//===----------------------------------------------------------------------===//

#include "dialects/Bsp/IR/BspOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"

#include <algorithm>
#include <limits>
#include <map>

using namespace mlir;
using namespace ipuc::bsp;

//===----------------------------------------------------------------------===//
// Custom directive: a tensor's mapping as the bare list `[#bsp.interval<...>,
// ...]` (the form of the array of intervals it once was)
//===----------------------------------------------------------------------===//

static ParseResult parseMapping(OpAsmParser &parser, MappingAttr &mapping) {
  mapping = parseMappingList(parser);
  return success(bool(mapping));
}

static void printMapping(OpAsmPrinter &printer, Operation *,
                         MappingAttr mapping) {
  printIntervalList(printer, mapping.getIntervals());
}

//===----------------------------------------------------------------------===//
// Custom directives: `%v [#bsp.box<...>] : !bsp.buffer<...>` (the brackets
// keep `%v#` from reading as a result number)
//===----------------------------------------------------------------------===//

static ParseResult parseBoxedOperand(OpAsmParser &parser,
                                     OpAsmParser::UnresolvedOperand &operand,
                                     Type &type, BoxAttr &box) {
  return failure(parser.parseOperand(operand) || parser.parseLSquare() ||
                 parser.parseAttribute(box) || parser.parseRSquare() ||
                 parser.parseColonType(type));
}

static void printBoxedOperand(OpAsmPrinter &printer, Operation *, Value value,
                              Type type, BoxAttr box) {
  printer << value << " [";
  printer.printAttribute(box);
  printer << "] : " << type;
}

/// `(%a [#bsp.box<...>] : !bsp.buffer<...>, ...)`, possibly empty.
static ParseResult
parseBoxedOperands(OpAsmParser &parser,
                   SmallVectorImpl<OpAsmParser::UnresolvedOperand> &operands,
                   SmallVectorImpl<Type> &types, ArrayAttr &boxes) {
  SmallVector<Attribute> boxList;
  if (parser.parseCommaSeparatedList(
          OpAsmParser::Delimiter::Paren, [&]() -> ParseResult {
            OpAsmParser::UnresolvedOperand operand;
            Type type;
            BoxAttr box;
            if (parseBoxedOperand(parser, operand, type, box))
              return failure();
            operands.push_back(operand);
            types.push_back(type);
            boxList.push_back(box);
            return success();
          }))
    return failure();
  boxes = parser.getBuilder().getArrayAttr(boxList);
  return success();
}

static void printBoxedOperands(OpAsmPrinter &printer, Operation *op,
                               OperandRange operands, TypeRange types,
                               ArrayAttr boxes) {
  printer << '(';
  for (auto [i, value] : llvm::enumerate(operands)) {
    if (i)
      printer << ", ";
    auto box = i < boxes.size() ? dyn_cast<BoxAttr>(boxes[i]) : BoxAttr();
    printBoxedOperand(printer, op, value, types[i], box);
  }
  printer << ')';
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The device of `program` (null without one), read from its properties
/// rather than looked up by name: every vertex and tensor asks.
static DeviceAttr getDevice(ProgramOp program) {
  return program ? program.getProperties().device : DeviceAttr();
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  for (auto [i, dim] : llvm::enumerate(shape))
    s += (i ? "x" : "") + std::to_string(dim);
  return s.empty() ? "scalar" : s;
}

static std::string boxString(BoxAttr box) {
  std::string s = "[";
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(box.getOffsets(), box.getSizes())))
    s += (i ? ", " : "") + std::to_string(std::get<0>(pair)) + ":" +
         std::to_string(std::get<0>(pair) + std::get<1>(pair));
  return s + "]";
}

/// The name of the tensor behind a buffer value, for diagnostics.
static std::string tensorName(Value value) {
  if (auto tensor = value.getDefiningOp<TensorOp>())
    return "'" + tensor.getName().str() + "'";
  return "buffer";
}

// `what` names the operand in messages; it is a Twine so that the name is
// only rendered when there is an error, not for every box of every vertex.
static LogicalResult verifyBoxInBuffer(Operation *op, const Twine &what,
                                       BufferType type, BoxAttr box) {
  if (!box)
    return op->emitOpError() << what << " has no #bsp.box";
  ArrayRef<int64_t> shape = type.getShape();
  if (box.getRank() != (int64_t)shape.size())
    return op->emitOpError()
           << what << " box " << boxString(box) << " has rank "
           << box.getRank() << " but its buffer " << type << " has rank "
           << shape.size();
  for (int64_t d = 0; d < box.getRank(); ++d)
    if (box.getOffsets()[d] + box.getSizes()[d] > shape[d])
      return op->emitOpError()
             << what << " box " << boxString(box)
             << " is outside its buffer " << type << " in dim " << d;
  return success();
}

/// Checks that every element of `box` of `value` lives on `tile`, when the
/// value's mapping is known.
static LogicalResult verifyBoxOnTile(Operation *op, const Twine &what,
                                     Value value, BoxAttr box, int64_t tile) {
  auto tensor = value.getDefiningOp<TensorOp>();
  if (!tensor)
    return success();
  // Searched in place: copying the mapping for every box made verifying a
  // program quadratic (tensors spread over all tiles are read by a vertex on
  // each tile).
  ArrayRef<Interval> intervals = tensor.getMapping().getIntervals();
  std::string problem;
  // Large boxes of tensors cut into many rows are checked up to a bound.
  int64_t budget = 1 << 20;
  // The runs of a box come in increasing order, so the interval holding the
  // next one is at or after the last one found, and often is it or the one
  // after it (a box's rows in one interval, or in consecutive ones): those
  // are tried before a binary search over the rest. On sorted, disjoint
  // intervals (as TensorOp::verify demands) the interval found is the one a
  // search of the whole mapping finds.
  size_t last = 0;
  const Interval *found = nullptr;
  forEachBoxRun(
      tensor.getType().getShape(), box.getOffsets(), box.getSizes(),
      [&](int64_t begin, int64_t length) {
        int64_t end = begin + length;
        while (begin < end) {
          if (!found || begin < found->begin || begin >= found->end) {
            size_t next = found ? last + 1 : intervals.size();
            if (next < intervals.size() && intervals[next].begin <= begin &&
                (next + 1 == intervals.size() ||
                 begin < intervals[next + 1].begin)) {
              last = next;
            } else {
              // The last interval that begins at or before `begin`.
              const Interval *from = intervals.begin() + (found ? last : 0);
              const Interval *it = std::upper_bound(
                  from, intervals.end(), begin,
                  [](int64_t v, const Interval &iv) { return v < iv.begin; });
              if (it == intervals.begin()) {
                problem = "element " + std::to_string(begin) + " is not mapped";
                return false;
              }
              last = it - 1 - intervals.begin();
            }
            found = &intervals[last];
          }
          if (found->end <= begin) {
            problem = "element " + std::to_string(begin) + " is not mapped";
            return false;
          }
          if (found->tile != tile) {
            problem = "element " + std::to_string(begin) + " lives on tile " +
                      std::to_string(found->tile);
            return false;
          }
          begin = std::min(end, found->end);
        }
        return --budget > 0;
      });
  if (problem.empty())
    return success();
  return op->emitOpError() << what << " box " << boxString(box) << " of "
                           << tensorName(value) << " is not on tile " << tile
                           << ": " << problem;
}

/// Checks shared by all vertices: box counts, boxes inside their buffers and
/// mapped on the vertex's tile, tile within the device. Inputs may live on
/// other tiles while the program is marked `remote_operands` (before
/// ipuc-insert-exchanges, which checks that they can be gathered).
static LogicalResult verifyVertex(Operation *op, int64_t tile,
                                  ValueRange inputs, ArrayAttr inputBoxes,
                                  ValueRange outputs, ArrayAttr outputBoxes,
                                  unsigned numInputs, unsigned numOutputs) {
  auto program = op->getParentOfType<ProgramOp>();
  bool remoteInputs = program && program.getProperties().remote_operands;
  if (numInputs != ~0u && inputs.size() != numInputs)
    return op->emitOpError() << "takes " << numInputs << " inputs, found "
                             << inputs.size();
  if (numOutputs != ~0u && outputs.size() != numOutputs)
    return op->emitOpError() << "takes " << numOutputs << " outputs, found "
                             << outputs.size();
  if (DeviceAttr device = getDevice(program))
    if (tile >= device.getTiles())
      return op->emitOpError() << "is on tile " << tile << ", but device '"
                               << device.getName() << "' has "
                               << device.getTiles() << " tiles";
  auto check = [&](StringRef kind, ValueRange values,
                   ArrayAttr boxes) -> LogicalResult {
    if (boxes.size() != values.size())
      return op->emitOpError() << "has " << values.size() << " " << kind
                               << "s but " << boxes.size() << " boxes";
    for (auto [i, value] : llvm::enumerate(values)) {
      auto box = dyn_cast<BoxAttr>(boxes[i]);
      auto type = cast<BufferType>(value.getType());
      if (failed(verifyBoxInBuffer(op, kind + " #" + Twine(i), type, box)))
        return failure();
      if (kind == "input" && remoteInputs)
        continue;
      if (failed(verifyBoxOnTile(op, kind + " #" + Twine(i), value, box, tile)))
        return failure();
    }
    return success();
  };
  return failure(failed(check("input", inputs, inputBoxes)) ||
                 failed(check("output", outputs, outputBoxes)));
}

static Type elementTypeOf(Value value) {
  return cast<BufferType>(value.getType()).getElementType();
}

static ArrayRef<int64_t> boxSizes(ArrayAttr boxes, unsigned i) {
  return cast<BoxAttr>(boxes[i]).getSizes();
}

//===----------------------------------------------------------------------===//
// ProgramOp
//===----------------------------------------------------------------------===//

void ProgramOp::build(OpBuilder &builder, OperationState &state,
                      StringRef name, DeviceAttr device) {
  state.addAttribute(getSymNameAttrName(state.name),
                     builder.getStringAttr(name));
  state.addAttribute(getDeviceAttrName(state.name), device);
  state.addRegion()->emplaceBlock();
}

LogicalResult ProgramOp::verifyRegions() {
  DeviceAttr device = getDevice();
  llvm::StringMap<TensorOp> names;
  // Only the extent is kept per tile; which tensors fill a tile is worked out
  // again for the tile that overflows, so that a valid program does not pay
  // for a per-tile, per-tensor table.
  llvm::DenseMap<int64_t, int64_t> extents;
  // The device's tiles are counted in a flat array (a hash lookup per
  // interval showed in profiles); only tiles outside it use the map.
  std::vector<int64_t> deviceExtents(device ? device.getTiles() : 0, 0);
  for (auto tensor : getBody().front().getOps<TensorOp>()) {
    auto [it, inserted] = names.try_emplace(tensor.getName(), tensor);
    if (!inserted) {
      InFlightDiagnostic diag = tensor.emitOpError()
                                << "name '" << tensor.getName()
                                << "' is already used";
      diag.attachNote(it->second.getLoc()) << "first used here";
      return diag;
    }
    int64_t elementBytes = tensor.getType().getElementBytes();
    for (const Interval &iv : tensor.getMapping()) {
      int64_t bytes = iv.size() * elementBytes;
      int64_t tile = iv.tile;
      int64_t &extent = tile >= 0 && tile < (int64_t)deviceExtents.size()
                            ? deviceExtents[tile]
                            : extents[tile];
      extent = std::max(extent, iv.address + bytes);
    }
  }
  for (auto [tile, extent] : llvm::enumerate(deviceExtents))
    if (extent > 0)
      extents[tile] = extent;
  // A tile's need is its memory extent: the memory planner may place
  // tensors with disjoint lifetimes at the same addresses. The lowest
  // overflowing tile is reported, as before.
  int64_t worst = -1;
  for (auto [tile, extent] : extents)
    if (extent > device.getSramBytes() && (worst < 0 || tile < worst))
      worst = tile;
  if (worst < 0)
    return success();
  std::map<std::string, int64_t> bytesByTensor;
  for (auto tensor : getBody().front().getOps<TensorOp>()) {
    int64_t elementBytes = tensor.getType().getElementBytes();
    for (const Interval &iv : tensor.getMapping())
      if (iv.tile == worst)
        bytesByTensor[tensor.getName().str()] += iv.size() * elementBytes;
  }
  std::vector<std::pair<std::string, int64_t>> largest(bytesByTensor.begin(),
                                                       bytesByTensor.end());
  std::stable_sort(largest.begin(), largest.end(),
                   [](auto &a, auto &b) { return a.second > b.second; });
  InFlightDiagnostic diag = emitOpError()
                            << "tile " << worst << " needs " << extents[worst]
                            << " bytes but device '" << device.getName()
                            << "' has " << device.getSramBytes()
                            << " bytes per tile; largest tensors on it:";
  for (size_t i = 0; i < largest.size() && i < 5; ++i)
    diag << (i ? ", '" : " '") << largest[i].first << "' (" << largest[i].second
         << " bytes)";
  return diag;
}

//===----------------------------------------------------------------------===//
// TensorOp
//===----------------------------------------------------------------------===//

LogicalResult TensorOp::verify() {
  BufferType type = getType();
  int64_t numElements = type.getNumElements();
  TensorRole role = getRole();
  bool hasData = role == TensorRole::constant || role == TensorRole::parameter;
  if (hasData && !getValue())
    return emitOpError() << stringifyTensorRole(role) << " tensor '"
                         << getName() << "' needs a value";
  if (!hasData && getValue())
    return emitOpError() << "only constant and parameter tensors carry a "
                            "value, but '"
                         << getName() << "' is " << stringifyTensorRole(role);
  if (auto value = getValueAttr()) {
    auto valueType = cast<ShapedType>(value.getType());
    if (valueType.getShape() != type.getShape() ||
        valueType.getElementType() != type.getElementType())
      return emitOpError() << "value of type " << valueType
                           << " does not match " << type;
  }
  DeviceAttr device = getDevice((*this)->getParentOfType<ProgramOp>());
  int64_t mapped = 0, previousEnd = 0, elementBytes = type.getElementBytes();
  for (auto [i, iv] : llvm::enumerate(getMapping())) {
    if (iv.end > numElements)
      return emitOpError() << "interval #" << i << " [" << iv.begin << ", "
                           << iv.end << ") of '" << getName()
                           << "' is outside its " << numElements << " elements";
    if (iv.begin < previousEnd)
      return emitOpError() << "intervals of '" << getName()
                           << "' must be sorted and disjoint: interval #" << i
                           << " begins at " << iv.begin
                           << " before the previous one ends at "
                           << previousEnd;
    if (device && iv.tile >= device.getTiles())
      return emitOpError() << "interval #" << i << " of '" << getName()
                           << "' is on tile " << iv.tile << ", but device '"
                           << device.getName() << "' has " << device.getTiles()
                           << " tiles";
    int64_t bytes = iv.size() * elementBytes;
    if (device && bytes > device.getSramBytes())
      return emitOpError() << "interval #" << i << " of '" << getName()
                           << "' holds " << bytes
                           << " bytes, more than a tile's "
                           << device.getSramBytes();
    previousEnd = iv.end;
    mapped += iv.size();
  }
  if (role != TensorRole::intermediate && mapped != numElements)
    return emitOpError() << stringifyTensorRole(role) << " tensor '"
                         << getName() << "' must be mapped completely: "
                         << mapped << " of " << numElements
                         << " elements are mapped";
  return verifyView();
}

// A view reads and writes its source's bytes through its own intervals, so
// they must be the source's, interval for interval: anything else would
// alias other elements (or other memory) than the same flat indices.
LogicalResult TensorOp::verifyView() {
  Value viewOf = getViewOf();
  if (!viewOf)
    return success();
  auto source = viewOf.getDefiningOp<TensorOp>();
  if (!source)
    return emitOpError() << "view '" << getName() << "' must view a bsp.tensor";
  TensorRole role = getRole();
  if (role != TensorRole::intermediate && role != TensorRole::output)
    return emitOpError() << "view '" << getName() << "' must be an "
                         << "intermediate or an output, not "
                         << stringifyTensorRole(role);
  BufferType type = getType(), sourceType = source.getType();
  if (type.getElementType() != sourceType.getElementType() ||
      type.getNumElements() != sourceType.getNumElements())
    return emitOpError() << "view '" << getName() << "' of type " << type
                         << " must have the element type and element count "
                         << "of its source '" << source.getName() << "' ("
                         << sourceType << ")";
  MappingAttr mine = getMapping(), theirs = source.getMapping();
  if (mine == theirs)
    return success();
  if (mine.size() != theirs.size())
    return emitOpError() << "view '" << getName() << "' has " << mine.size()
                         << " intervals but its source '" << source.getName()
                         << "' has " << theirs.size()
                         << "; a view has its source's mapping";
  for (auto [i, a, c] : llvm::enumerate(mine, theirs))
    if (a != c)
      return emitOpError() << "interval #" << i << " of view '" << getName()
                           << "' differs from its source '" << source.getName()
                           << "''s; a view has its source's mapping";
  return success();
}

//===----------------------------------------------------------------------===//
// Compute sets and vertices
//===----------------------------------------------------------------------===//

LogicalResult ComputeSetOp::verify() {
  for (Operation &op : getBody().front())
    if (!isa<GenericVertexOp, MatMulVertexOp, Conv2DVertexOp, CopyVertexOp,
             FillVertexOp>(op))
      return emitOpError() << "may only contain vertices, found '"
                           << op.getName() << "'";
  return success();
}

/// The coefficients of `expr` as constant + sum(coeff[d] * d), or false when
/// it is not linear (mod, div, or a product of two non-constants).
static bool linearCoefficients(AffineExpr expr, unsigned numDims,
                               int64_t &constant,
                               SmallVectorImpl<int64_t> &coeffs) {
  coeffs.assign(numDims, 0);
  constant = 0;
  if (auto c = dyn_cast<AffineConstantExpr>(expr)) {
    constant = c.getValue();
    return true;
  }
  if (auto d = dyn_cast<AffineDimExpr>(expr)) {
    coeffs[d.getPosition()] = 1;
    return true;
  }
  auto bin = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!bin || (expr.getKind() != AffineExprKind::Add &&
               expr.getKind() != AffineExprKind::Mul))
    return false;
  int64_t lc, rc;
  SmallVector<int64_t> l, r;
  if (!linearCoefficients(bin.getLHS(), numDims, lc, l) ||
      !linearCoefficients(bin.getRHS(), numDims, rc, r))
    return false;
  if (expr.getKind() == AffineExprKind::Add) {
    constant = lc + rc;
    for (unsigned d = 0; d < numDims; ++d)
      coeffs[d] = l[d] + r[d];
    return true;
  }
  // A product is linear only when one side is a constant.
  bool lConst = llvm::all_of(l, [](int64_t v) { return v == 0; });
  bool rConst = llvm::all_of(r, [](int64_t v) { return v == 0; });
  if (!lConst && !rConst)
    return false;
  int64_t k = lConst ? lc : rc;
  SmallVector<int64_t> &v = lConst ? r : l;
  constant = lc * rc;
  for (unsigned d = 0; d < numDims; ++d)
    coeffs[d] = k * v[d];
  return true;
}

/// Checks that every linear result of `map` stays inside its box over the
/// loop bounds. The extremes of a linear function over a box are found per
/// dim from the sign of its coefficient (a vertex can have thousands of
/// siblings, so this must not enumerate points or build attributes).
static LogicalResult verifyMapInBox(Operation *op, unsigned index,
                                    AffineMap map, ArrayRef<int64_t> bounds,
                                    ArrayRef<int64_t> sizes) {
  SmallVector<int64_t> coeffs;
  for (auto [r, expr] : llvm::enumerate(map.getResults())) {
    int64_t lo, hi;
    // Most results are a loop dim itself: its range, without building the
    // coefficients (41 results per vertex on an encoder layer).
    if (auto dim = dyn_cast<AffineDimExpr>(expr);
        dim && dim.getPosition() < bounds.size()) {
      lo = 0;
      hi = bounds[dim.getPosition()] - 1;
    } else {
      int64_t constant;
      if (!linearCoefficients(expr, bounds.size(), constant, coeffs))
        continue;
      lo = hi = constant;
      for (size_t d = 0; d < bounds.size(); ++d) {
        int64_t reach = coeffs[d] * (bounds[d] - 1);
        lo += std::min<int64_t>(reach, 0);
        hi += std::max<int64_t>(reach, 0);
      }
    }
    if (lo < 0 || hi >= sizes[r])
      return op->emitOpError()
             << "indexing map #" << index << " reaches index "
             << (lo < 0 ? lo : hi) << " in dim " << r
             << " of its box, whose size is " << sizes[r];
  }
  return success();
}

LogicalResult GenericVertexOp::verify() {
  if (failed(verifyVertex(*this, getTile(), getInputs(), getInputBoxes(),
                          getOutputs(), getOutputBoxes(), ~0u, ~0u)))
    return failure();
  SmallVector<Value> operands(getInputs());
  llvm::append_range(operands, getOutputs());
  SmallVector<Attribute> boxes(getInputBoxes().getValue());
  llvm::append_range(boxes, getOutputBoxes().getValue());
  if (getOutputs().empty())
    return emitOpError() << "needs at least one output";
  Block &body = getBody().front();
  // Gathered inputs (the trailing inputs the body reads whole with
  // tensor.extract) have a tensor argument after the element arguments and
  // no indexing map.
  unsigned gathered = getNumGathered();
  if (gathered > getInputs().size())
    return emitOpError() << "body has " << gathered << " tensor arguments for "
                         << getInputs().size() << " inputs";
  operands.erase(operands.begin() + getInputs().size() - gathered,
                 operands.begin() + getInputs().size());
  boxes.erase(boxes.begin() + getInputs().size() - gathered,
              boxes.begin() + getInputs().size());
  if (body.getNumArguments() != operands.size() + gathered)
    return emitOpError() << "body has " << body.getNumArguments()
                         << " arguments, expected "
                         << operands.size() + gathered
                         << " (one per input and output)";
  for (unsigned k = 0; k < gathered; ++k) {
    unsigned input = getInputs().size() - gathered + k;
    auto type =
        cast<RankedTensorType>(body.getArgument(operands.size() + k).getType());
    ArrayRef<int64_t> sizes = boxSizes(getInputBoxes(), input);
    if (type.getShape() != sizes ||
        type.getElementType() != elementTypeOf(getInputs()[input]))
      return emitOpError() << "gathered input #" << input << " has body type "
                           << type << ", expected a tensor of its box "
                           << shapeString(sizes) << " of "
                           << elementTypeOf(getInputs()[input]);
  }
  for (auto [i, value] : llvm::enumerate(operands))
    if (body.getArgument(i).getType() != elementTypeOf(value))
      return emitOpError() << "body argument #" << i << " has type "
                           << body.getArgument(i).getType()
                           << ", expected the element type "
                           << elementTypeOf(value) << " of operand #" << i;
  auto yield = body.empty() ? YieldOp() : dyn_cast<YieldOp>(body.back());
  if (!yield)
    return emitOpError() << "body must end with 'bsp.yield'";
  if (yield.getValues().size() != getOutputs().size())
    return emitOpError() << "body yields " << yield.getValues().size()
                         << " values for " << getOutputs().size()
                         << " outputs";
  for (auto [i, value] : llvm::enumerate(yield.getValues()))
    if (value.getType() != elementTypeOf(getOutputs()[i]))
      return emitOpError() << "yielded value #" << i << " has type "
                           << value.getType() << ", expected "
                           << elementTypeOf(getOutputs()[i]);

  ArrayRef<int64_t> bounds = getLoopBounds();
  if (llvm::any_of(bounds, [](int64_t b) { return b < 1; }))
    return emitOpError() << "loop bounds must be positive";
  if (getIteratorTypes().size() != bounds.size())
    return emitOpError() << "has " << getIteratorTypes().size()
                         << " iterator types for " << bounds.size()
                         << " loops";
  for (Attribute attr : getIteratorTypes()) {
    StringRef kind = cast<StringAttr>(attr).getValue();
    if (kind != "parallel" && kind != "reduction")
      return emitOpError() << "iterator type '" << kind
                           << "' is neither 'parallel' nor 'reduction'";
  }
  if (getIndexingMaps().size() != operands.size())
    return emitOpError() << "has " << getIndexingMaps().size()
                         << " indexing maps for " << operands.size()
                         << " operands";
  for (auto [i, attr] : llvm::enumerate(getIndexingMaps())) {
    AffineMap map = cast<AffineMapAttr>(attr).getValue();
    ArrayRef<int64_t> sizes = cast<BoxAttr>(boxes[i]).getSizes();
    if (map.getNumDims() != bounds.size() || map.getNumSymbols() != 0 ||
        map.getNumResults() != sizes.size())
      return emitOpError() << "indexing map #" << i << " must map "
                           << bounds.size() << " loops to the "
                           << sizes.size() << " dims of its box";
    if (failed(verifyMapInBox(*this, i, map, bounds, sizes)))
      return failure();
  }
  return success();
}

unsigned GenericVertexOp::getNumGathered() {
  unsigned n = 0;
  if (getBody().empty())
    return 0;
  Block &body = getBody().front();
  for (unsigned i = body.getNumArguments(); i-- > 0;) {
    if (!isa<RankedTensorType>(body.getArgument(i).getType()))
      break;
    ++n;
  }
  return n;
}

void MatMulVertexOp::getSizes(int64_t &m, int64_t &n, int64_t &k) {
  ArrayRef<int64_t> lhs = boxSizes(getInputBoxes(), 0);
  ArrayRef<int64_t> rhs = boxSizes(getInputBoxes(), 1);
  int64_t l0 = lhs[lhs.size() - 2], l1 = lhs.back();
  int64_t r0 = rhs[rhs.size() - 2], r1 = rhs.back();
  m = getTransposeLhs() ? l1 : l0;
  k = getTransposeLhs() ? l0 : l1;
  n = getTransposeRhs() ? r0 : r1;
}

/// The matrix of a box: its last two dims, all leading dims being 1.
static LogicalResult verifyMatrixBox(Operation *op, StringRef what,
                                     ArrayRef<int64_t> sizes) {
  if (sizes.size() < 2 ||
      llvm::any_of(sizes.drop_back(2), [](int64_t s) { return s != 1; }))
    return op->emitOpError() << what << " box of sizes "
                             << shapeString(sizes)
                             << " is not a matrix (rank >= 2, leading sizes "
                                "1)";
  return success();
}

LogicalResult MatMulVertexOp::verify() {
  if (failed(verifyVertex(*this, getTile(), getInputs(), getInputBoxes(),
                          getOutputs(), getOutputBoxes(), 2, 1)) ||
      failed(verifyMatrixBox(*this, "lhs", boxSizes(getInputBoxes(), 0))) ||
      failed(verifyMatrixBox(*this, "rhs", boxSizes(getInputBoxes(), 1))) ||
      failed(verifyMatrixBox(*this, "result", boxSizes(getOutputBoxes(), 0))))
    return failure();
  int64_t m, n, k;
  getSizes(m, n, k);
  ArrayRef<int64_t> rhs = boxSizes(getInputBoxes(), 1);
  int64_t rhsK = getTransposeRhs() ? rhs.back() : rhs[rhs.size() - 2];
  if (rhsK != k)
    return emitOpError() << "lhs is " << m << "x" << k << " but rhs has "
                         << rhsK << " rows (k must agree)";
  ArrayRef<int64_t> result = boxSizes(getOutputBoxes(), 0);
  if (result[result.size() - 2] != m || result.back() != n)
    return emitOpError() << "result box is "
                         << result[result.size() - 2] << "x" << result.back()
                         << ", expected " << m << "x" << n;
  if (elementTypeOf(getInputs()[0]) != elementTypeOf(getInputs()[1]))
    return emitOpError() << "lhs and rhs element types differ";
  return success();
}

LogicalResult Conv2DVertexOp::verify() {
  if (failed(verifyVertex(*this, getTile(), getInputs(), getInputBoxes(),
                          getOutputs(), getOutputBoxes(), 2, 1)))
    return failure();
  ArrayRef<int64_t> in = boxSizes(getInputBoxes(), 0);
  ArrayRef<int64_t> filter = boxSizes(getInputBoxes(), 1);
  ArrayRef<int64_t> out = boxSizes(getOutputBoxes(), 0);
  if (in.size() != 4 || filter.size() != 4 || out.size() != 4)
    return emitOpError() << "needs 4-D boxes (NHWC input, FHWC filter, NHWC "
                            "result)";
  SmallVector<int64_t> strides{1, 1}, dilations{1, 1};
  if (auto s = getStrides())
    strides.assign(s->begin(), s->end());
  if (auto d = getDilations())
    dilations.assign(d->begin(), d->end());
  if (strides.size() != 2 || dilations.size() != 2 ||
      llvm::any_of(strides, [](int64_t v) { return v < 1; }) ||
      llvm::any_of(dilations, [](int64_t v) { return v < 1; }))
    return emitOpError() << "strides and dilations need two positive values";
  int64_t groups = getGroups();
  if (groups < 1 || in[3] % groups != 0 || filter[0] % groups != 0 ||
      filter[3] * groups != in[3])
    return emitOpError() << "input has " << in[3] << " channels, filter "
                         << filter[3] << " per group, groups " << groups
                         << ": they do not agree";
  int64_t oh = (in[1] - dilations[0] * (filter[1] - 1) - 1) / strides[0] + 1;
  int64_t ow = (in[2] - dilations[1] * (filter[2] - 1) - 1) / strides[1] + 1;
  if (oh < 1 || ow < 1 || out[0] != in[0] || out[1] != oh || out[2] != ow ||
      out[3] != filter[0])
    return emitOpError() << "result box is " << shapeString(out)
                         << ", expected "
                         << shapeString({in[0], oh, ow, filter[0]});
  return success();
}

LogicalResult CopyVertexOp::verify() {
  if (failed(verifyVertex(*this, getTile(), getInputs(), getInputBoxes(),
                          getOutputs(), getOutputBoxes(), 1, 1)))
    return failure();
  auto src = cast<BoxAttr>(getInputBoxes()[0]);
  auto dst = cast<BoxAttr>(getOutputBoxes()[0]);
  if (src.getNumElements() != dst.getNumElements())
    return emitOpError() << "copies " << src.getNumElements()
                         << " elements into a box of "
                         << dst.getNumElements();
  if (elementTypeOf(getInputs()[0]) != elementTypeOf(getOutputs()[0]))
    return emitOpError() << "element types differ";
  return success();
}

LogicalResult FillVertexOp::verify() {
  if (failed(verifyVertex(*this, getTile(), {}, ArrayAttr::get(getContext(), {}),
                          getOutputs(), getOutputBoxes(), 0, 1)))
    return failure();
  Type elementType = elementTypeOf(getOutputs()[0]);
  if (!isa<FloatAttr, IntegerAttr>(getValue()) ||
      getValue().getType() != elementType)
    return emitOpError() << "value " << getValue()
                         << " must be a scalar of the element type "
                         << elementType;
  return success();
}

//===----------------------------------------------------------------------===//
// Exchanges and host streams
//===----------------------------------------------------------------------===//

LogicalResult ExchangeOp::verify() {
  for (Operation &op : getBody().front())
    if (!isa<CopyOp>(op))
      return emitOpError() << "may only contain 'bsp.copy', found '"
                           << op.getName() << "'";
  return success();
}

LogicalResult CopyOp::verify() {
  auto srcType = cast<BufferType>(getSrc().getType());
  auto dstType = cast<BufferType>(getDst().getType());
  if (failed(verifyBoxInBuffer(*this, "source", srcType, getSrcBox())) ||
      failed(verifyBoxInBuffer(*this, "destination", dstType, getDstBox())))
    return failure();
  if (std::optional<ArrayRef<int64_t>> perm = getPerm()) {
    ArrayRef<int64_t> srcSizes = getSrcBox().getSizes(),
                      dstSizes = getDstBox().getSizes();
    if (perm->size() != srcSizes.size() || perm->size() != dstSizes.size())
      return emitOpError() << "has a permutation of " << perm->size()
                           << " dims for boxes of rank " << srcSizes.size()
                           << " and " << dstSizes.size();
    std::string permString = "[";
    llvm::raw_string_ostream os(permString);
    llvm::interleaveComma(*perm, os);
    os << "]";
    SmallVector<bool> seen(perm->size(), false);
    for (int64_t p : *perm) {
      if (p < 0 || p >= static_cast<int64_t>(perm->size()) || seen[p])
        return emitOpError()
               << "perm " << permString << " is not a permutation";
      seen[p] = true;
    }
    for (size_t i = 0; i < perm->size(); ++i)
      if (dstSizes[i] != srcSizes[(*perm)[i]])
        return emitOpError()
               << "copies a box of sizes " << shapeString(srcSizes)
               << " permuted by " << permString << " into one of sizes "
               << shapeString(dstSizes);
  } else if (getSrcBox().getSizes() != getDstBox().getSizes()) {
    return emitOpError() << "copies a box of sizes "
                         << shapeString(getSrcBox().getSizes())
                         << " into one of sizes "
                         << shapeString(getDstBox().getSizes());
  }
  if (srcType.getElementType() != dstType.getElementType())
    return emitOpError() << "copies " << srcType.getElementType()
                         << " elements into " << dstType.getElementType();
  return success();
}

static LogicalResult verifyHostStream(Operation *op, Value value,
                                      TensorRole role) {
  auto tensor = value.getDefiningOp<TensorOp>();
  if (tensor && tensor.getRole() != role)
    return op->emitOpError()
           << "streams '" << tensor.getName() << "', a "
           << stringifyTensorRole(tensor.getRole()) << " tensor; only "
           << stringifyTensorRole(role) << " tensors are streamed this way";
  return success();
}

LogicalResult HostWriteOp::verify() {
  return verifyHostStream(*this, getTensor(), TensorRole::input);
}

LogicalResult HostReadOp::verify() {
  return verifyHostStream(*this, getTensor(), TensorRole::output);
}

#define GET_OP_CLASSES
#include "dialects/Bsp/IR/BspOps.cpp.inc"
