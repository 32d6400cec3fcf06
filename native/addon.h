// What the addon's source files share: addon.cc owns tensor handles, the other sources
// (distributed.cc, denseCrf.cc, memoryFormat.cc, prepackedConv.cc) read them through this accessor; each source
// (parentDeath.cc and blasThreads.cc too) exports its own functions through the entry point declared here.
#pragma once

#include <napi.h>

#include <ATen/ATen.h>

#include <stdexcept>
#include <string>

namespace wildcat {

// Runs `fn` for an exported function: std::out_of_range becomes a JS RangeError,
// std::invalid_argument a TypeError and a libtorch error an Error, each prefixed by `where`.
template <typename F>
Napi::Value GuardedCall(const Napi::CallbackInfo& info, const char* where, F&& fn) {
  try {
    return fn();
  } catch (const std::out_of_range& e) {
    throw Napi::RangeError::New(info.Env(), std::string(where) + ": " + e.what());
  } catch (const std::invalid_argument& e) {
    throw Napi::TypeError::New(info.Env(), std::string(where) + ": " + e.what());
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), std::string(where) + ": " + e.what_without_backtrace());
  }
}

// The tensor behind a JS tensor handle (defined in addon.cc). Throws std::invalid_argument,
// naming `what`, when the value is not a live tensor handle.
at::Tensor TensorOfHandle(const Napi::Value& value, const char* what);

// A new JS tensor handle owning `t` (defined in addon.cc), counted and reported as every handle is.
Napi::Value HandleOfTensor(Napi::Env env, at::Tensor t);

// The process-group functions (defined in distributed.cc), exported as `distributed`.
Napi::Object DistributedExports(Napi::Env env);

// The fully connected CRF (defined in denseCrf.cc): adds denseCrf (synchronous) and
// denseCrfAsync (returns a Promise) to the exports.
void RegisterDenseCrf(Napi::Env env, Napi::Object exports);

// Memory formats (defined in memoryFormat.cc): isContiguous(handle, format), strides(handle).
void RegisterMemoryFormat(Napi::Env env, Napi::Object exports);

// The BLAS library's thread pool (defined in blasThreads.cc): setBlasThreads(n), blasInfo().
void RegisterBlasThreads(Napi::Env env, Napi::Object exports);

// Prepacked inference convolutions (defined in prepackedConv.cc): prepackedConvAvailable(),
// convPrepack(...), convRun(input, context), convRelease(context), tensorVersion(handle).
void RegisterPrepackedConv(Napi::Env env, Napi::Object exports);

// Parent-death signal (defined in parentDeath.cc): adds signalOnParentDeath to the exports.
void RegisterParentDeath(Napi::Env env, Napi::Object exports);

}  // namespace wildcat
