// Process groups over libtorch's own c10d engine with the Gloo backend: the rendezvous store
// (TCPStore hosted by rank 0, or a FileStore on a shared path), a ProcessGroupGloo, and the few
// collectives data-parallel training needs (bucketed allreduce and broadcast, barrier, allgather
// of small byte buffers). Every call runs on a libuv worker thread (Napi::AsyncWorker) and
// settles a promise, so the JS thread never blocks on the network.
//
// Failure handling: Gloo fails a collective at once when a peer's connection closes and after the
// group's timeout when a peer never answers, but its messages name socket addresses, not ranks.
// Each rank therefore publishes a heartbeat in the store ("<beat> <collective number>", every
// 200 ms, from a thread of its own); when a collective fails, the rank watches the others'
// heartbeats for 1.5 s and names the ranks whose beat stopped (gone) or whose collective number
// lags (alive but elsewhere). A store that no longer answers means rank 0, which hosts it, is gone.
// After a failure the group is unusable: later calls fail at once with the first error.
#include "addon.h"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <ATen/core/grad_mode.h>
#include <c10/util/Exception.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace wildcat {
namespace {

using Ms = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr Ms kBeatInterval{200};
// A live rank beats 7 times in this window even on a loaded machine; a silent one is gone.
constexpr Ms kSilenceWindow{1500};
const napi_type_tag kGroupTag = {0x4d2b7c19e05a3f86ULL, 0xa17e3d5c9b260f41ULL};

std::string CleanMessage(const std::string& msg) {
  std::string out = msg;
  for (const char* cut : {"\nException raised from", "\nframe #"}) {
    auto pos = out.find(cut);
    if (pos != std::string::npos) out = out.substr(0, pos);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (out.size() > 400) out = out.substr(0, 400) + "...";
  return out;
}

std::vector<uint8_t> Bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }
std::string Text(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

struct GroupOptions {
  int rank = 0;
  int size = 1;
  std::string masterAddr;
  int masterPort = 0;
  std::string fileStore;  // non-empty: FileStore instead of TCPStore
  Ms timeout{30000};
};

class Group {
 public:
  explicit Group(GroupOptions o) : opts_(std::move(o)) {}
  ~Group() { StopHeartbeat(); }

  int rank() const { return opts_.rank; }
  int size() const { return opts_.size; }
  Ms timeout() const { return opts_.timeout; }

  // Store, join check, Gloo connections, heartbeat. Blocking: runs on a worker thread.
  void Connect() {
    auto started = Clock::now();
    MakeStore();
    Join();
    auto pgOptions = c10d::ProcessGroupGloo::Options::create(opts_.timeout);
    pgOptions->devices.push_back(MakeDevice());
    try {
      pg_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store_, opts_.rank, opts_.size, pgOptions);
    } catch (const std::exception& e) {
      throw std::runtime_error(Where() + ": connecting the Gloo process group failed after " +
                               std::to_string(ElapsedMs(started)) + " ms: " + CleanMessage(e.what()));
    }
    StartHeartbeat();
  }

  void Destroy() {
    {
      std::lock_guard<std::mutex> lock(stateMutex_);
      destroyed_ = true;
    }
    StopHeartbeat();
    pg_.reset();  // waits for queued work (bounded by the Gloo timeout)
    store_.reset();
  }

  void StopHeartbeat() {
    {
      std::lock_guard<std::mutex> lock(beatMutex_);
      stopBeat_ = true;
    }
    beatCv_.notify_all();
    if (beat_.joinable()) beat_.join();
  }

  // Runs one collective: `launch` queues the Gloo work(s); a failure becomes an error naming the
  // ranks at fault, and breaks the group.
  template <typename Launch>
  void Run(const std::string& name, Launch&& launch) {
    CheckUsable(name);
    uint64_t seq = ++seq_;
    auto started = Clock::now();
    try {
      auto works = launch(*pg_);
      for (auto& w : works) w->wait(opts_.timeout + Ms(5000));
    } catch (const std::exception& e) {
      std::string msg = name + " (collective #" + std::to_string(seq) + ") failed on rank " + std::to_string(opts_.rank) +
                        " of " + std::to_string(opts_.size) + " after " + std::to_string(ElapsedMs(started)) + " ms: " +
                        Diagnose(seq) + " [Gloo: " + CleanMessage(e.what()) + "]";
      Break(msg);
      throw std::runtime_error(msg);
    }
  }

 private:
  GroupOptions opts_;
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg_;
  std::atomic<uint64_t> seq_{0};

  std::mutex stateMutex_;
  bool broken_ = false;
  bool destroyed_ = false;
  std::string brokenMessage_;

  std::thread beat_;
  std::mutex beatMutex_;
  std::condition_variable beatCv_;
  bool stopBeat_ = false;

  static long ElapsedMs(Clock::time_point since) {
    return static_cast<long>(std::chrono::duration_cast<Ms>(Clock::now() - since).count());
  }

  std::string Where() const {
    return "rank " + std::to_string(opts_.rank) + " of " + std::to_string(opts_.size);
  }

  std::string StoreName() const {
    if (!opts_.fileStore.empty()) return "the FileStore " + opts_.fileStore;
    return "the TCPStore at " + opts_.masterAddr + ":" + std::to_string(opts_.masterPort) + " (hosted by rank 0)";
  }

  static std::string Key(const char* what, int rank) { return std::string("wildcat/") + what + "/" + std::to_string(rank); }

  void MakeStore() {
    try {
      if (!opts_.fileStore.empty()) {
        store_ = c10::make_intrusive<c10d::FileStore>(opts_.fileStore, opts_.size);
        store_->setTimeout(opts_.timeout);
        return;
      }
      c10d::TCPStoreOptions so;
      so.port = static_cast<std::uint16_t>(opts_.masterPort);
      so.isServer = opts_.rank == 0;
      so.numWorkers = static_cast<std::size_t>(opts_.size);
      so.waitWorkers = false;  // joining is checked below, with the missing ranks named
      so.timeout = opts_.timeout;
      store_ = c10::make_intrusive<c10d::TCPStore>(opts_.masterAddr, so);
    } catch (const std::exception& e) {
      std::string hint = !opts_.fileStore.empty() ? "is the path writable by every rank?"
                         : opts_.rank == 0 ? "is the port free on this machine? choose another --master-port"
                                           : "is rank 0 started, and are --master-addr/--master-port right?";
      throw std::runtime_error(Where() + ": cannot " + (opts_.rank == 0 || !opts_.fileStore.empty() ? "open " : "reach ") +
                               StoreName() + " within " + std::to_string(opts_.timeout.count()) + " ms (" + hint +
                               "): " + CleanMessage(e.what()));
    }
  }

  // Every rank writes its world size under its own key, then waits for all keys; on timeout the
  // ranks without a key are the ones that never joined.
  void Join() {
    // A FileStore's file outlives a job that was killed (only a clean destroy removes it), and a
    // new job meeting on it would read the old ranks' keys and try to connect to processes that
    // are gone (Gloo's connect timeout, with no word of why). Each rank counts its own joins
    // (an add, which also creates the file; a read would wait for it): a count above one means
    // the file is an old job's.
    if (!opts_.fileStore.empty() && store_->add(Key("joins", opts_.rank), 1) > 1) {
      throw std::runtime_error(Where() + ": " + StoreName() + " holds an earlier job's rendezvous (rank " +
                               std::to_string(opts_.rank) + " joined it before: that job ended without " +
                               "removing the file); delete the file or give this job a fresh path");
    }
    store_->set(Key("join", opts_.rank), Bytes(std::to_string(opts_.size)));
    std::vector<std::string> keys;
    for (int r = 0; r < opts_.size; r++) keys.push_back(Key("join", r));
    try {
      store_->wait(keys, opts_.timeout);
    } catch (const std::exception& e) {
      std::string missing;
      int count = 0;
      for (int r = 0; r < opts_.size; r++) {
        bool present = false;
        try {
          present = store_->check({Key("join", r)});
        } catch (const std::exception&) {
        }
        if (!present) {
          missing += (missing.empty() ? "" : ", ") + std::to_string(r);
          count++;
        }
      }
      if (count == 0) throw std::runtime_error(Where() + ": joining through " + StoreName() + " failed: " + CleanMessage(e.what()));
      throw std::runtime_error(Where() + ": rank" + (count > 1 ? "s " : " ") + missing + " never joined " + StoreName() +
                               " within " + std::to_string(opts_.timeout.count()) +
                               " ms (not started, crashed at start-up, or started with another world size or store)");
    }
    for (int r = 0; r < opts_.size; r++) {
      std::string theirs = Text(store_->get(Key("join", r)));
      if (theirs != std::to_string(opts_.size))
        throw std::runtime_error(Where() + ": rank " + std::to_string(r) + " was started with world size " + theirs +
                                 ", this rank with " + std::to_string(opts_.size) + "; start every rank with the same WORLD_SIZE");
    }
  }

  std::shared_ptr<::gloo::transport::Device> MakeDevice() const {
    // Same choice as PyTorch: an explicit interface, else loopback for a local master, else the
    // address this machine's hostname resolves to.
    const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
    if (ifname != nullptr && *ifname != '\0') return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
    if (opts_.fileStore.empty() && IsLoopback(opts_.masterAddr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    return c10d::ProcessGroupGloo::createDefaultDevice();
  }

  void StartHeartbeat() {
    beat_ = std::thread([this] {
      uint64_t beat = 0;
      std::unique_lock<std::mutex> lock(beatMutex_);
      while (!stopBeat_) {
        lock.unlock();
        try {
          store_->set(Key("alive", opts_.rank), Bytes(std::to_string(++beat) + " " + std::to_string(seq_.load())));
        } catch (const std::exception&) {
          // The store is gone (rank 0 ended): nothing to report to; collectives will say so.
        }
        lock.lock();
        beatCv_.wait_for(lock, kBeatInterval, [this] { return stopBeat_; });
      }
    });
  }

  void CheckUsable(const std::string& name) {
    std::lock_guard<std::mutex> lock(stateMutex_);
    if (destroyed_) throw std::runtime_error(name + ": the process group was destroyed");
    if (broken_) throw std::runtime_error(name + ": the process group failed earlier and cannot be used: " + brokenMessage_);
  }

  void Break(const std::string& msg) {
    std::lock_guard<std::mutex> lock(stateMutex_);
    if (!broken_) brokenMessage_ = msg;
    broken_ = true;
  }

  struct Beat {
    bool present = false;
    long long beat = -1;
    long long seq = -1;
  };

  // Reads every other rank's heartbeat; false when the store does not answer.
  bool ReadBeats(std::map<int, Beat>& out) {
    try {
      for (int r = 0; r < opts_.size; r++) {
        if (r == opts_.rank) continue;
        Beat b;
        std::string key = Key("alive", r);
        if (store_->check({key})) {
          std::istringstream in(Text(store_->get(key)));
          in >> b.beat >> b.seq;
          b.present = true;
        }
        out[r] = b;
      }
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  std::string Diagnose(uint64_t seq) {
    std::string storeGone = opts_.fileStore.empty()
                                ? "rank 0 is gone (" + StoreName() + " no longer answers: its process ended or its machine is unreachable)"
                                : StoreName() + " no longer answers (is the shared path still reachable?)";
    std::map<int, Beat> first, second;
    if (!ReadBeats(first)) return storeGone;
    std::this_thread::sleep_for(kSilenceWindow);
    if (!ReadBeats(second)) return storeGone;
    std::vector<std::string> faults;
    for (auto& [r, now] : second) {
      const Beat& before = first[r];
      std::string who = "rank " + std::to_string(r);
      if (!now.present || now.beat == before.beat) {
        faults.push_back(who + " is gone (no sign of life for " + std::to_string(kSilenceWindow.count()) +
                         " ms: its process ended or its machine is unreachable)");
      } else if (now.seq < static_cast<long long>(seq)) {
        faults.push_back(who + " is alive but has not reached this collective (it is at collective #" +
                         std::to_string(now.seq) + ": stuck, far slower, or running different code)");
      } else if (now.seq > static_cast<long long>(seq)) {
        faults.push_back(who + " is past this collective (at #" + std::to_string(now.seq) + ": the ranks run different code)");
      }
    }
    if (faults.empty()) return "every rank is alive and at this collective (network trouble, or tensors that differ between ranks)";
    std::string out;
    for (auto& f : faults) out += (out.empty() ? "" : "; ") + f;
    return out;
  }
};

// Keeps heartbeat threads from outliving the process's static objects when a script exits
// without destroying its group.
std::mutex registryMutex;
std::vector<std::weak_ptr<Group>>* registry = nullptr;

void StopAllAtExit() {
  std::lock_guard<std::mutex> lock(registryMutex);
  if (registry == nullptr) return;
  for (auto& w : *registry)
    if (auto g = w.lock()) g->StopHeartbeat();
}

void Register(const std::shared_ptr<Group>& g) {
  std::lock_guard<std::mutex> lock(registryMutex);
  if (registry == nullptr) {
    registry = new std::vector<std::weak_ptr<Group>>();
    std::atexit(StopAllAtExit);
  }
  std::vector<std::weak_ptr<Group>> live;
  for (auto& w : *registry)
    if (!w.expired()) live.push_back(w);
  live.push_back(g);
  *registry = std::move(live);
}

// ---- tensors in buckets -----------------------------------------------------------------
// Consecutive tensors of one dtype share a flat buffer of at most `capBytes` (a larger tensor
// gets a bucket of its own), so a model's many small gradients travel as a few large messages,
// as in DistributedDataParallel.
struct Bucket {
  std::vector<at::Tensor> members;
  at::Tensor flat;
  bool direct = false;  // the single member is the buffer itself
};

std::vector<Bucket> MakeBuckets(const std::vector<at::Tensor>& tensors, int64_t capBytes) {
  std::vector<Bucket> buckets;
  int64_t bytes = 0;
  for (const auto& t : tensors) {
    int64_t n = static_cast<int64_t>(t.nbytes());
    if (buckets.empty() || buckets.back().members.front().scalar_type() != t.scalar_type() || bytes + n > capBytes) {
      buckets.emplace_back();
      bytes = 0;
    }
    buckets.back().members.push_back(t);
    bytes += n;
  }
  return buckets;
}

void Flatten(Bucket& b) {
  if (b.members.size() == 1 && b.members[0].is_contiguous()) {
    b.flat = b.members[0];
    b.direct = true;
    return;
  }
  std::vector<at::Tensor> views;
  for (const auto& m : b.members) views.push_back(m.reshape({-1}));
  b.flat = at::cat(views);
}

void Unflatten(Bucket& b) {
  if (b.direct) return;
  int64_t offset = 0;
  for (auto& m : b.members) {
    int64_t n = m.numel();
    m.copy_(b.flat.narrow(0, offset, n).view(m.sizes()));
    offset += n;
  }
}

// ---- N-API ----------------------------------------------------------------------------------
std::shared_ptr<Group> GroupOf(const Napi::Value& v) {
  bool ok = false;
  if (v.IsExternal()) napi_check_object_type_tag(v.Env(), v, &kGroupTag, &ok);
  if (!ok) throw Napi::TypeError::New(v.Env(), "distributed: expected a process group handle from init()");
  return *v.As<Napi::External<std::shared_ptr<Group>>>().Data();
}

std::vector<at::Tensor> TensorList(const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw std::invalid_argument(std::string(what) + ": expected an array of tensors");
  auto arr = v.As<Napi::Array>();
  std::vector<at::Tensor> out;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    at::Tensor t = TensorOfHandle(arr.Get(i), what);
    if (!t.device().is_cpu() || t.layout() != at::kStrided)
      throw std::invalid_argument(std::string(what) + ": tensor " + std::to_string(i) + " is not a dense CPU tensor (Gloo reduces CPU tensors)");
    out.push_back(t);
  }
  return out;
}

int64_t IntArg(const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throw std::invalid_argument(std::string(what) + ": expected an integer");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<int64_t>(d))) throw std::invalid_argument(std::string(what) + ": expected an integer");
  return static_cast<int64_t>(d);
}

// An async worker that settles a promise.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  explicit PromiseWorker(Napi::Env env) : Napi::AsyncWorker(env, "wildcat:distributed"), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Start() {
    Queue();
    return deferred_.Promise();
  }

