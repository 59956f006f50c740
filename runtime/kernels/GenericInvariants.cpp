//===- GenericInvariants.cpp - Instructions that compute one value --------===//
//
// Fused kernels carry computations that do not vary over the loop nest: an
// optimizer update's bias corrections (1 - beta^t, from the step counter, a
// scalar operand) are computed beside every element of the parameter, two
// expm1, two sqrt and two divisions per element of an Adam update. An
// instruction whose sources are constants, operands that every loop
// dimension broadcasts (all strides 0) or other such instructions computes the
// same lanes in every chunk, so the driver runs it in a box's first chunk only;
// its register keeps the lanes for the later chunks, which have no more lanes
// than the first.
//
//===----------------------------------------------------------------------===//

#include "GenericInternal.h"

namespace ipuc::kernels::detail {

using plan::Opcode;

int sourceCount(Opcode op) {
  switch (op) {
  case Opcode::ConstF:
  case Opcode::ConstI:
    return 0;
  case Opcode::NegF:
  case Opcode::AbsF:
  case Opcode::AbsI:
  case Opcode::SIToFP:
  case Opcode::UIToFP:
  case Opcode::FPToSI:
  case Opcode::FPToUI:
  case Opcode::ExtF:
  case Opcode::TruncF:
  case Opcode::ExtSI:
  case Opcode::ExtUI:
  case Opcode::TruncI:
  case Opcode::Bitcast:
  case Opcode::Exp:
  case Opcode::Exp2:
  case Opcode::Expm1:
  case Opcode::Log:
  case Opcode::Log2:
  case Opcode::Log1p:
  case Opcode::Tanh:
  case Opcode::Sqrt:
  case Opcode::Rsqrt:
  case Opcode::Erf:
  case Opcode::Floor:
  case Opcode::Ceil:
  case Opcode::Round:
  case Opcode::RoundEven:
  case Opcode::Trunc:
  case Opcode::Sin:
  case Opcode::Cos:
  case Opcode::Tan:
  case Opcode::Atan:
  case Opcode::Asin:
  case Opcode::Acos:
  case Opcode::Sinh:
  case Opcode::Cosh:
  case Opcode::Asinh:
  case Opcode::Acosh:
  case Opcode::Atanh:
  case Opcode::IsNaN:
  case Opcode::IsInf:
  case Opcode::CountLeadingZeros:
  case Opcode::Sign:
    return 1;
  case Opcode::AddF:
  case Opcode::SubF:
  case Opcode::MulF:
  case Opcode::DivF:
  case Opcode::RemF:
  case Opcode::MaxF:
  case Opcode::MinF:
  case Opcode::MaxNumF:
  case Opcode::MinNumF:
  case Opcode::AddI:
  case Opcode::SubI:
  case Opcode::MulI:
  case Opcode::DivSI:
  case Opcode::DivUI:
  case Opcode::RemSI:
  case Opcode::RemUI:
  case Opcode::MaxSI:
  case Opcode::MinSI:
  case Opcode::MaxUI:
  case Opcode::MinUI:
  case Opcode::AndI:
  case Opcode::OrI:
  case Opcode::XorI:
  case Opcode::ShLI:
  case Opcode::ShRSI:
  case Opcode::ShRUI:
  case Opcode::CeilDivSI:
  case Opcode::FloorDivSI:
  case Opcode::CmpF:
  case Opcode::CmpI:
  case Opcode::PowF:
  case Opcode::FPowI:
  case Opcode::IPowI:
  case Opcode::Atan2:
  case Opcode::CopySign:
    return 2;
  default:
    return 3;
  }
}

std::vector<uint8_t> invariantInstructions(const GenericArgs &a,
                                           const LoopNest &nest) {
  const size_t nops = nest.strides.size();
  std::vector<uint8_t> invariant(a.programSize, 0);
  std::vector<uint8_t> value(a.numRegisters, 0);
  std::vector<int> writes(a.numRegisters, 0);
  for (size_t pc = 0; pc < a.programSize; ++pc)
    if (a.program[pc].opcode() != Opcode::Yield &&
        a.program[pc].dst() < a.numRegisters)
      ++writes[a.program[pc].dst()];
  // Operand registers are reloaded every chunk; broadcast inputs hold the
  // same lanes each time. Outputs do not (a reduction's accumulator is one
  // element rewritten by every chunk), nor do inputs that share an output's
  // buffer.
  for (size_t k = 0; k < a.inputs.size() && k < a.numRegisters; ++k) {
    bool broadcast = writes[k] == 0;
    for (int64_t s : nest.strides[k])
      broadcast &= s == 0;
    for (const StridedOperand &o : a.outputs)
      broadcast &= o.data != a.inputs[k].data;
    value[k] = broadcast;
  }
  for (size_t pc = 0; pc < a.programSize; ++pc) {
    const plan::Instr &in = a.program[pc];
    Opcode op = in.opcode();
    if (op == Opcode::Yield || op == Opcode::Index || op == Opcode::Extract)
      continue;
    unsigned dst = in.dst();
    // Only a register written once, by this instruction, keeps its lanes.
    if (dst < nops || dst >= a.numRegisters || writes[dst] != 1)
      continue;
    const unsigned sources[3] = {in.a(), in.b(), in.c()};
    bool inv = true;
    for (int s = 0; s < sourceCount(op); ++s)
      inv &= sources[s] < a.numRegisters && value[sources[s]];
    invariant[pc] = value[dst] = inv;
  }
  return invariant;
}

} // namespace ipuc::kernels::detail
