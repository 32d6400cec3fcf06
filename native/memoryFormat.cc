// Memory formats (layouts of 4-D tensors): the two questions libtorch answers from a tensor's
// strides that the dispatcher does not expose as operators. Converting between layouts needs no
// code here: aten::contiguous and aten::clone take a memory format.
#include "addon.h"

#include <c10/core/MemoryFormat.h>

#include <stdexcept>
#include <string>

namespace wildcat {
namespace {

// Codes of c10::MemoryFormat (src/core/memoryFormat.ts mirrors them).
c10::MemoryFormat FormatOf(const Napi::Value& v) {
  if (!v.IsNumber()) throw std::invalid_argument("memory format: expected a code (0 contiguous, 2 channels-last)");
  int code = v.As<Napi::Number>().Int32Value();
  if (code != static_cast<int>(c10::MemoryFormat::Contiguous) && code != static_cast<int>(c10::MemoryFormat::ChannelsLast) &&
      code != static_cast<int>(c10::MemoryFormat::ChannelsLast3d))
    throw std::out_of_range("memory format: unknown code " + std::to_string(code));
  return static_cast<c10::MemoryFormat>(code);
}

// isContiguous(handle, formatCode) -> whether the elements lie densely in that format's order.
Napi::Value IsContiguous(const Napi::CallbackInfo& info) {
  return GuardedCall(info, "isContiguous", [&]() -> Napi::Value {
    at::Tensor t = TensorOfHandle(info[0], "tensor");
    return Napi::Boolean::New(info.Env(), t.is_contiguous(FormatOf(info[1])));
  });
}

// strides(handle) -> element strides per dimension.
Napi::Value Strides(const Napi::CallbackInfo& info) {
  return GuardedCall(info, "strides", [&]() -> Napi::Value {
    at::Tensor t = TensorOfHandle(info[0], "tensor");
    auto s = t.strides();
    auto out = Napi::Array::New(info.Env(), s.size());
    for (size_t i = 0; i < s.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), static_cast<double>(s[i])));
    return out;
  });
}

}  // namespace

void RegisterMemoryFormat(Napi::Env env, Napi::Object exports) {
  exports.Set("isContiguous", Napi::Function::New(env, IsContiguous, "isContiguous"));
  exports.Set("strides", Napi::Function::New(env, Strides, "strides"));
}

}  // namespace wildcat
