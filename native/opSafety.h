// What the generic operator door (callOp) checks around a libtorch call, so that no argument
// can crash the process: libtorch trusts some inputs without checking them. See opSafety.cc.
#pragma once

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/ivalue.h>

#include <napi.h>
#include <string>
#include <vector>

namespace wildcat {

// The checks one operator needs, decided once when it is resolved.
struct OpChecks {
  std::string name;                 // 'aten::zeros', 'aten::add.Tensor'
  bool nonEmptyTensors = false;     // every tensor argument must have elements
  std::vector<size_t> enumArgs;     // ScalarType / Layout / MemoryFormat arguments (range-checked)
};

// Throws std::runtime_error naming the operator when it may not be called through op():
// operators outside the aten namespace, and internal aten kernels that crash on inputs they
// do not check (found by bench/fuzz/opAudit.ts). Otherwise returns the checks its calls need.
OpChecks ChecksFor(const c10::OperatorHandle& op, const std::string& name, const std::string& overload);

// Before the call: throws std::out_of_range naming the operator and
// the argument when the call would reach a kernel that crashes instead of raising an error
// (empty tensors where a kernel divides by or reads its first element; enum codes out of range).
void CheckOpArguments(const c10::OperatorHandle& op, const OpChecks& checks, const std::vector<c10::IValue>& stack);

// After the call: throws std::out_of_range if a returned tensor views memory outside its
// storage (unchecked view operators such as aten::_reshape_alias): reading it would read
// arbitrary memory.
void CheckOpResults(const std::string& name, const std::vector<c10::IValue>& stack, size_t numReturns);

// The tensor whose memory toBuffer may copy: t itself, or real zeros for a ZeroTensor.
at::Tensor Readable(const at::Tensor& t);

// listOps() -> [[name, overload], ...] for every operator the dispatcher knows (for the audit).
Napi::Value ListOps(const Napi::CallbackInfo& info);

}  // namespace wildcat