 protected:
  virtual Napi::Value Result(Napi::Env env) { return env.Undefined(); }
  void Execute() final {
    try {
      Run();
    } catch (const c10::Error& e) {
      SetError(CleanMessage(e.what_without_backtrace()));
    } catch (const std::exception& e) {
      SetError(CleanMessage(e.what()));
    }
  }
  virtual void Run() = 0;
  void OnOK() final { deferred_.Resolve(Result(Env())); }
  void OnError(const Napi::Error& e) final { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
};

class InitWorker : public PromiseWorker {
 public:
  InitWorker(Napi::Env env, GroupOptions o) : PromiseWorker(env), group_(std::make_shared<Group>(std::move(o))) {}

 protected:
  void Run() override { group_->Connect(); }
  Napi::Value Result(Napi::Env env) override {
    Register(group_);
    auto* holder = new std::shared_ptr<Group>(group_);
    auto ext = Napi::External<std::shared_ptr<Group>>::New(env, holder, [](Napi::Env, std::shared_ptr<Group>* p) { delete p; });
    napi_type_tag_object(env, ext, &kGroupTag);
    return ext;
  }

 private:
  std::shared_ptr<Group> group_;
};

enum class Kind { AllReduce, Broadcast };

class BucketWorker : public PromiseWorker {
 public:
  BucketWorker(Napi::Env env, std::shared_ptr<Group> g, Kind kind, std::vector<at::Tensor> tensors, int64_t capBytes,
               c10d::ReduceOp op, bool average, int64_t root)
      : PromiseWorker(env), g_(std::move(g)), kind_(kind), tensors_(std::move(tensors)), cap_(capBytes), op_(op),
        average_(average), root_(root) {}

