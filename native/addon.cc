// Thin N-API bridge to libtorch. A few fixed functions (tensor from/to buffers, autograd,
// grad mode, threads, seed) plus one generic `callOp` through the boxed dispatcher: every
// ATen operator is reachable without writing C++ for it, and autograd is recorded exactly as
// for a direct call because the dispatcher goes through the Autograd key.
#include <napi.h>

#include "addon.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/grad_mode.h>
#include <c10/util/Exception.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/version.h>

#include "opSafety.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

// Must match DTYPE_CODES in src/core/dtype.ts.
enum DTypeCode { kF32 = 0, kF64 = 1, kI32 = 2, kI64 = 3, kU8 = 4, kBool = 5, kF16 = 6, kBF16 = 7, kI16 = 8, kI8 = 9 };

at::ScalarType toScalarType(int code) {
  switch (code) {
    case kF32: return at::kFloat;
    case kF64: return at::kDouble;
    case kI32: return at::kInt;
    case kI64: return at::kLong;
    case kU8: return at::kByte;
    case kBool: return at::kBool;
    case kF16: return at::kHalf;
    case kBF16: return at::kBFloat16;
    case kI16: return at::kShort;
    case kI8: return at::kChar;
  }
  throw std::invalid_argument("unknown dtype code " + std::to_string(code));
}

int fromScalarType(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return kF32;
    case at::kDouble: return kF64;
    case at::kInt: return kI32;
    case at::kLong: return kI64;
    case at::kByte: return kU8;
    case at::kBool: return kBool;
    case at::kHalf: return kF16;
    case at::kBFloat16: return kBF16;
    case at::kShort: return kI16;
    case at::kChar: return kI8;
    default: throw std::invalid_argument(std::string("unsupported dtype ") + c10::toString(t));
  }
}

struct Counters {
  std::atomic<int64_t> tensors{0};
  std::atomic<int64_t> bytes{0};
  // What V8 was told (AdjustExternalMemory), and the peak of `bytes` in the current window.
  // Only the env's own thread touches these (handles are made and finalized on it).
  int64_t reported = 0;
  int64_t windowPeak = 0;
  std::chrono::steady_clock::time_point windowStart = std::chrono::steady_clock::now();
};

// V8 needs to know the native memory that JS handles hold, so that a handle dropped without
// dispose() is collected before memory runs out. Telling it every tensor's bytes made it run a
// full (mark-compact) collection in about every training step: the activations of a step come
// and go by hundreds of MB, and each time the total rose more than 64 MB above its level at the
// last collection, V8 collected again (20 ms per step, measured by bench/wsl.ts gc_ms_per_step).
// Instead V8 is told the peak of the live bytes over the last window of kWindow, rounded up
// to kChunk: growth beyond it is reported at once (in chunks), a drop only once a whole window
// stayed below, so a steady training loop, whose peak recurs every step, reports nothing.
constexpr int64_t kChunk = int64_t{64} << 20;
constexpr auto kWindow = std::chrono::seconds(2);

int64_t RoundUpToChunk(int64_t bytes) { return bytes <= 0 ? 0 : ((bytes + kChunk - 1) / kChunk) * kChunk; }

void AccountBytes(Napi::BasicEnv env, Counters& c, int64_t delta) {
  int64_t now = (c.bytes += delta);
  if (now > c.windowPeak) c.windowPeak = now;
  int64_t target = c.reported;
  if (now > c.reported) {
    target = RoundUpToChunk(now);
  } else {
    auto t = std::chrono::steady_clock::now();
    if (t - c.windowStart >= kWindow) {
      target = RoundUpToChunk(c.windowPeak);
      c.windowPeak = now;
      c.windowStart = t;
    }
  }
  if (target != c.reported) {
    Napi::MemoryManagement::AdjustExternalMemory(env, target - c.reported);
    c.reported = target;
  }
}

// One JS handle owns one at::Tensor reference. dispose() drops the reference; the GC
// finalizer is only the fallback for handles that were never disposed.
struct TensorBox {
  at::Tensor tensor;
  int64_t bytes = 0;
  std::shared_ptr<Counters> counters;
};

const napi_type_tag kTensorTag = {0x7a3c9e1f52b04d6aULL, 0x9b1e44c2d8f0a135ULL};
const napi_type_tag kOpTag = {0x1c5d0e8a7f3b4e29ULL, 0x86a2f4d9c3e1b507ULL};

