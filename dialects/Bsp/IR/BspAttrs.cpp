//===- BspAttrs.cpp - bsp dialect attributes and types -------------------===//

#include "dialects/Bsp/IR/BspAttrs.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace ipuc::bsp;

//===----------------------------------------------------------------------===//
// Parameter helpers
//===----------------------------------------------------------------------===//

FailureOr<APFloat> ipuc::bsp::parseDouble(AsmParser &parser) {
  // Integers are accepted as they are printed: 32 means 32.0.
  int64_t integer;
  OptionalParseResult parsedInteger = parser.parseOptionalInteger(integer);
  if (parsedInteger.has_value()) {
    if (failed(*parsedInteger))
      return failure();
    return APFloat(double(integer));
  }
  double value;
  if (parser.parseFloat(value))
    return failure();
  return APFloat(value);
}

void ipuc::bsp::printDouble(AsmPrinter &printer, double value) {
  if (std::isfinite(value) && value == std::trunc(value) &&
      std::fabs(value) < 1e18) {
    printer << static_cast<int64_t>(value);
    return;
  }
  // The shortest %g form that reads back exactly; MLIR's lexer needs a '.'
  // in a float literal.
  char buffer[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value)
      break;
  }
  std::string text = buffer;
  if (text.find('.') == std::string::npos) {
    size_t exponent = text.find('e');
    text.insert(exponent == std::string::npos ? text.size() : exponent, ".0");
  }
  printer << text;
}

ParseResult ipuc::bsp::parseDimList(AsmParser &parser,
                                    SmallVector<int64_t> &dims) {
  return parser.parseCommaSeparatedList(
      AsmParser::Delimiter::Square, [&]() -> ParseResult {
        int64_t value;
        if (parser.parseInteger(value))
          return failure();
        dims.push_back(value);
        return success();
      });
}

void ipuc::bsp::printDimList(AsmPrinter &printer, ArrayRef<int64_t> dims) {
  printer << '[';
  llvm::interleaveComma(dims, printer);
  printer << ']';
}

static ParseResult parseIntervalList(AsmParser &parser,
                                     SmallVector<Interval> &intervals) {
  // Each element goes through #bsp.interval's own parser and checks (parsing
  // is not hot; only the in-memory form is flat).
  return parser.parseCommaSeparatedList(
      AsmParser::Delimiter::Square, [&]() -> ParseResult {
        IntervalAttr iv;
        if (parser.parseAttribute(iv))
          return failure();
        intervals.push_back(
            {iv.getTile(), iv.getBegin(), iv.getEnd(), iv.getAddress()});
        return success();
      });
}

void ipuc::bsp::printIntervalList(AsmPrinter &printer,
                                  ArrayRef<Interval> intervals) {
  // Written directly rather than through an IntervalAttr per element, in
  // #bsp.interval's syntax.
  raw_ostream &os = printer.getStream();
  os << '[';
  for (auto [i, iv] : llvm::enumerate(intervals))
    os << (i ? ", " : "") << "#bsp.interval<" << iv.tile << ", " << iv.begin
       << ", " << iv.end << ", " << iv.address << '>';
  os << ']';
}

// The generated attribute parsers hand custom directives a FailureOr.
bool ipuc::bsp::forEachBoxRun(ArrayRef<int64_t> shape,
                              ArrayRef<int64_t> offsets,
                              ArrayRef<int64_t> sizes,
                              llvm::function_ref<bool(int64_t, int64_t)> fn) {
  int64_t rank = shape.size();
  if (rank == 0)
    return fn(0, 1);
  SmallVector<int64_t> strides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  // Trailing dims the box spans completely are one run.
  int64_t k = rank - 1, length = sizes[k];
  while (k > 0 && sizes[k] == shape[k])
    length *= sizes[--k];
  SmallVector<int64_t> index(k, 0);
  while (true) {
    int64_t begin = offsets[k] * strides[k];
    for (int64_t d = 0; d < k; ++d)
      begin += (offsets[d] + index[d]) * strides[d];
    if (!fn(begin, length))
      return false;
    int64_t d = k - 1;
    for (; d >= 0; --d) {
      if (++index[d] < sizes[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return true;
  }
}

namespace ipuc::bsp {
static ParseResult parseDimList(AsmParser &parser,
                                FailureOr<SmallVector<int64_t>> &dims) {
  SmallVector<int64_t> values;
  if (parseDimList(parser, values))
    return failure();
  dims = std::move(values);
  return success();
}
} // namespace ipuc::bsp

int64_t ipuc::bsp::getElementBytes(Type type) {
  if (type.isIntOrIndexOrFloat() && !type.isIndex())
    return (type.getIntOrFloatBitWidth() + 7) / 8;
  return 8; // index
}

#include "dialects/Bsp/IR/BspEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Bsp/IR/BspAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/Bsp/IR/BspTypes.cpp.inc"

void BspDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Bsp/IR/BspAttrs.cpp.inc"
      >();
}

void BspDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/Bsp/IR/BspTypes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

LogicalResult DeviceAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StringRef name, int64_t tiles,
                                 int64_t sramBytes, APFloat clockHzValue,
                                 int64_t workers, APFloat fp32Value,
                                 APFloat fp16Value, APFloat elementwiseValue,
                                 APFloat exchangeValue, int64_t syncCycles) {
  double clockHz = clockHzValue.convertToDouble();
  double fp32 = fp32Value.convertToDouble();
  double fp16 = fp16Value.convertToDouble();
  double elementwise = elementwiseValue.convertToDouble();
  double exchange = exchangeValue.convertToDouble();
  if (tiles <= 0)
    return emitError() << "device '" << name << "' needs at least one tile";
  if (sramBytes <= 0)
    return emitError() << "device '" << name
                       << "' needs a positive sram_bytes";
  if (workers <= 0)
    return emitError() << "device '" << name
                       << "' needs at least one worker thread";
  if (!(clockHz > 0) || !(fp32 > 0) || !(fp16 > 0) || !(elementwise > 0) ||
      !(exchange > 0))
    return emitError() << "device '" << name
                       << "' needs a positive clock and positive throughputs";
  if (syncCycles < 0)
    return emitError() << "device '" << name
                       << "' has negative sync_cycles";
  return success();
}

/// The checks of one interval, shared by #bsp.interval and #bsp.mapping.
static LogicalResult
verifyInterval(function_ref<InFlightDiagnostic()> emitError,
               const Interval &iv) {
  auto [tile, begin, end, address] = iv;
  if (tile < 0)
    return emitError() << "interval tile " << tile << " is negative";
  if (begin < 0 || end <= begin)
    return emitError() << "interval [" << begin << ", " << end
                       << ") is empty or negative";
  if (address < 0)
    return emitError() << "interval address " << address << " is negative";
  return success();
}

LogicalResult
IntervalAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                     int64_t tile, int64_t begin, int64_t end,
                     int64_t address) {
  return verifyInterval(emitError, {tile, begin, end, address});
}