 protected:
  void Run() override {
    at::NoGradGuard noGrad;
    auto buckets = MakeBuckets(tensors_, cap_);
    g_->Run(kind_ == Kind::AllReduce ? "allReduce" : "broadcast", [&](c10d::ProcessGroupGloo& pg) {
      std::vector<c10::intrusive_ptr<c10d::Work>> works;
      // Queue every bucket before waiting: bucket k+1 is flattened while bucket k travels.
      for (auto& b : buckets) {
        Flatten(b);
        if (b.flat.numel() == 0) continue;
        std::vector<at::Tensor> one{b.flat};
        if (kind_ == Kind::AllReduce) {
          c10d::AllreduceOptions o;
          o.reduceOp = op_;
          works.push_back(pg.allreduce(one, o));
        } else {
          c10d::BroadcastOptions o;
          o.rootRank = root_;
          works.push_back(pg.broadcast(one, o));
        }
      }
      return works;
    });
    for (auto& b : buckets) {
      if (average_) b.flat.div_(g_->size());
      Unflatten(b);
    }
  }

 private:
  std::shared_ptr<Group> g_;
  Kind kind_;
  std::vector<at::Tensor> tensors_;
  int64_t cap_;
  c10d::ReduceOp op_;
  bool average_;
  int64_t root_;
};

class BarrierWorker : public PromiseWorker {
 public:
  BarrierWorker(Napi::Env env, std::shared_ptr<Group> g) : PromiseWorker(env), g_(std::move(g)) {}