// Argument conversion decided once per operator from its schema.
enum class ArgKind {
  Tensor, OptTensor, Int, OptInt, Float, OptFloat, Bool, OptBool, Scalar, OptScalar, String, OptString,
  IntList, OptIntList, FloatList, OptFloatList, BoolList, TensorList, OptTensorList, Device, OptDevice,
  Generator, Other
};

struct OpInfo {
  c10::OperatorHandle handle;
  std::string name;
  std::vector<ArgKind> kinds;
  std::vector<c10::optional<c10::IValue>> defaults;
  std::vector<std::string> argNames;
  std::vector<int> returnAliasesArg;  // -1: fresh value; otherwise index of the written input it returns
  size_t numReturns;
  wildcat::OpChecks checks;  // what callOp verifies around the call (opSafety.cc)
  explicit OpInfo(c10::OperatorHandle h) : handle(std::move(h)) {}
};

ArgKind kindOf(const c10::TypePtr& type) {
  using K = c10::TypeKind;
  bool optional = false;
  c10::TypePtr t = type;
  if (t->kind() == K::OptionalType) {
    optional = true;
    t = t->castRaw<c10::OptionalType>()->getElementType();
  }
  switch (t->kind()) {
    case K::TensorType: return optional ? ArgKind::OptTensor : ArgKind::Tensor;
    case K::IntType:
    case K::SymIntType:
    case K::ScalarTypeType:
    case K::LayoutType:
    case K::MemoryFormatType: return optional ? ArgKind::OptInt : ArgKind::Int;
    case K::FloatType: return optional ? ArgKind::OptFloat : ArgKind::Float;
    case K::BoolType: return optional ? ArgKind::OptBool : ArgKind::Bool;
    case K::NumberType: return optional ? ArgKind::OptScalar : ArgKind::Scalar;
    case K::StringType: return optional ? ArgKind::OptString : ArgKind::String;
    case K::DeviceObjType: return optional ? ArgKind::OptDevice : ArgKind::Device;
    case K::GeneratorType: return ArgKind::Generator;
    case K::ListType: {
      auto elem = t->castRaw<c10::ListType>()->getElementType();
      switch (elem->kind()) {
        case K::IntType:
        case K::SymIntType: return optional ? ArgKind::OptIntList : ArgKind::IntList;
        case K::FloatType: return optional ? ArgKind::OptFloatList : ArgKind::FloatList;
        case K::BoolType: return ArgKind::BoolList;
        case K::TensorType: return ArgKind::TensorList;
        case K::OptionalType: return ArgKind::OptTensorList;
        default: return ArgKind::Other;
      }
    }
    default: return ArgKind::Other;
  }
}

// Every training step allocates and frees the same large activations and gradients. With
// glibc's defaults, the freed memory goes back to the kernel (the heap top is trimmed once it
// exceeds twice the adaptive mmap threshold, and chunks above that threshold are mmap-ed and
// unmapped), so the next step page-faults it in again: 10,000-20,000 minor faults per step of
// the default pre-training (half-width ResNet-18, 96 px, batch 64), 5-15% of the step time
// measured on a 2-core VM (bench/wsl.ts). Keeping freed memory in the heap, as a caching allocator
// would, makes steady-state steps fault-free. The cost: the process keeps its peak heap.
// Once per process; WILDCAT_MALLOC_DEFAULTS=1 keeps glibc's behaviour.
void KeepFreedMemory() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    const char* keep = std::getenv("WILDCAT_MALLOC_DEFAULTS");
    if (keep != nullptr && *keep != '\0' && std::strcmp(keep, "0") != 0) return;
    // Tensors up to 256 MiB come from the heap (glibc caps the threshold lower on some versions).
    if (mallopt(M_MMAP_THRESHOLD, 256 << 20) == 0) mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 0x7fffffff);  // never hand the heap top back (mallopt takes an int)
  });
#endif
}

