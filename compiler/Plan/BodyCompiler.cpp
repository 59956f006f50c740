//===- BodyCompiler.cpp - linalg body -> plan Instr program --------------===//

#include "compiler/Plan/BodyCompiler.h"
#include "compiler/Plan/HostPlanSupport.h"
#include "dialects/Bsp/IR/BspOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;
using ipuc::plan::DType;
using ipuc::plan::Instr;
using ipuc::plan::Opcode;

std::optional<Opcode> ipuc::getSimpleOpcode(Operation *op) {
  static const llvm::StringMap<Opcode> table = {
      {"arith.addf", Opcode::AddF},
      {"arith.subf", Opcode::SubF},
      {"arith.mulf", Opcode::MulF},
      {"arith.divf", Opcode::DivF},
      {"arith.remf", Opcode::RemF},
      {"arith.negf", Opcode::NegF},
      {"arith.maximumf", Opcode::MaxF},
      {"arith.minimumf", Opcode::MinF},
      {"arith.maxnumf", Opcode::MaxNumF},
      {"arith.minnumf", Opcode::MinNumF},
      {"arith.addi", Opcode::AddI},
      {"arith.subi", Opcode::SubI},
      {"arith.muli", Opcode::MulI},
      {"arith.divsi", Opcode::DivSI},
      {"arith.divui", Opcode::DivUI},
      {"arith.remsi", Opcode::RemSI},
      {"arith.remui", Opcode::RemUI},
      {"arith.maxsi", Opcode::MaxSI},
      {"arith.minsi", Opcode::MinSI},
      {"arith.maxui", Opcode::MaxUI},
      {"arith.minui", Opcode::MinUI},
      {"arith.andi", Opcode::AndI},
      {"arith.ori", Opcode::OrI},
      {"arith.xori", Opcode::XorI},
      {"arith.shli", Opcode::ShLI},
      {"arith.shrsi", Opcode::ShRSI},
      {"arith.shrui", Opcode::ShRUI},
      {"arith.ceildivsi", Opcode::CeilDivSI},
      {"arith.floordivsi", Opcode::FloorDivSI},
      {"arith.select", Opcode::Select},
      {"arith.sitofp", Opcode::SIToFP},
      {"arith.uitofp", Opcode::UIToFP},
      {"arith.fptosi", Opcode::FPToSI},
      {"arith.fptoui", Opcode::FPToUI},
      {"arith.extf", Opcode::ExtF},
      {"arith.truncf", Opcode::TruncF},
      {"arith.extsi", Opcode::ExtSI},
      {"arith.extui", Opcode::ExtUI},
      {"arith.trunci", Opcode::TruncI},
      {"arith.bitcast", Opcode::Bitcast},
      {"math.exp", Opcode::Exp},
      {"math.exp2", Opcode::Exp2},
      {"math.expm1", Opcode::Expm1},
      {"math.log", Opcode::Log},
      {"math.log2", Opcode::Log2},
      {"math.log1p", Opcode::Log1p},
      {"math.tanh", Opcode::Tanh},
      {"math.sqrt", Opcode::Sqrt},
      {"math.rsqrt", Opcode::Rsqrt},
      {"math.absf", Opcode::AbsF},
      {"math.absi", Opcode::AbsI},
      {"math.erf", Opcode::Erf},
      {"math.powf", Opcode::PowF},
      {"math.fpowi", Opcode::FPowI},
      {"math.ipowi", Opcode::IPowI},
      {"math.floor", Opcode::Floor},
      {"math.ceil", Opcode::Ceil},
      {"math.round", Opcode::Round},
      {"math.roundeven", Opcode::RoundEven},
      {"math.trunc", Opcode::Trunc},
      {"math.sin", Opcode::Sin},
      {"math.cos", Opcode::Cos},
      {"math.tan", Opcode::Tan},
      {"math.atan", Opcode::Atan},
      {"math.atan2", Opcode::Atan2},
      {"math.asin", Opcode::Asin},
      {"math.acos", Opcode::Acos},
      {"math.sinh", Opcode::Sinh},
      {"math.cosh", Opcode::Cosh},
      {"math.asinh", Opcode::Asinh},
      {"math.acosh", Opcode::Acosh},
      {"math.atanh", Opcode::Atanh},
      {"math.copysign", Opcode::CopySign},
      {"math.fma", Opcode::Fma},
      {"math.isnan", Opcode::IsNaN},
      {"math.isinf", Opcode::IsInf},
      {"math.ctlz", Opcode::CountLeadingZeros},
  };
  auto it = table.find(op->getName().getStringRef());
  if (it == table.end())
    return std::nullopt;
  return it->second;
}

