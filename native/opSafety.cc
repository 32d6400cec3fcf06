// The generic door `callOp` reaches every operator of the dispatcher, including internal
// kernels that trust their callers (PyTorch's Python layer checks before calling them). An
// audit (bench/fuzz/opAudit.ts: every aten operator with empty, 0-dim, out-of-range and
// ordinary arguments, each call in a watched child process) found 36 operators of libtorch
// 1.13 that kill the process (SIGSEGV, SIGFPE, SIGABRT) instead of raising an error, e.g.
// aten::_local_scalar_dense on an empty tensor. They are either checked here (the condition
// libtorch misses) or refused, and every returned view is checked to lie inside its storage.
#include "opSafety.h"

#include <ATen/ATen.h>
#include <c10/core/Layout.h>
#include <c10/core/MemoryFormat.h>
#include <c10/core/ScalarType.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace wildcat {
namespace {

// Internal kernels that crashed on some input and whose preconditions cannot be checked
// cheaply from outside; each with the operator to use instead (empty: none needed from JS).
const std::unordered_map<std::string, const char*>& RefusedOps() {
  static const std::unordered_map<std::string, const char*> refused = {
      {"aten::_batch_norm_impl_index_backward", "autograd through aten::batch_norm"},
      {"aten::_convert_indices_from_coo_to_csr", ""},
      {"aten::_convert_indices_from_csr_to_coo", ""},
      {"aten::_cummax_helper", "aten::cummax"},
      {"aten::_efficientzerotensor", "aten::zeros"},
      {"aten::_cummin_helper", "aten::cummin"},
      {"aten::_pad_packed_sequence", ""},
      {"aten::_pdist_backward", "autograd through aten::pdist"},
      {"aten::_remove_batch_dim", ""},
      {"aten::_reshape_alias_copy", "aten::reshape"},
      {"aten::_sobol_engine_initialize_state_", ""},
      {"aten::_symeig_helper", "aten::linalg_eigh"},
      {"aten::_thnn_differentiable_gru_cell_backward", "autograd through aten::gru_cell"},
      {"aten::_thnn_differentiable_lstm_cell_backward", "autograd through aten::lstm_cell"},
      {"aten::_weight_norm_interface_backward", "autograd through aten::_weight_norm"},
      {"aten::choose_qparams_optimized", ""},
      {"aten::matrix_exp_backward", "autograd through aten::matrix_exp"},
      {"aten::native_batch_norm_backward", "autograd through aten::batch_norm"},
      {"aten::native_channel_shuffle", "aten::channel_shuffle"},
  };
  return refused;
}

// Kernels that read the first element, or divide by the element count, without checking that
// there is one: every tensor argument must be non-empty.
bool NeedsNonEmptyTensors(const std::string& name) {
  static const char* const names[] = {
      "aten::_local_scalar_dense", "aten::_weight_norm", "aten::_weight_norm_interface",
      "aten::batch_norm_update_stats", "aten::native_batch_norm", "aten::slow_conv3d",
      "aten::slow_conv3d_forward",
  };
  return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return name == n; });
}

bool IsEnumType(c10::TypePtr t) {
  if (t->kind() == c10::TypeKind::OptionalType) t = t->castRaw<c10::OptionalType>()->getElementType();
  auto k = t->kind();
  return k == c10::TypeKind::ScalarTypeType || k == c10::TypeKind::LayoutType || k == c10::TypeKind::MemoryFormatType;
}

std::string Shape(const at::Tensor& t) {
  std::ostringstream ss;
  ss << '[';
  for (size_t i = 0; i < t.sizes().size(); i++) ss << (i ? ", " : "") << t.sizes()[i];
  ss << ']';
  return ss.str();
}

// The enum-valued arguments travel as integers; libtorch indexes tables with them unchecked.
void CheckEnum(const std::string& op, const c10::Argument& arg, const c10::IValue& v) {
  if (!v.isInt()) return;
  c10::TypePtr t = arg.real_type();
  if (t->kind() == c10::TypeKind::OptionalType) t = t->castRaw<c10::OptionalType>()->getElementType();
  int64_t x = v.toInt();
  const char* what = nullptr;
  int64_t limit = 0;
  switch (t->kind()) {
    case c10::TypeKind::ScalarTypeType:
      what = "a ScalarType code (0 uint8, 1 int8, 2 int16, 3 int32, 4 int64, 5 float16, 6 float32, 7 float64, 11 bool, 15 bfloat16, ...)";
      limit = static_cast<int64_t>(c10::ScalarType::NumOptions);
      break;
    case c10::TypeKind::LayoutType:
      what = "a Layout code (0 strided, 1 sparse, ...)";
      limit = static_cast<int64_t>(c10::Layout::NumOptions);
      break;
    case c10::TypeKind::MemoryFormatType:
      what = "a MemoryFormat code (0 contiguous, 1 preserve, 2 channels_last, 3 channels_last_3d)";
      limit = static_cast<int64_t>(c10::MemoryFormat::NumOptions);
      break;
    default:
      return;
  }
  if (x < 0 || x >= limit) {
    throw std::out_of_range("Expected " + std::string(what) + " for argument '" + arg.name() + "' of " + op +
                            " but received " + std::to_string(x));
  }
}

}  // namespace