 protected:
  void Run() override {
    g_->Run("barrier", [](c10d::ProcessGroupGloo& pg) { return std::vector<c10::intrusive_ptr<c10d::Work>>{pg.barrier()}; });
  }

 private:
  std::shared_ptr<Group> g_;
};

// Byte buffers of any length: lengths first, then the buffers padded to the longest.
class AllGatherWorker : public PromiseWorker {
 public:
  AllGatherWorker(Napi::Env env, std::shared_ptr<Group> g, at::Tensor bytes) : PromiseWorker(env), g_(std::move(g)), bytes_(std::move(bytes)) {}

 protected:
  void Run() override {
    int n = g_->size();
    std::vector<at::Tensor> len{at::full({1}, bytes_.numel(), at::kLong)};
    std::vector<std::vector<at::Tensor>> lens(1);
    for (int r = 0; r < n; r++) lens[0].push_back(at::empty({1}, at::kLong));
    g_->Run("allGather (lengths)", [&](c10d::ProcessGroupGloo& pg) { return std::vector<c10::intrusive_ptr<c10d::Work>>{pg.allgather(lens, len)}; });
    int64_t longest = 1;
    for (auto& l : lens[0]) {
      lengths_.push_back(l.item<int64_t>());
      longest = std::max(longest, lengths_.back());
    }
    std::vector<at::Tensor> mine{at::zeros({longest}, at::kByte)};
    if (bytes_.numel() > 0) mine[0].narrow(0, 0, bytes_.numel()).copy_(bytes_);
    std::vector<std::vector<at::Tensor>> all(1);
    for (int r = 0; r < n; r++) all[0].push_back(at::empty({longest}, at::kByte));
    g_->Run("allGather", [&](c10d::ProcessGroupGloo& pg) { return std::vector<c10::intrusive_ptr<c10d::Work>>{pg.allgather(all, mine)}; });
    gathered_ = std::move(all[0]);
  }
  Napi::Value Result(Napi::Env env) override {
    auto out = Napi::Array::New(env, gathered_.size());
    for (size_t r = 0; r < gathered_.size(); r++) {
      auto buf = Napi::ArrayBuffer::New(env, static_cast<size_t>(lengths_[r]));
      if (lengths_[r] > 0) std::memcpy(buf.Data(), gathered_[r].data_ptr(), static_cast<size_t>(lengths_[r]));
      out.Set(static_cast<uint32_t>(r), buf);
    }
    return out;
  }

