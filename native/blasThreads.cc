// The BLAS library's own thread pool. libtorch's at::set_num_threads sizes its OpenMP pool only;
// OpenBLAS (Debian's libopenblas0-pthread, which libtorch calls for matrix products and some
// convolutions) keeps a pthread pool of one thread per core whose workers spin after each call.
// With `--threads 1` those workers still spun on the other core, and two single-thread processes
// ran at the speed of one. So setNumThreads sizes the BLAS pool too, through whichever of the
// known BLAS entry points the loaded libraries export (found at run time: the addon links only
// libtorch, and another libtorch may bring MKL or BLIS).
#include "addon.h"

#include <dlfcn.h>

#include <string>

namespace wildcat {
namespace {

struct BlasControl {
  const char* library = nullptr;
  void (*setThreads)(int) = nullptr;
  int (*getThreads)() = nullptr;
};

// A symbol of an already loaded library: the global scope first, then the libraries libtorch
// pulled in (the addon is loaded RTLD_LOCAL, so its dependencies may not be global).
void* FindSymbol(const char* name) {
  if (void* p = dlsym(RTLD_DEFAULT, name)) return p;
  for (const char* lib : {"libopenblas.so.0", "libblas.so.3", "libmkl_rt.so", "libmkl_rt.so.2", "libblis.so.4", "libtorch_cpu.so"}) {
    void* h = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD);
    if (h == nullptr) continue;
    void* p = dlsym(h, name);
    dlclose(h);
    if (p != nullptr) return p;
  }
  return nullptr;
}

const BlasControl& Control() {
  static const BlasControl control = [] {
    BlasControl c;
    if (auto set = reinterpret_cast<void (*)(int)>(FindSymbol("openblas_set_num_threads"))) {
      c.library = "OpenBLAS";
      c.setThreads = set;
      c.getThreads = reinterpret_cast<int (*)()>(FindSymbol("openblas_get_num_threads"));
    } else if (auto set = reinterpret_cast<void (*)(int)>(FindSymbol("MKL_Set_Num_Threads"))) {
      c.library = "MKL";
      c.setThreads = set;
      c.getThreads = reinterpret_cast<int (*)()>(FindSymbol("MKL_Get_Max_Threads"));
    } else if (auto set = reinterpret_cast<void (*)(int)>(FindSymbol("bli_thread_set_num_threads"))) {
      c.library = "BLIS";
      c.setThreads = set;
    }
    return c;
  }();
  return control;
}

// setBlasThreads(n) -> whether a BLAS thread pool was found and sized.
Napi::Value SetBlasThreads(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "setBlasThreads: expected a number of threads");
  int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 1) throw Napi::RangeError::New(info.Env(), "setBlasThreads: need at least 1 thread, got " + std::to_string(n));
  const BlasControl& c = Control();
  if (c.setThreads == nullptr) return Napi::Boolean::New(info.Env(), false);
  c.setThreads(n);
  return Napi::Boolean::New(info.Env(), true);
}

// blasInfo() -> { library: name | null, threads: n | null }
Napi::Value BlasInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const BlasControl& c = Control();
  auto out = Napi::Object::New(env);
  out.Set("library", c.library ? Napi::Value(Napi::String::New(env, c.library)) : env.Null());
  out.Set("threads", c.getThreads ? Napi::Value(Napi::Number::New(env, c.getThreads())) : env.Null());
  return out;
}

}  // namespace

void RegisterBlasThreads(Napi::Env env, Napi::Object exports) {
  exports.Set("setBlasThreads", Napi::Function::New(env, SetBlasThreads, "setBlasThreads"));
  exports.Set("blasInfo", Napi::Function::New(env, BlasInfo, "blasInfo"));
}

}  // namespace wildcat