MappingAttr ipuc::bsp::parseMappingList(AsmParser &parser) {
  SmallVector<Interval> intervals;
  SMLoc loc = parser.getCurrentLocation();
  if (failed(parseIntervalList(parser, intervals)))
    return {};
  return MappingAttr::getChecked([&] { return parser.emitError(loc); },
                                 parser.getContext(),
                                 ArrayRef<Interval>(intervals));
}

Attribute MappingAttr::parse(AsmParser &parser, Type) {
  MappingAttr mapping;
  if (parser.parseLess() || !(mapping = parseMappingList(parser)) ||
      parser.parseGreater())
    return {};
  return mapping;
}

void MappingAttr::print(AsmPrinter &printer) const {
  printer << '<';
  printIntervalList(printer, getIntervals());
  printer << '>';
}

LogicalResult MappingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  ArrayRef<Interval> intervals) {
  for (const Interval &iv : intervals)
    if (failed(verifyInterval(emitError, iv)))
      return failure();
  return success();
}

LogicalResult BoxAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                              ArrayRef<int64_t> offsets,
                              ArrayRef<int64_t> sizes) {
  if (offsets.size() != sizes.size())
    return emitError() << "box has " << offsets.size() << " offsets but "
                       << sizes.size() << " sizes";
  if (llvm::any_of(offsets, [](int64_t v) { return v < 0; }))
    return emitError() << "box offsets must be non-negative";
  if (llvm::any_of(sizes, [](int64_t v) { return v < 1; }))
    return emitError() << "box sizes must be positive";
  return success();
}

LogicalResult GridAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t pb, int64_t pm, int64_t pn, int64_t pk,
                               int64_t kChunks, int64_t cycles,
                               int64_t bytesPerTile) {
  if (pb < 1 || pm < 1 || pn < 1 || pk < 1 || kChunks < 1)
    return emitError() << "grid " << pb << "x" << pm << "x" << pn << "x" << pk
                       << " with " << kChunks
                       << " k chunks needs counts of at least 1";
  if (cycles < 0 || bytesPerTile < 0)
    return emitError() << "grid cycles and bytes_per_tile must be "
                          "non-negative";
  return success();
}

int64_t BoxAttr::getNumElements() const {
  int64_t count = 1;
  for (int64_t size : getSizes())
    count *= size;
  return count;
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

Type BufferType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  Type elementType;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/false) ||
      parser.parseType(elementType) || parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(parser.getNameLoc()); },
                    parser.getContext(), shape, elementType);
}

void BufferType::print(AsmPrinter &printer) const {
  printer << '<';
  for (int64_t dim : getShape())
    printer << dim << 'x';
  printer << getElementType() << '>';
}

LogicalResult BufferType::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ArrayRef<int64_t> shape, Type elementType) {
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return emitError() << "buffer dims must be static and non-negative";
  if (!elementType.isIntOrFloat())
    return emitError() << "buffer element type must be an integer or float, "
                          "not "
                       << elementType;
  return success();
}

int64_t BufferType::getNumElements() const {
  int64_t count = 1;
  for (int64_t dim : getShape())
    count *= dim;
  return count;
}

int64_t BufferType::getElementBytes() const {
  return ipuc::bsp::getElementBytes(getElementType());
}

ShapedType BufferType::cloneWith(std::optional<ArrayRef<int64_t>> shape,
                                 Type elementType) const {
  return BufferType::get(getContext(), shape ? *shape : getShape(),
                         elementType);
}