OpChecks ChecksFor(const c10::OperatorHandle& op, const std::string& name, const std::string& overload) {
  if (name.rfind("aten::", 0) != 0) {
    throw std::runtime_error("Expected an aten:: operator for op() but received '" + name +
                                "': only ATen operators are exposed (other namespaces hold internal, quantized, "
                                "distributed and test kernels that do not check their arguments)");
  }
  auto it = RefusedOps().find(name);
  if (it != RefusedOps().end()) {
    std::string use = it->second;
    throw std::runtime_error(name + " is an internal libtorch kernel that crashes the process on inputs it does not check; "
                                "it is not exposed through op()" + (use.empty() ? std::string() : "; use " + use + " instead"));
  }
  OpChecks checks;
  checks.name = overload.empty() ? name : name + "." + overload;
  checks.nonEmptyTensors = NeedsNonEmptyTensors(name);
  const auto& args = op.schema().arguments();
  for (size_t i = 0; i < args.size(); i++) {
    if (IsEnumType(args[i].real_type())) checks.enumArgs.push_back(i);
  }
  return checks;
}

void CheckOpArguments(const c10::OperatorHandle& op, const OpChecks& checks, const std::vector<c10::IValue>& stack) {
  const auto& args = op.schema().arguments();
  const std::string& name = checks.name;
  for (size_t i : checks.enumArgs) {
    if (i < stack.size()) CheckEnum(name, args[i], stack[i]);
  }
  if (!checks.nonEmptyTensors) return;
  for (size_t i = 0; i < args.size() && i < stack.size(); i++) {
    const c10::IValue& v = stack[i];
    if (v.isTensor()) {
      const at::Tensor& t = v.toTensor();
      if (t.defined() && t.numel() == 0) {
        throw std::out_of_range("Expected a non-empty tensor for argument '" + args[i].name() + "' of " + name +
                                    " but received an empty tensor of shape " + Shape(t) +
                                    " (libtorch does not check this and would crash)");
      }
    }
  }
}

void CheckOpResults(const std::string& name, const std::vector<c10::IValue>& stack, size_t numReturns) {
  for (size_t r = 0; r < numReturns && r < stack.size(); r++) {
    if (!stack[r].isTensor()) continue;
    const at::Tensor& t = stack[r].toTensor();
    if (!t.defined() || t.layout() != c10::kStrided || !t.has_storage() || t.numel() == 0) continue;
    int64_t last = t.storage_offset();
    for (int64_t d = 0; d < t.dim(); d++) last += (t.size(d) - 1) * t.stride(d);
    int64_t first = t.storage_offset();
    for (int64_t d = 0; d < t.dim(); d++) first += std::min<int64_t>(0, (t.size(d) - 1) * t.stride(d));
    const int64_t item = static_cast<int64_t>(t.element_size());
    const int64_t storageBytes = static_cast<int64_t>(t.storage().nbytes());
    if (first < 0 || (last + 1) * item > storageBytes) {
      throw std::out_of_range("returned a view of shape " + Shape(t) + " that reaches outside its " +
                              std::to_string(storageBytes) + "-byte storage (libtorch does not check this operator's "
                              "size and stride arguments); use aten::as_strided or aten::view, which do");
    }
  }
}

at::Tensor Readable(const at::Tensor& t) {
  // A ZeroTensor has no memory behind it: reading its data pointer crashes.
  if (t._is_zerotensor()) return at::zeros(t.sizes(), at::TensorOptions().dtype(t.scalar_type()));
  return t;
}

Napi::Value ListOps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto names = c10::Dispatcher::singleton().getAllOpNames();
  auto out = Napi::Array::New(env, names.size());
  for (size_t i = 0; i < names.size(); i++) {
    auto pair = Napi::Array::New(env, 2);
    pair.Set(0u, Napi::String::New(env, names[i].name));
    pair.Set(1u, Napi::String::New(env, names[i].overload_name));
    out.Set(static_cast<uint32_t>(i), pair);
  }
  return out;
}

}  // namespace wildcat