 private:
  std::shared_ptr<Group> g_;
  at::Tensor bytes_;
  std::vector<int64_t> lengths_;
  std::vector<at::Tensor> gathered_;
};

class DestroyWorker : public PromiseWorker {
 public:
  DestroyWorker(Napi::Env env, std::shared_ptr<Group> g) : PromiseWorker(env), g_(std::move(g)) {}

 protected:
  void Run() override { g_->Destroy(); }

 private:
  std::shared_ptr<Group> g_;
};

// Argument errors are thrown synchronously (a TypeError naming the argument).
template <typename F>
Napi::Value Guarded(const Napi::CallbackInfo& info, const char* where, F&& fn) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::TypeError::New(info.Env(), std::string("distributed.") + where + ": " + CleanMessage(e.what()));
  }
}

// init({ rank, size, masterAddr, masterPort, fileStore, timeoutMs }) -> Promise<group>
Napi::Value Init(const Napi::CallbackInfo& info) {
  return Guarded(info, "init", [&]() -> Napi::Value {
    if (!info[0].IsObject()) throw std::invalid_argument("expected an options object");
    auto o = info[0].As<Napi::Object>();
    GroupOptions g;
    g.rank = static_cast<int>(IntArg(o.Get("rank"), "rank"));
    g.size = static_cast<int>(IntArg(o.Get("size"), "size"));
    g.timeout = Ms(IntArg(o.Get("timeoutMs"), "timeoutMs"));
    if (o.Get("fileStore").IsString()) g.fileStore = o.Get("fileStore").As<Napi::String>().Utf8Value();
    if (g.fileStore.empty()) {
      g.masterAddr = o.Get("masterAddr").ToString().Utf8Value();
      g.masterPort = static_cast<int>(IntArg(o.Get("masterPort"), "masterPort"));
    }
    auto* w = new InitWorker(info.Env(), std::move(g));
    return w->Start();
  });
}