namespace {
class BodyCompiler {
public:
  BodyCompiler(Block &body, Operation *owner, ipuc::CompiledBody &out)
      : block(&body), op(owner), out(out) {}

  LogicalResult run() {
    for (BlockArgument arg : block->getArguments()) {
      // A bsp vertex's gathered inputs: read only by tensor.extract.
      if (isa<RankedTensorType>(arg.getType()) &&
          isa<ipuc::bsp::GenericVertexOp>(op))
        continue;
      std::optional<DType> dtype = ipuc::getPlanDType(arg.getType());
      if (!dtype)
        return op->emitError() << "block argument type " << arg.getType()
                               << " has no plan dtype";
      registers[arg] = next++;
      registerTypes.push_back(*dtype);
    }
    for (Operation &bodyOp : block->without_terminator())
      if (failed(compileOp(&bodyOp)))
        return failure();
    Operation *yield = block->getTerminator();
    for (auto [i, value] : llvm::enumerate(yield->getOperands())) {
      FailureOr<uint16_t> reg = getRegister(value, yield);
      if (failed(reg))
        return failure();
      std::optional<DType> dtype = ipuc::getPlanDType(value.getType());
      emit(Opcode::Yield, *dtype, /*dst=*/0, i, *reg);
    }
    if (next > std::numeric_limits<uint16_t>::max())
      return op->emitError() << "body needs " << next
                             << " registers; the plan allows at most 65535";
    out.numRegisters = next;
    return success();
  }

private:
  /// Appends an instruction; the operand dtype is taken from register `a`
  /// when the opcode reads registers, else equals the result dtype.
  void emit(Opcode opcode, DType dtype, uint32_t dst, uint32_t a = 0,
            uint32_t b = 0, uint32_t c = 0, int64_t iimm = 0,
            double fimm = 0.0, std::optional<DType> srcDType = {}) {
    out.program.emplace_back(opcode, dtype, srcDType.value_or(dtype), dst, a,
                             b, c, iimm, fimm);
  }

  uint32_t newRegister(DType dtype) {
    registerTypes.push_back(dtype);
    return next++;
  }

  /// Materializes a scalar constant into a register.
  FailureOr<uint32_t> emitConstant(Attribute attr, Type type, Operation *at) {
    std::optional<DType> dtype = ipuc::getPlanDType(type);
    if (!dtype)
      return at->emitError() << "constant of type " << type
                             << " has no plan dtype";
    uint32_t reg = newRegister(*dtype);
    if (auto floatAttr = dyn_cast<FloatAttr>(attr)) {
      emit(Opcode::ConstF, *dtype, reg, 0, 0, 0, 0,
           floatAttr.getValueAsDouble());
      return reg;
    }
    if (auto intAttr = dyn_cast<IntegerAttr>(attr)) {
      APInt value = intAttr.getValue();
      int64_t imm = value.getBitWidth() == 1 ? (int64_t)value.getZExtValue()
                                             : value.getSExtValue();
      emit(Opcode::ConstI, *dtype, reg, 0, 0, 0, imm);
      return reg;
    }
    return at->emitError() << "unsupported constant " << attr;
  }

  /// The register holding `value`; constants defined outside the body are
  /// materialized on first use.
  FailureOr<uint16_t> getRegister(Value value, Operation *user) {
    auto it = registers.find(value);
    if (it != registers.end())
      return (uint16_t)it->second;
    Attribute attr;
    if (matchPattern(value, m_Constant(&attr))) {
      FailureOr<uint32_t> reg = emitConstant(attr, value.getType(), user);
      if (failed(reg))
        return failure();
      registers[value] = *reg;
      return (uint16_t)*reg;
    }
    return user->emitError()
           << "'" << user->getName()
           << "' uses a value defined outside the body of '" << op->getName()
           << "' that is not a constant; the host plan cannot capture it";
  }

