//===- TileImage.h - The tile program's initial tile memory -----*- C++ -*-===//
//
// A tile program's mapped constants are written into its TileImage
// (plan.fbs) as the tiles hold them, instead of row-major into their
// tensors' data: a loaded simulator then maps the plan file's pages of each
// tile's image into that tile's memory, where scattering 340 MB of encoder
// weights into fresh pages cost more than the host device's whole run.
//
//===----------------------------------------------------------------------===//
#ifndef IPUC_COMPILER_PLAN_TILEIMAGE_H
#define IPUC_COMPILER_PLAN_TILEIMAGE_H

#include "dialects/Bsp/IR/Interval.h"

#include "ipuc/plan/Plan.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <cstdint>
#include <vector>

namespace ipuc {

class TileImageWriter {
public:
  /// The image's start and every tile's range begin on a page of this size.
  static constexpr uint64_t kPageBytes = plan::kTileImagePageBytes;

  /// Takes a constant's `bytes` bytes of data (checked by
  /// getConstantByteSize) into the image at the places `mapping` gives.
  void add(mlir::Attribute data, mlir::ShapedType type, plan::DType dtype,
           size_t bytes, llvm::ArrayRef<bsp::Interval> mapping);

  /// Writes the image (before the TileProgram that refers to it); a null
  /// offset when nothing was added.
  flatbuffers::Offset<plan::TileImage>
  write(flatbuffers::FlatBufferBuilder &fbb);

private:
  struct Constant {
    mlir::Attribute data;
    mlir::ShapedType type;
    plan::DType dtype;
    size_t bytes;
    uint64_t elemBytes;
    llvm::ArrayRef<bsp::Interval> mapping;
  };
  std::vector<Constant> constants;
};

} // namespace ipuc

#endif // IPUC_COMPILER_PLAN_TILEIMAGE_H