c10d::ReduceOp ReduceOpOf(const std::string& name, bool* average) {
  *average = false;
  if (name == "sum") return c10d::ReduceOp::SUM;
  if (name == "avg") {
    *average = true;  // Gloo has no AVG: sum, then divide
    return c10d::ReduceOp::SUM;
  }
  if (name == "max") return c10d::ReduceOp::MAX;
  if (name == "min") return c10d::ReduceOp::MIN;
  if (name == "product") return c10d::ReduceOp::PRODUCT;
  throw std::invalid_argument("unknown reduce op '" + name + "'; expected sum, avg, max, min or product");
}

// allReduce(group, tensors[], op, bucketBytes) -> Promise<void>; in place.
Napi::Value AllReduce(const Napi::CallbackInfo& info) {
  return Guarded(info, "allReduce", [&]() -> Napi::Value {
    auto g = GroupOf(info[0]);
    auto tensors = TensorList(info[1], "allReduce tensors");
    bool average = false;
    auto op = ReduceOpOf(info[2].ToString().Utf8Value(), &average);
    if (average)
      for (auto& t : tensors)
        if (!at::isFloatingType(t.scalar_type()))
          throw std::invalid_argument(std::string("op 'avg' needs floating-point tensors, got ") + c10::toString(t.scalar_type()));
    int64_t cap = IntArg(info[3], "bucketBytes");
    if (cap < 1) throw std::invalid_argument("bucketBytes must be positive");
    auto* w = new BucketWorker(info.Env(), g, Kind::AllReduce, std::move(tensors), cap, op, average, 0);
    return w->Start();
  });
}

