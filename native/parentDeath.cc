// Workers die with their launcher. `wildcat train --nproc N` starts its workers in their own
// process group (so a terminal's Ctrl-C reaches them once, through the launcher); a launcher
// killed with SIGKILL cannot forward anything, and its workers would train on, orphaned. Linux's
// prctl(PR_SET_PDEATHSIG) makes the kernel send a signal to this process when its parent exits,
// however the parent ends: no thread, pipe or polling of our own, nothing the worker must keep
// servicing while a long synchronous kernel runs.
//
// signalOnParentDeath(signal: number, parentPid: number) → 'armed' | 'parent-gone' | 'unsupported'
//   'parent-gone': parentPid is not (or no longer) the parent — it exited before the request was
//   made, and the kernel would never send the signal: nothing stays armed, the caller acts
//   itself; 'unsupported': not Linux.
#include <napi.h>

#include <cerrno>
#include <cstring>
#include <string>

#ifdef __linux__
#include <sys/prctl.h>
#include <unistd.h>
#endif

#include "addon.h"

namespace wildcat {
namespace {

Napi::Value SignalOnParentDeath(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsNumber() || !info[1].IsNumber()) {
    throw Napi::TypeError::New(env, "signalOnParentDeath(signal, parentPid): two numbers expected");
  }
  const int signal = info[0].As<Napi::Number>().Int32Value();
  const int parentPid = info[1].As<Napi::Number>().Int32Value();
  if (signal <= 0 || signal >= 65 || parentPid <= 0) {
    throw Napi::RangeError::New(env, "signalOnParentDeath: signal must be in [1, 64] and parentPid positive, got " +
                                         std::to_string(signal) + ", " + std::to_string(parentPid));
  }
#ifdef __linux__
  if (prctl(PR_SET_PDEATHSIG, static_cast<unsigned long>(signal), 0, 0, 0) != 0) {
    throw Napi::Error::New(env, std::string("prctl(PR_SET_PDEATHSIG) failed: ") + std::strerror(errno));
  }
  // The parent may have exited between our start and the prctl call: we were then reparented
  // (to init or a subreaper) and no signal will come; the request is withdrawn (it would
  // otherwise follow the new parent).
  if (getppid() != parentPid) {
    prctl(PR_SET_PDEATHSIG, 0UL, 0, 0, 0);
    return Napi::String::New(env, "parent-gone");
  }
  return Napi::String::New(env, "armed");
#else
  return Napi::String::New(env, "unsupported");
#endif
}

}  // namespace

void RegisterParentDeath(Napi::Env env, Napi::Object exports) {
  exports.Set("signalOnParentDeath", Napi::Function::New(env, SignalOnParentDeath, "signalOnParentDeath"));
}

}  // namespace wildcat