class WildcatNative : public Napi::Addon<WildcatNative> {
 public:
  WildcatNative(Napi::Env env, Napi::Object exports) : counters_(std::make_shared<Counters>()) {
    KeepFreedMemory();
    DefineAddon(exports, {
        InstanceMethod("fromBuffer", &WildcatNative::FromBuffer),
        InstanceMethod("toBuffer", &WildcatNative::ToBuffer),
        InstanceMethod("info", &WildcatNative::Info),
        InstanceMethod("dispose", &WildcatNative::Dispose),
        InstanceMethod("isDisposed", &WildcatNative::IsDisposed),
        InstanceMethod("setRequiresGrad", &WildcatNative::SetRequiresGrad),
        InstanceMethod("requiresGrad", &WildcatNative::RequiresGrad),
        InstanceMethod("isLeaf", &WildcatNative::IsLeaf),
        InstanceMethod("grad", &WildcatNative::Grad),
        InstanceMethod("setGrad", &WildcatNative::SetGrad),
        InstanceMethod("backward", &WildcatNative::Backward),
        InstanceMethod("autogradGrad", &WildcatNative::AutogradGrad),
        InstanceMethod("setGradEnabled", &WildcatNative::SetGradEnabled),
        InstanceMethod("isGradEnabled", &WildcatNative::IsGradEnabled),
        InstanceMethod("manualSeed", &WildcatNative::ManualSeed),
        InstanceMethod("setNumThreads", &WildcatNative::SetNumThreads),
        InstanceMethod("getNumThreads", &WildcatNative::GetNumThreads),
        InstanceMethod("version", &WildcatNative::Version),
        InstanceMethod("memory", &WildcatNative::Memory),
        InstanceMethod("resolveOp", &WildcatNative::ResolveOp),
        InstanceMethod("callOp", &WildcatNative::CallOp),
        InstanceMethod("listOps", &WildcatNative::ListOps),
    });
    exports.Set("distributed", wildcat::DistributedExports(env));
    wildcat::RegisterDenseCrf(env, exports);
    wildcat::RegisterMemoryFormat(env, exports);
    wildcat::RegisterBlasThreads(env, exports);
    wildcat::RegisterParentDeath(env, exports);
    wildcat::RegisterPrepackedConv(env, exports);
  }

  // A handle for a tensor made by another source file (HandleOfTensor).
  Napi::Value WrapForeign(Napi::Env env, at::Tensor t) { return Wrap(env, std::move(t)); }

 private:
  std::shared_ptr<Counters> counters_;

  // ---- handles -------------------------------------------------------------------------
  Napi::Value Wrap(Napi::Env env, at::Tensor t) {
    if (!t.defined()) return env.Null();
    auto* box = new TensorBox();
    box->bytes = static_cast<int64_t>(t.nbytes());
    box->tensor = std::move(t);
    box->counters = counters_;
    counters_->tensors++;
    AccountBytes(env, *counters_, box->bytes);
    // A basic finalizer (NAPI_EXPERIMENTAL): it runs during garbage collection itself, so a
    // synchronous training loop that never yields cannot pile up collected-but-unfinalized handles.
    auto ext = Napi::External<TensorBox>::New(env, box, [](Napi::BasicEnv env, TensorBox* b) {
      Release(env, b);
      delete b;
    });
    napi_type_tag_object(env, ext, &kTensorTag);
    return ext;
  }

  static void Release(Napi::BasicEnv env, TensorBox* b) {
    if (!b->tensor.defined()) return;
    b->tensor = at::Tensor();
    b->counters->tensors--;
    AccountBytes(env, *b->counters, -b->bytes);
  }

  static TensorBox* BoxOf(const Napi::Value& v, const char* what) {
    bool ok = false;
    if (v.IsExternal()) napi_check_object_type_tag(v.Env(), v, &kTensorTag, &ok);
    if (!ok) throw std::invalid_argument(std::string(what) + " is not a tensor handle");
    return v.As<Napi::External<TensorBox>>().Data();
  }

  static at::Tensor& TensorOf(const Napi::Value& v, const char* what) {
    TensorBox* b = BoxOf(v, what);
    if (!b->tensor.defined())
      throw std::invalid_argument(std::string(what) + " was used after dispose()");
    return b->tensor;
  }