// broadcast(group, tensors[], src, bucketBytes) -> Promise<void>; in place.
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  return Guarded(info, "broadcast", [&]() -> Napi::Value {
    auto g = GroupOf(info[0]);
    auto tensors = TensorList(info[1], "broadcast tensors");
    int64_t src = IntArg(info[2], "src");
    if (src < 0 || src >= g->size()) throw std::invalid_argument("src rank " + std::to_string(src) + " is outside [0, " + std::to_string(g->size()) + ")");
    int64_t cap = IntArg(info[3], "bucketBytes");
    if (cap < 1) throw std::invalid_argument("bucketBytes must be positive");
    auto* w = new BucketWorker(info.Env(), g, Kind::Broadcast, std::move(tensors), cap, c10d::ReduceOp::SUM, false, src);
    return w->Start();
  });
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  return Guarded(info, "barrier", [&]() -> Napi::Value {
    auto* w = new BarrierWorker(info.Env(), GroupOf(info[0]));
    return w->Start();
  });
}

// allGather(group, Uint8Array) -> Promise<ArrayBuffer[]> (one per rank, in rank order).
Napi::Value AllGather(const Napi::CallbackInfo& info) {
  return Guarded(info, "allGather", [&]() -> Napi::Value {
    auto g = GroupOf(info[0]);
    if (!info[1].IsTypedArray()) throw std::invalid_argument("expected a Uint8Array");
    auto ta = info[1].As<Napi::TypedArray>();
    at::Tensor bytes = at::empty({static_cast<int64_t>(ta.ByteLength())}, at::kByte);
    if (ta.ByteLength() > 0) std::memcpy(bytes.data_ptr(), static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset(), ta.ByteLength());
    auto* w = new AllGatherWorker(info.Env(), g, std::move(bytes));
    return w->Start();
  });
}

Napi::Value Destroy(const Napi::CallbackInfo& info) {
  return Guarded(info, "destroy", [&]() -> Napi::Value {
    auto* w = new DestroyWorker(info.Env(), GroupOf(info[0]));
    return w->Start();
  });
}

}  // namespace

Napi::Object DistributedExports(Napi::Env env) {
  auto out = Napi::Object::New(env);
  out.Set("init", Napi::Function::New(env, Init, "init"));
  out.Set("allReduce", Napi::Function::New(env, AllReduce, "allReduce"));
  out.Set("broadcast", Napi::Function::New(env, Broadcast, "broadcast"));
  out.Set("barrier", Napi::Function::New(env, Barrier, "barrier"));
  out.Set("allGather", Napi::Function::New(env, AllGather, "allGather"));
  out.Set("destroy", Napi::Function::New(env, Destroy, "destroy"));
  return out;
}

}  // namespace wildcat
