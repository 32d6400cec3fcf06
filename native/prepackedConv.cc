// Prepacked convolutions for inference: oneDNN's convolution with its weights reordered once
// into the blocked layout its kernel reads, and an optional ReLU fused into the same pass.
// The eager aten::convolution reorders the weights on every call (for ResNet-50, about 100 MB
// read and written per forward) and writes the activation that a separate ReLU then rereads.
// libtorch carries this as the `mkldnn_prepacked` operators that torch.jit.freeze uses; they
// are reached here through the dispatcher, so a libtorch built without oneDNN simply reports
// them unavailable. No autograd: these are for inference under noGrad (src/nn/inferenceFusion.ts).
#include "addon.h"

#include <ATen/core/dispatch/Dispatcher.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace wildcat {
namespace {

const napi_type_tag kConvContextTag = {0x4e1f0b7c93a25d68ULL, 0xa7d3c2915e0f4b81ULL};

// The prepacked weights and primitive (a torch custom-class object held as an IValue).
struct ConvContext {
  c10::IValue context;
  std::vector<int64_t> inputSize;  // the only input shape the packed primitive serves
};

struct PrepackedOps {
  c10::optional<c10::OperatorHandle> prepack;
  c10::optional<c10::OperatorHandle> run;
};

const PrepackedOps& Ops() {
  static const PrepackedOps ops = [] {
    PrepackedOps o;
    auto& d = c10::Dispatcher::singleton();
    o.prepack = d.findOp({"mkldnn_prepacked::conv2d_prepack", ""});
    o.run = d.findOp({"mkldnn_prepacked::conv2d_run", ""});
    return o;
  }();
  return ops;
}

std::vector<int64_t> IntList(const Napi::Value& v, size_t n, const char* what) {
  if (!v.IsArray()) throw std::invalid_argument(std::string(what) + ": expected an array of " + std::to_string(n) + " integers");
  auto a = v.As<Napi::Array>();
  if (a.Length() != n) throw std::out_of_range(std::string(what) + ": expected " + std::to_string(n) + " integers, got " + std::to_string(a.Length()));
  std::vector<int64_t> out(n);
  for (uint32_t i = 0; i < n; i++) {
    Napi::Value e = a.Get(i);
    if (!e.IsNumber()) throw std::invalid_argument(std::string(what) + ": expected integers");
    out[i] = e.As<Napi::Number>().Int64Value();
  }
  return out;
}

ConvContext& ContextOf(const Napi::Value& v) {
  bool ok = false;
  if (v.IsExternal()) napi_check_object_type_tag(v.Env(), v, &kConvContextTag, &ok);
  if (!ok) throw std::invalid_argument("context is not a prepacked convolution from convPrepack");
  return *v.As<Napi::External<ConvContext>>().Data();
}

// prepackedConvAvailable() -> whether this libtorch has the prepacked oneDNN convolution.
Napi::Value Available(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Ops().prepack.has_value() && Ops().run.has_value());
}

// convPrepack(weight, bias | null, stride[2], padding[2], dilation[2], groups, inputSize[4],
// activation 'none' | 'relu') -> context. The context serves inputs of exactly inputSize.
Napi::Value Prepack(const Napi::CallbackInfo& info) {
  return GuardedCall(info, "convPrepack", [&]() -> Napi::Value {
    if (!Ops().prepack) throw std::invalid_argument("this libtorch has no prepacked oneDNN convolution");
    at::Tensor weight = TensorOfHandle(info[0], "weight");
    c10::IValue bias;
    if (!info[1].IsNull() && !info[1].IsUndefined()) bias = TensorOfHandle(info[1], "bias");
    if (weight.dim() != 4 || weight.scalar_type() != at::kFloat)
      throw std::invalid_argument("weight must be a float32 [out, in/groups, kh, kw] tensor");
    if (!info[5].IsNumber()) throw std::invalid_argument("groups: expected an integer");
    if (!info[7].IsString()) throw std::invalid_argument("activation: expected 'none' or 'relu'");
    std::string activation = info[7].As<Napi::String>().Utf8Value();
    if (activation != "none" && activation != "relu") throw std::out_of_range("activation: expected 'none' or 'relu', got '" + activation + "'");
    std::vector<int64_t> inputSize = IntList(info[6], 4, "inputSize");
    std::vector<c10::IValue> stack{weight, bias, IntList(info[2], 2, "stride"), IntList(info[3], 2, "padding"), IntList(info[4], 2, "dilation"),
                                   info[5].As<Napi::Number>().Int64Value(), inputSize, activation};
    Ops().prepack->callBoxed(stack);
    auto* box = new ConvContext{std::move(stack.at(0)), std::move(inputSize)};
    auto ext = Napi::External<ConvContext>::New(info.Env(), box, [](Napi::BasicEnv, ConvContext* c) { delete c; });
    napi_type_tag_object(info.Env(), ext, &kConvContextTag);
    return ext;
  });
}

// convRun(input, context) -> output: the convolution (and its activation) of a float32 input of
// the context's inputSize, in the input's memory format.
Napi::Value Run(const Napi::CallbackInfo& info) {
  return GuardedCall(info, "convRun", [&]() -> Napi::Value {
    ConvContext& c = ContextOf(info[1]);
    if (c.context.isNone()) throw std::invalid_argument("context was used after convRelease()");
    at::Tensor input = TensorOfHandle(info[0], "input");
    if (input.scalar_type() != at::kFloat) throw std::invalid_argument("input must be float32");
    // The packed primitive was made for one shape; another would read out of bounds.
    if (input.sizes() != c10::IntArrayRef(c.inputSize))
      throw std::out_of_range("input of shape " + c10::str(input.sizes()) + " given to a convolution packed for " + c10::str(c10::IntArrayRef(c.inputSize)));
    std::vector<c10::IValue> stack{input, c.context};
    Ops().run->callBoxed(stack);
    return HandleOfTensor(info.Env(), stack.at(0).toTensor());
  });
}

// convRelease(context): frees the packed weights now rather than when the handle is collected.
Napi::Value Release(const Napi::CallbackInfo& info) {
  return GuardedCall(info, "convRelease", [&]() -> Napi::Value {
    ContextOf(info[0]).context = c10::IValue();
    return info.Env().Undefined();
  });
}

// tensorVersion(handle) -> the tensor's version counter: bumped by every in-place write, so a
// cache derived from a tensor can tell that the tensor changed.
Napi::Value Version(const Napi::CallbackInfo& info) {
  return GuardedCall(info, "tensorVersion", [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(TensorOfHandle(info[0], "tensor")._version()));
  });
}

}  // namespace

void RegisterPrepackedConv(Napi::Env env, Napi::Object exports) {
  exports.Set("prepackedConvAvailable", Napi::Function::New(env, Available, "prepackedConvAvailable"));
  exports.Set("convPrepack", Napi::Function::New(env, Prepack, "convPrepack"));
  exports.Set("convRun", Napi::Function::New(env, Run, "convRun"));
  exports.Set("convRelease", Napi::Function::New(env, Release, "convRelease"));
  exports.Set("tensorVersion", Napi::Function::New(env, Version, "tensorVersion"));
}

}  // namespace wildcat