  LogicalResult compileOp(Operation *bodyOp) {
    if (failed(ipuc::checkBodyOpSupport(bodyOp, op)))
      return failure();
    if (bodyOp->getNumResults() != 1)
      return bodyOp->emitError() << "'" << bodyOp->getName()
                                 << "' must have exactly one result";
    Value result = bodyOp->getResult(0);
    DType dtype = *ipuc::getPlanDType(result.getType());

    Attribute constAttr;
    if (matchPattern(bodyOp, m_Constant(&constAttr))) {
      FailureOr<uint32_t> reg = emitConstant(constAttr, result.getType(), bodyOp);
      if (failed(reg))
        return failure();
      registers[result] = *reg;
      return success();
    }

    SmallVector<uint16_t, 3> args;
    for (Value operand : bodyOp->getOperands()) {
      if (isa<tensor::ExtractOp>(bodyOp) && operand == bodyOp->getOperand(0))
        continue; // The captured tensor, not a register.
      FailureOr<uint16_t> reg = getRegister(operand, bodyOp);
      if (failed(reg))
        return failure();
      args.push_back(*reg);
    }
    auto arg = [&](unsigned i) -> uint32_t {
      return i < args.size() ? args[i] : 0;
    };
    std::optional<DType> srcDType;
    if (bodyOp->getNumOperands() > 0)
      srcDType = ipuc::getPlanDType(bodyOp->getOperand(0).getType());
    // Select's interesting operand type is that of the values it chooses.
    if (isa<arith::SelectOp>(bodyOp))
      srcDType = dtype;

    uint32_t dst;
    if (auto index = dyn_cast<linalg::IndexOp>(bodyOp)) {
      dst = newRegister(dtype);
      emit(Opcode::Index, dtype, dst, index.getDim());
    } else if (auto index = dyn_cast<ipuc::bsp::IndexOp>(bodyOp)) {
      dst = newRegister(dtype);
      emit(Opcode::Index, dtype, dst, index.getDim());
    } else if (auto extract = dyn_cast<tensor::ExtractOp>(bodyOp)) {
      Value tensor = extract.getTensor();
      auto *capturedIt = llvm::find(out.captured, tensor);
      unsigned capturedIndex = capturedIt - out.captured.begin();
      if (capturedIt == out.captured.end())
        out.captured.push_back(tensor);
      // Extract reads its indices from consecutive registers; copy them
      // unless they already are.
      bool consecutive = true;
      for (unsigned i = 1; i < args.size(); ++i)
        consecutive &= args[i] == args[0] + i;
      uint32_t first = args.empty() ? 0 : args[0];
      if (!consecutive) {
        if (!zeroRegister) {
          zeroRegister = newRegister(DType::I64);
          emit(Opcode::ConstI, DType::I64, *zeroRegister, 0, 0, 0, 0);
        }
        first = next;
        for (uint16_t index : args) {
          uint32_t copy = newRegister(DType::I64);
          emit(Opcode::AddI, DType::I64, copy, index, *zeroRegister);
        }
      }
      dst = newRegister(dtype);
      emit(Opcode::Extract, dtype, dst, capturedIndex, first, args.size(), 0,
           0.0, DType::I64);
    } else if (auto cmpf = dyn_cast<arith::CmpFOp>(bodyOp)) {
      dst = newRegister(dtype);
      emit(Opcode::CmpF, dtype, dst, arg(0), arg(1), 0,
           (int64_t)cmpf.getPredicate(), 0.0, srcDType);
    } else if (auto cmpi = dyn_cast<arith::CmpIOp>(bodyOp)) {
      dst = newRegister(dtype);
      emit(Opcode::CmpI, dtype, dst, arg(0), arg(1), 0,
           (int64_t)cmpi.getPredicate(), 0.0, srcDType);
    } else if (isa<arith::IndexCastOp, arith::IndexCastUIOp>(bodyOp)) {
      // index is i64 in the plan: widen, narrow or (same width) re-normalize.
      unsigned srcWidth = bodyOp->getOperand(0).getType().isIndex()
                              ? 64
                              : bodyOp->getOperand(0).getType().getIntOrFloatBitWidth();
      unsigned dstWidth =
          result.getType().isIndex() ? 64 : result.getType().getIntOrFloatBitWidth();
      Opcode opcode = isa<arith::IndexCastOp>(bodyOp) ? Opcode::ExtSI
                                                      : Opcode::ExtUI;
      if (dstWidth < srcWidth)
        opcode = Opcode::TruncI;
      dst = newRegister(dtype);
      emit(opcode, dtype, dst, arg(0), 0, 0, 0, 0.0, srcDType);
    } else if (std::optional<Opcode> opcode = ipuc::getSimpleOpcode(bodyOp)) {
      dst = newRegister(dtype);
      emit(*opcode, dtype, dst, arg(0), arg(1), arg(2), 0, 0.0, srcDType);
    } else {
      return bodyOp->emitError()
             << "'" << bodyOp->getName() << "' in the body of '"
             << op->getName() << "' is not supported by the host plan";
    }
    registers[result] = dst;
    return success();
  }

  Block *block;
  Operation *op;
  ipuc::CompiledBody &out;
  llvm::DenseMap<Value, uint32_t> registers;
  std::vector<DType> registerTypes;
  std::optional<uint32_t> zeroRegister;
  uint32_t next = 0;
};
} // namespace

LogicalResult ipuc::compileBody(Block &body, Operation *owner,
                                CompiledBody &out) {
  out = CompiledBody();
  return BodyCompiler(body, owner, out).run();
}

LogicalResult ipuc::compileBody(linalg::LinalgOp op, CompiledBody &out) {
  return compileBody(*op.getBlock(), op, out);
}
