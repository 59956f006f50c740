//===- TileImage.cpp - The tile program's initial tile memory -------------===//

#include "compiler/Plan/TileImage.h"
#include "compiler/Plan/PlanWriting.h"

#include <algorithm>
#include <cstring>

using namespace mlir;
namespace fb = flatbuffers;
namespace plan = ipuc::plan;

void ipuc::TileImageWriter::add(Attribute data, ShapedType type,
                                plan::DType dtype, size_t bytes,
                                ArrayRef<bsp::Interval> mapping) {
  uint64_t elemBytes = bytes / std::max<int64_t>(1, type.getNumElements());
  constants.push_back({data, type, dtype, bytes, elemBytes, mapping});
}

fb::Offset<plan::TileImage>
ipuc::TileImageWriter::write(fb::FlatBufferBuilder &fbb) {
  // Each tile's range spans its constants' bytes, from the lowest address
  // to the highest end: the memory planner places persistent tensors like
  // any others, so what lies between them (zeros here) is other tensors'.
  struct Span {
    uint64_t lo = UINT64_MAX, hi = 0;
  };
  std::vector<Span> spans;
  for (const Constant &c : constants) {
    for (const bsp::Interval &iv : c.mapping) {
      if (iv.size() <= 0)
        continue;
      if (spans.size() <= static_cast<size_t>(iv.tile))
        spans.resize(iv.tile + 1);
      Span &s = spans[iv.tile];
      s.lo = std::min<uint64_t>(s.lo, iv.address);
      s.hi = std::max<uint64_t>(s.hi, iv.address + iv.size() * c.elemBytes);
    }
  }
  std::vector<plan::TileImageRange> ranges;
  std::vector<uint64_t> rangeOffset(spans.size(), 0);
  uint64_t total = 0;
  for (size_t t = 0; t < spans.size(); ++t) {
    if (spans[t].hi <= spans[t].lo)
      continue;
    // From a page of tile memory: a simulator whose tiles start on pages
    // can then map the range's pages from the plan file (the bytes below
    // the lowest constant are zero, as a loaded tile's memory reads).
    spans[t].lo = spans[t].lo / kPageBytes * kPageBytes;
    uint64_t size = spans[t].hi - spans[t].lo;
    rangeOffset[t] = total;
    ranges.emplace_back(t, spans[t].lo, total, size);
    total += (size + kPageBytes - 1) / kPageBytes * kPageBytes;
  }
  if (ranges.empty())
    return 0;
  // Page-aligned from the buffer's end; Finish then pads the whole buffer
  // to a multiple of the largest alignment used, so from its start too.
  // (ForceVectorAlignment would do the same but asserts alignments up to
  // FLATBUFFERS_MAX_ALIGNMENT, 32.)
  fbb.PreAlign(total, kPageBytes);
  uint8_t *image;
  auto bytes = fbb.CreateUninitializedVector(total, &image);
  std::memset(image, 0, total);
  // Each constant row-major into one reused buffer, then its intervals to
  // their tiles' ranges.
  std::vector<uint8_t> rowMajor;
  for (const Constant &c : constants) {
    rowMajor.resize(c.bytes);
    writeConstantBytes(c.data, c.type, c.dtype, rowMajor.data());
    for (const bsp::Interval &iv : c.mapping)
      if (iv.size() > 0)
        std::memcpy(
            image + rangeOffset[iv.tile] + (iv.address - spans[iv.tile].lo),
            rowMajor.data() + iv.begin * c.elemBytes, iv.size() * c.elemBytes);
  }
  return plan::CreateTileImage(fbb, fbb.CreateVectorOfStructs(ranges), bytes);
}
