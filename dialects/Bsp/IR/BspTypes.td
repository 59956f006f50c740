//===- BspTypes.td - bsp dialect types ---------------------*- tablegen -*-===//
#ifndef IPUC_DIALECT_BSP_TYPES
#define IPUC_DIALECT_BSP_TYPES

include "BspDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinTypeInterfaces.td"

def Bsp_BufferType : TypeDef<Bsp_Dialect, "Buffer",
    [ShapedTypeInterface]> {
  let mnemonic = "buffer";
  let summary = "Device-resident storage of a statically shaped tensor";
  let description = [{
    The storage of one plan tensor on the device: a static shape and an
    element type. Which elements live on which tile is the mapping of the
    `bsp.tensor` op that defines the buffer.

    ```mlir
    !bsp.buffer<64x128xf32>
    !bsp.buffer<i32>   // a scalar
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape,
                        "::mlir::Type":$elementType);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Product of the dims.
    int64_t getNumElements() const;
    /// Bytes one element occupies in tile memory (i1 takes a byte).
    int64_t getElementBytes() const;
    bool hasRank() const { return true; }
    ::mlir::ShapedType cloneWith(std::optional<::llvm::ArrayRef<int64_t>> shape,
                                 ::mlir::Type elementType) const;
  }];
}

#endif // IPUC_DIALECT_BSP_TYPES