  // ---- error translation ----------------------------------------------------------------
  template <typename F>
  static Napi::Value Guard(const Napi::CallbackInfo& info, const std::string& where, F&& fn) {
    Napi::Env env = info.Env();
    try {
      return fn();
    } catch (Napi::Error& e) {
      // A failed N-API call (a value of the wrong JS type slipping through): name the entry point.
      std::string msg = e.Message();
      if (msg.rfind(where, 0) != 0) e.Value().Set("message", where + ": " + msg);
      throw;
    } catch (const c10::IndexError& e) {
      throw Napi::RangeError::New(env, where + ": " + Clean(e.what_without_backtrace()));
    } catch (const c10::TypeError& e) {
      throw Napi::TypeError::New(env, where + ": " + Clean(e.what_without_backtrace()));
    } catch (const c10::Error& e) {
      throw Napi::Error::New(env, where + ": " + Clean(e.what_without_backtrace()));
    } catch (const std::invalid_argument& e) {
      throw Napi::TypeError::New(env, where + ": " + e.what());
    } catch (const std::out_of_range& e) {
      throw Napi::RangeError::New(env, where + ": " + e.what());
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, where + ": " + Clean(e.what()));
    }
  }

  // libtorch messages sometimes carry a C++ stack; keep the first lines only.
  static std::string Clean(const std::string& msg) {
    std::string out = msg;
    auto pos = out.find("\nException raised from");
    if (pos != std::string::npos) out = out.substr(0, pos);
    pos = out.find("\nframe #");
    if (pos != std::string::npos) out = out.substr(0, pos);
    if (out.size() > 600) out = out.substr(0, 600) + "...";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
  }

  static std::vector<int64_t> IntList(const Napi::Value& v, const char* what) {
    if (!v.IsArray()) throw std::invalid_argument(std::string(what) + ": expected an array of integers");
    auto arr = v.As<Napi::Array>();
    std::vector<int64_t> out(arr.Length());
    for (uint32_t i = 0; i < arr.Length(); i++) out[i] = ToInt(arr.Get(i), what);
    return out;
  }

  // Booleans and strings are checked, never coerced: a JS truthiness rule would make 'false' true.
  static const char* JsTypeName(const Napi::Value& v) {
    switch (v.Type()) {
      case napi_undefined: return "undefined";
      case napi_null: return "null";
      case napi_boolean: return "a boolean";
      case napi_number: return "a number";
      case napi_string: return "a string";
      case napi_bigint: return "a bigint";
      case napi_function: return "a function";
      default: return "an object";
    }
  }

  static bool ToBool(const Napi::Value& v, const std::string& what) {
    if (!v.IsBoolean()) throw std::invalid_argument(what + ": expected a boolean, got " + JsTypeName(v));
    return v.As<Napi::Boolean>().Value();
  }

  static std::string ToStr(const Napi::Value& v, const std::string& what) {
    if (!v.IsString()) throw std::invalid_argument(what + ": expected a string, got " + JsTypeName(v));
    return v.As<Napi::String>().Utf8Value();
  }

  static int64_t ToInt(const Napi::Value& v, const char* what) {
    if (v.IsBigInt()) {
      bool lossless = false;
      int64_t x = v.As<Napi::BigInt>().Int64Value(&lossless);
      if (!lossless) throw std::out_of_range(std::string(what) + ": BigInt outside the int64 range");
      return x;
    }
    if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
    if (!v.IsNumber()) throw std::invalid_argument(std::string(what) + ": expected an integer");
    double d = v.As<Napi::Number>().DoubleValue();
    if (d != static_cast<double>(static_cast<int64_t>(d)))
      throw std::invalid_argument(std::string(what) + ": expected an integer, got " + std::to_string(d));
    return static_cast<int64_t>(d);
  }

  // ---- fixed functions -----------------------------------------------------------------
  // fromBuffer(typedArray, shape, dtypeCode): copies; the JS buffer is not retained.
  Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
    return Guard(info, "fromBuffer", [&]() -> Napi::Value {
      // Guard prefixes "fromBuffer: "; the messages name only the argument.
      auto shape = IntList(info[1], "shape");
      auto dtype = toScalarType(static_cast<int>(ToInt(info[2], "dtype")));
      if (!info[0].IsTypedArray()) throw std::invalid_argument(std::string("data: expected a typed array, got ") + JsTypeName(info[0]));
      auto ta = info[0].As<Napi::TypedArray>();
      auto ab = ta.ArrayBuffer();
      const uint8_t* src = static_cast<const uint8_t*>(ab.Data()) + ta.ByteOffset();
      at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
      if (static_cast<size_t>(ta.ByteLength()) != t.nbytes())
        throw std::invalid_argument("data has " + std::to_string(ta.ByteLength()) +
                                    " bytes but shape needs " + std::to_string(t.nbytes()));
      if (t.nbytes() > 0) std::memcpy(t.data_ptr(), src, t.nbytes());
      return Wrap(info.Env(), std::move(t));
    });
  }

  // toBuffer(handle) -> ArrayBuffer with the contiguous bytes (CPU).
  Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
    return Guard(info, "toBuffer", [&]() -> Napi::Value {
      at::NoGradGuard ng;
      at::Tensor t = wildcat::Readable(TensorOf(info[0], "tensor"));
      t = t.to(at::kCPU).contiguous();
      if (t.is_conj()) t = t.resolve_conj();
      auto buf = Napi::ArrayBuffer::New(info.Env(), t.nbytes());
      if (t.nbytes() > 0) std::memcpy(buf.Data(), t.data_ptr(), t.nbytes());
      return buf;
    });
  }

  // info(handle) -> [shape, dtypeCode, requiresGrad, device]
  Napi::Value Info(const Napi::CallbackInfo& info) {
    return Guard(info, "info", [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      const at::Tensor& t = TensorOf(info[0], "tensor");
      auto sizes = t.sizes();
      auto shape = Napi::Array::New(env, sizes.size());
      for (size_t i = 0; i < sizes.size(); i++) shape.Set(i, Napi::Number::New(env, static_cast<double>(sizes[i])));
      auto out = Napi::Array::New(env, 4);
      out.Set(0u, shape);
      out.Set(1u, Napi::Number::New(env, fromScalarType(t.scalar_type())));
      out.Set(2u, Napi::Boolean::New(env, t.requires_grad()));
      out.Set(3u, Napi::String::New(env, t.device().str()));
      return out;
    });
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    return Guard(info, "dispose", [&]() -> Napi::Value {
      Release(info.Env(), BoxOf(info[0], "tensor"));
      return info.Env().Undefined();
    });
  }

  Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
    return Guard(info, "isDisposed", [&]() -> Napi::Value {
      return Napi::Boolean::New(info.Env(), !BoxOf(info[0], "tensor")->tensor.defined());
    });
  }

  Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
    return Guard(info, "setRequiresGrad", [&]() -> Napi::Value {
      TensorOf(info[0], "tensor").set_requires_grad(ToBool(info[1], "requiresGrad"));
      return info.Env().Undefined();
    });
  }

  Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
    return Guard(info, "requiresGrad", [&]() -> Napi::Value {
      return Napi::Boolean::New(info.Env(), TensorOf(info[0], "tensor").requires_grad());
    });
  }

  Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
    return Guard(info, "isLeaf", [&]() -> Napi::Value {
      return Napi::Boolean::New(info.Env(), TensorOf(info[0], "tensor").is_leaf());
    });
  }

  Napi::Value Grad(const Napi::CallbackInfo& info) {
    return Guard(info, "grad", [&]() -> Napi::Value {
      return Wrap(info.Env(), TensorOf(info[0], "tensor").grad());
    });
  }

  // setGrad(handle, gradHandle | null): null clears the gradient (zero_grad(set_to_none=True)).
  Napi::Value SetGrad(const Napi::CallbackInfo& info) {
    return Guard(info, "setGrad", [&]() -> Napi::Value {
      at::Tensor& t = TensorOf(info[0], "tensor");
      if (info[1].IsNull() || info[1].IsUndefined()) t.mutable_grad() = at::Tensor();
      else t.mutable_grad() = TensorOf(info[1], "gradient");
      return info.Env().Undefined();
    });
  }

  // backward(handle, gradHandle | null, retainGraph)
  Napi::Value Backward(const Napi::CallbackInfo& info) {
    return Guard(info, "backward", [&]() -> Napi::Value {
      at::Tensor& t = TensorOf(info[0], "tensor");
      std::vector<at::Tensor> grads;
      if (!info[1].IsNull() && !info[1].IsUndefined()) grads.push_back(TensorOf(info[1], "gradient"));
      bool retain = ToBool(info[2], "retainGraph");
      torch::autograd::backward({t}, grads, retain, false);
      return info.Env().Undefined();
    });
  }

  // autogradGrad(outputs[], inputs[], gradOutputs[] | null, retainGraph, allowUnused) -> grads[]
  Napi::Value AutogradGrad(const Napi::CallbackInfo& info) {
    return Guard(info, "autograd.grad", [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      auto toVec = [](const Napi::Value& v, const char* what) {
        std::vector<at::Tensor> out;
        auto arr = v.As<Napi::Array>();
        for (uint32_t i = 0; i < arr.Length(); i++) out.push_back(TensorOf(arr.Get(i), what));
        return out;
      };
      auto outputs = toVec(info[0], "autograd.grad outputs");
      auto inputs = toVec(info[1], "autograd.grad inputs");
      std::vector<at::Tensor> gradOutputs;
      if (info[2].IsArray()) gradOutputs = toVec(info[2], "autograd.grad gradOutputs");
      bool retain = ToBool(info[3], "retainGraph");
      bool allowUnused = ToBool(info[4], "allowUnused");
      auto grads = torch::autograd::grad(outputs, inputs, gradOutputs, retain, false, allowUnused);
      auto out = Napi::Array::New(env, grads.size());
      for (size_t i = 0; i < grads.size(); i++) out.Set(i, Wrap(env, grads[i]));
      return out;
    });
  }

  Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
    return Guard(info, "setGradEnabled", [&]() -> Napi::Value {
      at::GradMode::set_enabled(ToBool(info[0], "enabled"));
      return info.Env().Undefined();
    });
  }

  Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
  }

  Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
    return Guard(info, "manualSeed", [&]() -> Napi::Value {
      at::manual_seed(static_cast<uint64_t>(ToInt(info[0], "seed")));
      return info.Env().Undefined();
    });
  }

  Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
    return Guard(info, "setNumThreads", [&]() -> Napi::Value {
      int64_t n = ToInt(info[0], "n");
      if (n < 1) throw std::out_of_range("need at least 1 thread, got " + std::to_string(n));
      at::set_num_threads(static_cast<int>(n));
      return info.Env().Undefined();
    });
  }

  Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), at::get_num_threads());
  }

  Napi::Value Version(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto out = Napi::Object::New(env);
    out.Set("torch", Napi::String::New(env, TORCH_VERSION));
    out.Set("parallel", Napi::String::New(env, at::get_parallel_info()));
    out.Set("config", Napi::String::New(env, at::show_config()));
    return out;
  }

  Napi::Value Memory(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto out = Napi::Object::New(env);
    out.Set("tensors", Napi::Number::New(env, static_cast<double>(counters_->tensors.load())));
    out.Set("bytes", Napi::Number::New(env, static_cast<double>(counters_->bytes.load())));
    return out;
  }

  Napi::Value ListOps(const Napi::CallbackInfo& info) {
    return Guard(info, "listOps", [&]() -> Napi::Value { return wildcat::ListOps(info); });
  }

  // ---- generic operator call --------------------------------------------------------------
  // resolveOp(name, overload) -> [opHandle, schemaString]
  Napi::Value ResolveOp(const Napi::CallbackInfo& info) {
    if (!info[0].IsString() || (!info[1].IsString() && !info[1].IsUndefined()))
      throw Napi::TypeError::New(info.Env(), "resolveOp: expected an operator name and an overload name (strings)");
    std::string name = info[0].As<Napi::String>().Utf8Value();
    std::string overload = info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
    return Guard(info, name + (overload.empty() ? "" : "." + overload), [&]() -> Napi::Value {
      Napi::Env env = info.Env();
      auto handle = c10::Dispatcher::singleton().findSchemaOrThrow(name.c_str(), overload.c_str());
      auto checks = wildcat::ChecksFor(handle, name, overload);
      auto* op = new OpInfo(handle);
      op->checks = std::move(checks);
      op->name = name + (overload.empty() ? "" : "." + overload);
      const auto& schema = handle.schema();
      for (const auto& arg : schema.arguments()) {
        op->kinds.push_back(kindOf(arg.type()));
        op->defaults.push_back(arg.default_value());
        op->argNames.push_back(arg.name());
      }
      op->numReturns = schema.returns().size();
      for (const auto& ret : schema.returns()) {
        int alias = -1;
        if (ret.alias_info() && ret.alias_info()->isWrite()) {
          for (size_t j = 0; j < schema.arguments().size(); j++) {
            const auto& ai = schema.arguments()[j].alias_info();
            if (ai && ai->isWrite() && ai->beforeSets() == ret.alias_info()->beforeSets()) {
              alias = static_cast<int>(j);
              break;
            }
          }
        }
        op->returnAliasesArg.push_back(alias);
      }
      auto ext = Napi::External<OpInfo>::New(env, op, [](Napi::BasicEnv, OpInfo* p) { delete p; });
      napi_type_tag_object(env, ext, &kOpTag);
      std::stringstream ss;
      ss << schema;
      auto out = Napi::Array::New(env, 2);
      out.Set(0u, ext);
      out.Set(1u, Napi::String::New(env, ss.str()));
      return out;
    });
  }

  static c10::IValue ToIValue(const OpInfo& op, size_t i, const Napi::Value& v) {
    const std::string whatStr = "argument '" + op.argNames[i] + "'";
    const char* what = whatStr.c_str();
    ArgKind k = op.kinds[i];
    bool missing = v.IsUndefined();
    if (missing) {
      if (op.defaults[i].has_value()) return *op.defaults[i];
      throw std::invalid_argument("missing argument '" + op.argNames[i] + "'");
    }
    bool isNull = v.IsNull();
    switch (k) {
      case ArgKind::OptTensor:
        if (isNull) return c10::IValue();
        [[fallthrough]];
      case ArgKind::Tensor:
        return TensorOf(v, what);
      case ArgKind::OptInt:
        if (isNull) return c10::IValue();
        [[fallthrough]];
      case ArgKind::Int:
        return ToInt(v, what);
      case ArgKind::OptFloat:
        if (isNull) return c10::IValue();
        [[fallthrough]];
      case ArgKind::Float:
        if (!v.IsNumber()) throw std::invalid_argument(std::string(what) + ": expected a number");
        return v.As<Napi::Number>().DoubleValue();
      case ArgKind::OptBool:
        if (isNull) return c10::IValue();
        [[fallthrough]];
      case ArgKind::Bool:
        return ToBool(v, whatStr);
      case ArgKind::OptScalar:
        if (isNull) return c10::IValue();
        [[fallthrough]];
      case ArgKind::Scalar: {
        // An integer-valued JS number is an integral Scalar, as a Python literal `2` would be,
        // so integer tensors keep their dtype; any other number is a double.
        if (v.IsBoolean()) return c10::Scalar(v.As<Napi::Boolean>().Value());
        if (v.IsBigInt()) return c10::Scalar(ToInt(v, what));
        if (!v.IsNumber()) throw std::invalid_argument(std::string(what) + ": expected a number");
        double d = v.As<Napi::Number>().DoubleValue();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15)
          return c10::Scalar(static_cast<int64_t>(d));
        return c10::Scalar(d);
      }
      case ArgKind::OptString:
        if (isNull) return c10::IValue();
        [[fallthrough]];
      case ArgKind::String:
        return ToStr(v, whatStr);
      case ArgKind::OptIntList:
        if (isNull) return c10::IValue();
        [[fallthrough]];
      case ArgKind::IntList:
        if (v.IsNumber()) return c10::List<int64_t>({ToInt(v, what)});
        return c10::List<int64_t>(IntList(v, what));
      case ArgKind::OptFloatList:
        if (isNull) return c10::IValue();
        [[fallthrough]];
      case ArgKind::FloatList: {
        if (v.IsNumber()) return c10::List<double>({v.As<Napi::Number>().DoubleValue()});
        if (!v.IsArray()) throw std::invalid_argument(std::string(what) + ": expected an array of numbers");
        auto arr = v.As<Napi::Array>();
        c10::List<double> out;
        for (uint32_t j = 0; j < arr.Length(); j++) {
          Napi::Value e = arr.Get(j);
          if (!e.IsNumber()) throw std::invalid_argument(std::string(what) + ": expected an array of numbers");
          out.push_back(e.As<Napi::Number>().DoubleValue());
        }
        return out;
      }
      case ArgKind::BoolList: {
        if (!v.IsArray()) throw std::invalid_argument(std::string(what) + ": expected an array of booleans");
        auto arr = v.As<Napi::Array>();
        c10::List<bool> out;
        for (uint32_t j = 0; j < arr.Length(); j++) out.push_back(ToBool(arr.Get(j), whatStr));
        return out;
      }
      case ArgKind::TensorList: {
        if (!v.IsArray()) throw std::invalid_argument(std::string(what) + ": expected an array of tensors");
        auto arr = v.As<Napi::Array>();
        c10::List<at::Tensor> out;
        out.reserve(arr.Length());
        for (uint32_t j = 0; j < arr.Length(); j++) out.push_back(TensorOf(arr.Get(j), what));
        return out;
      }
      case ArgKind::OptTensorList: {
        if (!v.IsArray()) throw std::invalid_argument(std::string(what) + ": expected an array of tensors or nulls");
        auto arr = v.As<Napi::Array>();
        c10::List<c10::optional<at::Tensor>> out;
        for (uint32_t j = 0; j < arr.Length(); j++) {
          Napi::Value e = arr.Get(j);
          if (e.IsNull() || e.IsUndefined()) out.push_back(c10::nullopt);
          else out.push_back(TensorOf(e, what));
        }
        return out;
      }
      case ArgKind::OptDevice:
        if (isNull) return c10::IValue();
        [[fallthrough]];
      case ArgKind::Device:
      {
        std::string device = ToStr(v, whatStr);
        try {
          return c10::Device(device);
        } catch (const c10::Error&) {
          throw std::out_of_range(whatStr + ": '" + device + "' is not a device (e.g. 'cpu', 'cuda:0')");
        }
      }
      case ArgKind::Generator:
        if (isNull) return c10::IValue();
        throw std::invalid_argument(std::string(what) + ": generators are not supported; pass null");
      case ArgKind::Other:
        if (isNull) return c10::IValue();
        throw std::invalid_argument(std::string(what) + ": this argument type is not supported");
    }
    return c10::IValue();
  }

  Napi::Value FromIValue(Napi::Env env, const c10::IValue& v) {
    if (v.isTensor()) return Wrap(env, v.toTensor());
    if (v.isNone()) return env.Null();
    if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
    if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
    if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
    if (v.isTensorList()) {
      auto list = v.toTensorList();
      auto out = Napi::Array::New(env, list.size());
      for (size_t i = 0; i < list.size(); i++) out.Set(i, Wrap(env, list.get(i)));
      return out;
    }
    if (v.isScalar()) return Napi::Number::New(env, v.toScalar().toDouble());
    if (v.isIntList()) {
      auto list = v.toIntVector();
      auto out = Napi::Array::New(env, list.size());
      for (size_t i = 0; i < list.size(); i++) out.Set(i, Napi::Number::New(env, static_cast<double>(list[i])));
      return out;
    }
    if (v.isString()) return Napi::String::New(env, v.toStringRef());
    throw std::invalid_argument(std::string("unsupported return type ") + v.tagKind());
  }

  // callOp(opHandle, args[]) -> value | value[] | undefined
  Napi::Value CallOp(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bool ok = false;
    if (info[0].IsExternal()) napi_check_object_type_tag(env, info[0], &kOpTag, &ok);
    if (!ok) throw Napi::TypeError::New(env, "callOp: expected an operator handle from resolveOp");
    OpInfo* op = info[0].As<Napi::External<OpInfo>>().Data();
    return Guard(info, op->name, [&]() -> Napi::Value {
      auto args = info[1].As<Napi::Array>();
      size_t n = op->kinds.size();
      if (args.Length() > n)
        throw std::invalid_argument("expected at most " + std::to_string(n) + " arguments, got " + std::to_string(args.Length()));
      std::vector<c10::IValue> stack;
      stack.reserve(n);
      for (size_t i = 0; i < n; i++) {
        Napi::Value v = i < args.Length() ? args.Get(static_cast<uint32_t>(i)) : env.Undefined();
        stack.push_back(ToIValue(*op, i, v));
      }
      wildcat::CheckOpArguments(op->handle, op->checks, stack);
      op->handle.callBoxed(stack);
      wildcat::CheckOpResults(op->name, stack, op->numReturns);
      if (op->numReturns == 0) return env.Undefined();
      auto ret = [&](size_t r) -> Napi::Value {
        int alias = op->returnAliasesArg[r];
        if (alias >= 0 && static_cast<uint32_t>(alias) < args.Length()) return args.Get(static_cast<uint32_t>(alias));
        return FromIValue(env, stack[r]);
      };
      if (op->numReturns == 1) return ret(0);
      auto out = Napi::Array::New(env, op->numReturns);
      for (size_t r = 0; r < op->numReturns; r++) out.Set(r, ret(r));
      return out;
    });
  }
};

}  // namespace

at::Tensor wildcat::TensorOfHandle(const Napi::Value& value, const char* what) {
  bool ok = false;
  if (value.IsExternal()) napi_check_object_type_tag(value.Env(), value, &kTensorTag, &ok);
  if (!ok) throw std::invalid_argument(std::string(what) + " is not a tensor handle");
  const at::Tensor& t = value.As<Napi::External<TensorBox>>().Data()->tensor;
  if (!t.defined()) throw std::invalid_argument(std::string(what) + " was used after dispose()");
  return t;
}

Napi::Value wildcat::HandleOfTensor(Napi::Env env, at::Tensor t) {
  return env.GetInstanceData<WildcatNative>()->WrapForeign(env, std::move(t));
}

NODE_API_ADDON(WildcatNative)
