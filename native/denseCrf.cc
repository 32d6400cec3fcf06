// Fully connected CRF with Gaussian edge potentials: mean-field inference in which every message
// passing step is a high-dimensional Gaussian filter (Krähenbühl & Koltun, "Efficient Inference
// in Fully Connected CRFs with Gaussian Edge Potentials", NIPS 2011, §3-4), computed on the
// permutohedral lattice (Adams, Baek & Davis, "Fast High-Dimensional Filtering Using the
// Permutohedral Lattice", Eurographics 2010, §3): splat, blur, slice, linear in the number of
// pixels. Plain C++17, written from the papers; no libtorch.
//
// The model (K&K §2): E(x) = Σ_i ψ_u(x_i) + Σ_{i,j} μ(x_i, x_j) Σ_m w_m k̃_m(f_i, f_j) / 2 with
// ψ_u = −log p (the given probabilities, clamped away from 0), Potts μ(l, l') = [l ≠ l'], and two
// kernels: "gaussian" on positions (f = p/σxy) and "bilateral" on positions and colours
// (f = (p/σxy, I/σrgb)). Each kernel k_m(f_i, f_j) = exp(−|f_i − f_j|²/2) is normalised
// symmetrically, k̃_m = D^{-1/2} K D^{-1/2} with D = diag(K·1) obtained by filtering an image of
// ones: the lattice computes K·v only up to an unknown constant factor (its blur is not
// normalised), and the normalisation removes that factor, keeps the matrix symmetric, and makes
// the weights w_m mean the same at every image size and σ. The filter includes each pixel's own
// term (j = i), as the lattice does; with it K̃ is positive semi-definite, so with Potts the
// pairwise term is concave in Q and the parallel mean-field update below is a concave-convex
// step: the mean-field free energy never increases (Krähenbühl & Koltun, "Parameter Learning and
// Convergent Inference for Dense Random Fields", ICML 2013).
//
// Mean-field update (K&K Algorithm 1 with μ = Potts written as −[l = l'] plus a term constant in
// l, which the per-pixel normalisation cancels):
//   Q_i(l) ∝ exp(−ψ_u,i(l) + Σ_m w_m (K̃_m Q(l))_i).
// Free energy (K&K §3, KL(Q‖P) up to a constant independent of Q):
//   F(Q) = Σ_i Σ_l Q_i(l) (ψ_u,i(l) + log Q_i(l)) − ½ Σ_m w_m Σ_l Q(l)ᵀ K̃_m Q(l).
#if defined(__GNUC__) && !defined(__clang__)
// -O3 (vectorised loops over labels) and no-trapping-math (lets the clamp in ExpNonPositive
// vectorise; we never read floating-point exception flags) for this file only. Set before any
// #include, so that the library's inline functions get the same options and still inline.
#pragma GCC optimize("O3", "no-trapping-math")
#endif
#include "addon.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace wildcat {
namespace {

// Open-addressing hash table from lattice points (their first d integer coordinates; the last
// one follows from the coordinates summing to zero) to dense vertex indices 0, 1, 2, ...
class LatticeHash {
 public:
  explicit LatticeHash(int d) : d_(d) { Rehash(1 << 12); }

  int32_t FindOrInsert(const int32_t* key) {
    if (static_cast<size_t>(count_ + 1) * 2 > slots_.size()) Rehash(slots_.size() * 2);
    size_t h = Hash(key) & mask_;
    for (;;) {
      int32_t s = slots_[h];
      if (s < 0) {
        slots_[h] = count_;
        keys_.insert(keys_.end(), key, key + d_);
        return count_++;
      }
      if (SameKey(key, s)) return s;
      h = (h + 1) & mask_;
    }
  }

  int32_t Find(const int32_t* key) const {
    size_t h = Hash(key) & mask_;
    for (;;) {
      int32_t s = slots_[h];
      if (s < 0) return -1;
      if (SameKey(key, s)) return s;
      h = (h + 1) & mask_;
    }
  }

  const int32_t* Key(int32_t v) const { return keys_.data() + static_cast<size_t>(v) * d_; }
  int32_t size() const { return count_; }

 private:
  // A loop rather than std::equal, which becomes a memcmp call for these 2-5 coordinates.
  bool SameKey(const int32_t* key, int32_t v) const {
    const int32_t* k = keys_.data() + static_cast<size_t>(v) * d_;
    for (int i = 0; i < d_; i++)
      if (k[i] != key[i]) return false;
    return true;
  }

  size_t Hash(const int32_t* key) const {
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < d_; i++) h = (h ^ static_cast<uint32_t>(key[i])) * 1099511628211ULL;
    return static_cast<size_t>(h ^ (h >> 29));
  }

  void Rehash(size_t capacity) {
    slots_.assign(capacity, -1);
    mask_ = capacity - 1;
    for (int32_t v = 0; v < count_; v++) {
      size_t h = Hash(Key(v)) & mask_;
      while (slots_[h] >= 0) h = (h + 1) & mask_;
      slots_[h] = v;
    }
  }

  int d_;
  int32_t count_ = 0;
  size_t mask_ = 0;
  std::vector<int32_t> slots_;
  std::vector<int32_t> keys_;
};

// Gaussian filtering of n points with d-dimensional features (already divided by their σ) on
// the permutohedral lattice A*_d (ABD §3): Filter(v)_i ≈ c · Σ_j exp(−|f_i − f_j|²/2) v_j for an
// unknown constant c. Building the lattice (elevation, enclosing simplices, barycentric
// weights, neighbour table) happens once; each Filter call is then splat, blur, slice.
class PermutohedralLattice {
 public:
  PermutohedralLattice(const float* features, int64_t n, int d) : n_(n), d_(d) {
    const int d1 = d + 1;
    // Scale of the features in lattice units. The lattice points adjacent along each of the
    // d + 1 blur directions u_j = 1 − (d+1)e_j lie |u_j|² = d(d+1) apart; the [1 2 1]/4 blur
    // along every u_j has covariance ½ Σ_j u_j u_jᵀ = ½ (d+1)² on the hyperplane, and splatting
    // then slicing (barycentric interpolation twice, over a simplex whose squared edge lengths
    // are k(d+1−k)(d+1)) adds (d+1)²/6 per direction on average. The total variance is
    // (2/3)(d+1)² per direction, so scaling the features by √(2/3)(d+1) makes the whole filter
    // a Gaussian of unit standard deviation in feature units (to the lattice's approximation).
    const double latticeScale = std::sqrt(2.0 / 3.0) * d1;
    // Elevation onto the hyperplane Σx = 0 of R^{d+1} by an orthonormal basis, column j
    // (1 ≤ j ≤ d) = (1, …, 1 [j times], −j, 0, …) / √(j(j+1)).
    std::vector<double> scale(d1, 0.0);
    for (int j = 1; j <= d; j++) scale[j] = latticeScale / std::sqrt(static_cast<double>(j) * (j + 1));

    LatticeHash hash(d);
    splatIndex_.resize(static_cast<size_t>(n) * d1);
    splatWeight_.resize(static_cast<size_t>(n) * d1);
    std::vector<double> elevated(d1), barycentric(d1 + 1);
    std::vector<int32_t> rem0(d1), rank(d1), key(d);
    for (int64_t p = 0; p < n; p++) {
      const float* f = features + p * d;
      double sum = 0.0;
      for (int j = d; j >= 1; j--) {
        double cf = f[j - 1] * scale[j];
        elevated[j] = sum - j * cf;
        sum += cf;
      }
      elevated[0] = sum;

      // The nearest remainder-0 point (all coordinates multiples of d+1), then the ranks of the
      // coordinates' differentials from it (ABD §3.1, "finding the enclosing simplex").
      int32_t rem0Sum = 0;
      for (int i = 0; i < d1; i++) {
        double v = elevated[i] / d1;
        rem0[i] = static_cast<int32_t>(std::floor(v + 0.5)) * d1;
        rem0Sum += rem0[i];
      }
      rem0Sum /= d1;
      std::fill(rank.begin(), rank.end(), 0);
      for (int i = 0; i < d; i++) {
        for (int j = i + 1; j < d1; j++) {
          if (elevated[i] - rem0[i] < elevated[j] - rem0[j]) rank[i]++;
          else rank[j]++;
        }
      }
      // The point's coordinates must sum to zero: if the rounded ones do not, move the
      // coordinates that were rounded furthest in the wrong direction by d+1.
      if (rem0Sum != 0) {
        for (int i = 0; i < d1; i++) {
          rank[i] += rem0Sum;
          if (rank[i] < 0) {
            rank[i] += d1;
            rem0[i] += d1;
          } else if (rank[i] > d) {
            rank[i] -= d1;
            rem0[i] -= d1;
          }
        }
      }
      // Barycentric coordinates in the enclosing simplex, from the sorted differentials.
      std::fill(barycentric.begin(), barycentric.end(), 0.0);
      for (int i = 0; i < d1; i++) {
        double delta = (elevated[i] - rem0[i]) / d1;
        barycentric[d - rank[i]] += delta;
        barycentric[d1 - rank[i]] -= delta;
      }
      barycentric[0] += 1.0 + barycentric[d1];
      // Vertex k of the simplex is rem0 + the canonical simplex's vertex k, whose coordinate i
      // is k where rank_i < d+1−k and k − (d+1) elsewhere.
      for (int k = 0; k < d1; k++) {
        for (int i = 0; i < d; i++) key[i] = rem0[i] + (rank[i] < d1 - k ? k : k - d1);
        splatIndex_[p * d1 + k] = hash.FindOrInsert(key.data());
        splatWeight_[p * d1 + k] = static_cast<float>(barycentric[k]);
      }
    }

    vertices_ = hash.size();
    // Neighbours of every vertex along each blur direction u_j (±(1, …, 1) ∓ (d+1)e_j); a
    // missing neighbour points at row `vertices_`, which stays zero (values off the lattice's
    // occupied part are zero).
    neighbours_.resize(static_cast<size_t>(d1) * vertices_ * 2);
    std::vector<int32_t> n1(d), n2(d);
    for (int j = 0; j < d1; j++) {
      for (int32_t v = 0; v < vertices_; v++) {
        const int32_t* k = hash.Key(v);
        for (int i = 0; i < d; i++) {
          n1[i] = k[i] - 1;
          n2[i] = k[i] + 1;
        }
        if (j < d) {
          n1[j] += d1;
          n2[j] -= d1;
        }
        int32_t a = hash.Find(n1.data());
        int32_t b = hash.Find(n2.data());
        neighbours_[(static_cast<size_t>(j) * vertices_ + v) * 2] = a < 0 ? vertices_ : a;
        neighbours_[(static_cast<size_t>(j) * vertices_ + v) * 2 + 1] = b < 0 ? vertices_ : b;
      }
    }
  }

  int32_t vertices() const { return vertices_; }

  // Turns Filter into D^{-1/2} K D^{-1/2} with D = diag(K·1) (K the lattice's own filter): the
  // splat and slice weights of point p are both multiplied by D_pp^{-1/2}.
  void NormaliseSymmetrically() {
    const int d1 = d_ + 1;
    std::vector<float> ones(n_, 1.0f), norm(n_);
    Filter(ones.data(), norm.data(), 1);
    for (int64_t p = 0; p < n_; p++) {
      float s = 1.0f / std::sqrt(std::max(norm[p], 1e-20f));
      for (int k = 0; k < d1; k++) splatWeight_[p * d1 + k] *= s;
    }
  }

  // out[i·c + l] = filtered in[· c + l] for the c channels of n points (both [n, c] row-major).
  void Filter(const float* in, float* out, int c) {
    const int d1 = d_ + 1;
    const size_t rows = static_cast<size_t>(vertices_) + 1;
    bufA_.assign(rows * c, 0.0f);
    bufB_.resize(rows * c);
    std::fill(bufB_.begin() + static_cast<size_t>(vertices_) * c, bufB_.end(), 0.0f);
    // Splat: each point's value goes to its simplex's vertices with its barycentric weights.
    float* values = bufA_.data();
    for (int64_t p = 0; p < n_; p++) {
      const float* src = in + p * c;
      for (int k = 0; k < d1; k++) {
        float w = splatWeight_[p * d1 + k];
        float* dst = values + static_cast<size_t>(splatIndex_[p * d1 + k]) * c;
        for (int l = 0; l < c; l++) dst[l] += w * src[l];
      }
    }
    // Blur: [1 2 1]/2 along each lattice direction in turn (the constant factor is irrelevant).
    float* src = bufA_.data();
    float* dst = bufB_.data();
    for (int j = 0; j < d1; j++) {
      const int32_t* nb = neighbours_.data() + static_cast<size_t>(j) * vertices_ * 2;
      for (int32_t v = 0; v < vertices_; v++) {
        const float* self = src + static_cast<size_t>(v) * c;
        const float* a = src + static_cast<size_t>(nb[2 * v]) * c;
        const float* b = src + static_cast<size_t>(nb[2 * v + 1]) * c;
        float* o = dst + static_cast<size_t>(v) * c;
        for (int l = 0; l < c; l++) o[l] = self[l] + 0.5f * (a[l] + b[l]);
      }
      std::swap(src, dst);
    }
    // Slice: interpolate back at each point with the same barycentric weights.
    for (int64_t p = 0; p < n_; p++) {
      float* o = out + p * c;
      std::fill(o, o + c, 0.0f);
      for (int k = 0; k < d1; k++) {
        float w = splatWeight_[p * d1 + k];
        const float* s = src + static_cast<size_t>(splatIndex_[p * d1 + k]) * c;
        for (int l = 0; l < c; l++) o[l] += w * s[l];
      }
    }
  }

 private:
  int64_t n_;
  int d_;
  int32_t vertices_ = 0;
  std::vector<int32_t> splatIndex_;
  std::vector<float> splatWeight_;
  std::vector<int32_t> neighbours_;
  std::vector<float> bufA_, bufB_;
};

struct CrfParams {
  int iterations = 0;
  double gaussianSxy = 0, gaussianWeight = 0;
  double bilateralSxy = 0, bilateralSrgb = 0, bilateralWeight = 0;
  double minProbability = 0;
  bool energy = false;
};

struct CrfInput {
  const uint8_t* image = nullptr;  // [H, W, C] row-major, interleaved channels
  int width = 0, height = 0, channels = 0;
  const float* probabilities = nullptr;  // [L, H, W] row-major
  int labels = 0;
};

struct CrfOutput {
  std::vector<float> probabilities;  // [L, H, W]
  std::vector<uint16_t> labels;      // [H, W]
  std::vector<double> energy;        // F(Q) before the first and after every iteration
  int numLabels = 0;
};

// One pairwise term: its symmetrically normalised lattice filter K̃ and its weight.
struct Kernel {
  std::unique_ptr<PermutohedralLattice> lattice;
  float weight = 0;
};

Kernel MakeKernel(const std::vector<float>& features, int64_t n, int d, double weight) {
  Kernel k;
  k.weight = static_cast<float>(weight);
  k.lattice = std::make_unique<PermutohedralLattice>(features.data(), n, d);
  k.lattice->NormaliseSymmetrically();
  return k;
}

// exp(x) for x <= 0 in float, written so that the compiler can vectorise a loop of it (libm's
// expf is a call): x = k ln2 + r with |r| <= ln2/2 (ln2 split in two for exactness), exp(r) by
// its Taylor polynomial to degree 6 (relative error < 2e-7), 2^k through the exponent bits.
inline float ExpNonPositive(float x) {
  x = std::max(x, -87.0f);
  const int32_t k = static_cast<int32_t>(x * 1.44269504f - 0.5f);  // round to nearest (x <= 0)
  const float kf = static_cast<float>(k);
  const float r = (x - kf * 0.693145752f) - kf * 1.42860677e-6f;
  const float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416666679f + r * (0.00833333377f + r * 0.00138888892f)))));
  const int32_t bits = (k + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

CrfOutput Solve(const CrfInput& in, const CrfParams& prm) {
  const int64_t n = static_cast<int64_t>(in.width) * in.height;
  const int L = in.labels;
  const int W = in.width;
  const size_t nl = static_cast<size_t>(n) * L;

  // Unaries and the initial Q = softmax(−ψ_u), both [n, L] (labels innermost, for the filter).
  std::vector<float> unary(nl), q(nl);
  const float floor = static_cast<float>(prm.minProbability);
  for (int l = 0; l < L; l++) {
    const float* p = in.probabilities + static_cast<size_t>(l) * n;
    for (int64_t i = 0; i < n; i++) unary[i * L + l] = -std::log(std::max(p[i], floor));
  }

  std::vector<Kernel> kernels;
  if (prm.gaussianWeight > 0) {
    std::vector<float> f(static_cast<size_t>(n) * 2);
    for (int64_t i = 0; i < n; i++) {
      f[i * 2] = static_cast<float>((i % W) / prm.gaussianSxy);
      f[i * 2 + 1] = static_cast<float>((i / W) / prm.gaussianSxy);
    }
    kernels.push_back(MakeKernel(f, n, 2, prm.gaussianWeight));
  }
  if (prm.bilateralWeight > 0) {
    const int C = in.channels;
    const int d = 2 + C;
    std::vector<float> f(static_cast<size_t>(n) * d);
    for (int64_t i = 0; i < n; i++) {
      f[i * d] = static_cast<float>((i % W) / prm.bilateralSxy);
      f[i * d + 1] = static_cast<float>((i / W) / prm.bilateralSxy);
      for (int ch = 0; ch < C; ch++) f[i * d + 2 + ch] = static_cast<float>(in.image[i * C + ch] / prm.bilateralSrgb);
    }
    kernels.push_back(MakeKernel(f, n, d, prm.bilateralWeight));
  }

  // Q_i = softmax(logits_i) for every pixel; logits is overwritten. Flat loops over all n·L
  // values where possible, so that they vectorise.
  std::vector<float> logits(nl);
  auto softmax = [&]() {
    for (int64_t i = 0; i < n; i++) {
      float* a = logits.data() + i * L;
      float mx = a[0];
      for (int l = 1; l < L; l++) mx = std::max(mx, a[l]);
      for (int l = 0; l < L; l++) a[l] -= mx;
    }
    float* a = logits.data();
    for (size_t k = 0; k < nl; k++) a[k] = ExpNonPositive(a[k]);
    for (int64_t i = 0; i < n; i++) {
      const float* e = logits.data() + i * L;
      float s = 0;
      for (int l = 0; l < L; l++) s += e[l];
      const float inv = 1.0f / s;
      float* qi = q.data() + i * L;
      for (int l = 0; l < L; l++) qi[l] = e[l] * inv;
    }
  };
  for (size_t k = 0; k < nl; k++) logits[k] = -unary[k];
  softmax();

  // messages[m] = K̃_m Q, all labels at once.
  std::vector<std::vector<float>> messages(kernels.size(), std::vector<float>(nl));
  auto passMessages = [&]() {
    for (size_t m = 0; m < kernels.size(); m++) kernels[m].lattice->Filter(q.data(), messages[m].data(), L);
  };
  auto freeEnergy = [&]() {
    double f = 0;
    for (size_t k = 0; k < nl; k++) {
      double qk = q[k];
      if (qk > 0) f += qk * (unary[k] + std::log(qk));
    }
    for (size_t m = 0; m < kernels.size(); m++) {
      double pair = 0;
      const std::vector<float>& msg = messages[m];
      for (size_t k = 0; k < nl; k++) pair += static_cast<double>(q[k]) * msg[k];
      f -= 0.5 * kernels[m].weight * pair;
    }
    return f;
  };

  CrfOutput out;
  for (int it = 0; it <= prm.iterations; it++) {
    if (it == prm.iterations && !prm.energy) break;
    passMessages();
    if (prm.energy) out.energy.push_back(freeEnergy());
    if (it == prm.iterations) break;
    for (size_t k = 0; k < nl; k++) logits[k] = -unary[k];
    for (size_t m = 0; m < kernels.size(); m++) {
      const float w = kernels[m].weight;
      const float* msg = messages[m].data();
      for (size_t k = 0; k < nl; k++) logits[k] += w * msg[k];
    }
    softmax();
  }

  out.numLabels = L;
  out.probabilities.resize(nl);
  out.labels.resize(n);
  for (int64_t i = 0; i < n; i++) {
    const float* qi = q.data() + i * L;
    int best = 0;
    for (int l = 0; l < L; l++) {
      out.probabilities[static_cast<size_t>(l) * n + i] = qi[l];
      if (qi[l] > qi[best]) best = l;
    }
    out.labels[i] = static_cast<uint16_t>(best);
  }
  return out;
}

// ---- N-API -------------------------------------------------------------------------------
// denseCrf(image: Uint8Array [H,W,C], width, height, channels, probabilities: Float32Array
// [L,H,W], labels, params) -> { probabilities: Float32Array, labels: Uint8Array|Uint16Array,
// energy: Float64Array|null }. src/segment/denseCrf.ts checks the inputs with full messages and
// resolves the options; the checks here only keep the C++ safe.

double NumberField(const Napi::Object& o, const char* name) {
  Napi::Value v = o.Get(name);
  if (!v.IsNumber()) throw std::invalid_argument(std::string("params.") + name + " must be a number");
  double x = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(x)) throw std::invalid_argument(std::string("params.") + name + " must be finite");
  return x;
}

int IntArg(const Napi::Value& v, const char* name, int lo, int hi) {
  if (!v.IsNumber()) throw std::invalid_argument(std::string(name) + " must be an integer");
  double x = v.As<Napi::Number>().DoubleValue();
  if (!(x >= lo && x <= hi) || x != std::floor(x))
    throw std::invalid_argument(std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return static_cast<int>(x);
}

struct Request {
  CrfInput input;
  CrfParams params;
};

Request ParseRequest(const Napi::CallbackInfo& info) {
  if (info.Length() < 7) throw std::invalid_argument("expected 7 arguments (image, width, height, channels, probabilities, labels, params)");
  Request r;
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    throw std::invalid_argument("image must be a Uint8Array");
  if (!info[4].IsTypedArray() || info[4].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw std::invalid_argument("probabilities must be a Float32Array");
  r.input.width = IntArg(info[1], "width", 1, 1 << 20);
  r.input.height = IntArg(info[2], "height", 1, 1 << 20);
  r.input.channels = IntArg(info[3], "channels", 1, 3);
  if (r.input.channels == 2) throw std::invalid_argument("channels must be 1 or 3");
  r.input.labels = IntArg(info[5], "labels", 1, 65535);
  auto image = info[0].As<Napi::Uint8Array>();
  auto probs = info[4].As<Napi::Float32Array>();
  const double n = static_cast<double>(r.input.width) * r.input.height;
  if (n > 1e9) throw std::invalid_argument("image too large");
  if (static_cast<double>(image.ElementLength()) != n * r.input.channels)
    throw std::invalid_argument("image has " + std::to_string(image.ElementLength()) + " values, width·height·channels = " +
                                std::to_string(static_cast<int64_t>(n * r.input.channels)));
  if (static_cast<double>(probs.ElementLength()) != n * r.input.labels)
    throw std::invalid_argument("probabilities has " + std::to_string(probs.ElementLength()) + " values, labels·height·width = " +
                                std::to_string(static_cast<int64_t>(n * r.input.labels)));
  r.input.image = image.Data();
  r.input.probabilities = probs.Data();
  if (!info[6].IsObject()) throw std::invalid_argument("params must be an object");
  Napi::Object p = info[6].As<Napi::Object>();
  r.params.iterations = IntArg(p.Get("iterations"), "params.iterations", 0, 1 << 20);
  r.params.gaussianSxy = NumberField(p, "gaussianSxy");
  r.params.gaussianWeight = NumberField(p, "gaussianWeight");
  r.params.bilateralSxy = NumberField(p, "bilateralSxy");
  r.params.bilateralSrgb = NumberField(p, "bilateralSrgb");
  r.params.bilateralWeight = NumberField(p, "bilateralWeight");
  r.params.minProbability = NumberField(p, "minProbability");
  r.params.energy = p.Get("energy").ToBoolean().Value();
  if (!(r.params.gaussianSxy > 0 && r.params.bilateralSxy > 0 && r.params.bilateralSrgb > 0))
    throw std::invalid_argument("params: every σ must be > 0");
  if (r.params.gaussianWeight < 0 || r.params.bilateralWeight < 0) throw std::invalid_argument("params: weights must be >= 0");
  if (!(r.params.minProbability > 0 && r.params.minProbability < 1)) throw std::invalid_argument("params.minProbability must be in (0, 1)");
  return r;
}

Napi::Value ToJs(Napi::Env env, const CrfOutput& out) {
  Napi::Object o = Napi::Object::New(env);
  auto probs = Napi::Float32Array::New(env, out.probabilities.size());
  std::memcpy(probs.Data(), out.probabilities.data(), out.probabilities.size() * sizeof(float));
  o.Set("probabilities", probs);
  if (out.numLabels <= 256) {
    auto labels = Napi::Uint8Array::New(env, out.labels.size());
    for (size_t i = 0; i < out.labels.size(); i++) labels[i] = static_cast<uint8_t>(out.labels[i]);
    o.Set("labels", labels);
  } else {
    auto labels = Napi::Uint16Array::New(env, out.labels.size());
    std::memcpy(labels.Data(), out.labels.data(), out.labels.size() * sizeof(uint16_t));
    o.Set("labels", labels);
  }
  if (out.energy.empty()) {
    o.Set("energy", env.Null());
  } else {
    auto energy = Napi::Float64Array::New(env, out.energy.size());
    std::memcpy(energy.Data(), out.energy.data(), out.energy.size() * sizeof(double));
    o.Set("energy", energy);
  }
  return o;
}

[[noreturn]] void Rethrow(Napi::Env env, const char* where, const std::exception& e) {
  if (dynamic_cast<const std::invalid_argument*>(&e) != nullptr) throw Napi::TypeError::New(env, std::string(where) + ": " + e.what());
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr) throw Napi::RangeError::New(env, std::string(where) + ": out of memory");
  throw Napi::Error::New(env, std::string(where) + ": " + e.what());
}

Napi::Value DenseCrfSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    Request r = ParseRequest(info);
    return ToJs(env, Solve(r.input, r.params));
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    Rethrow(env, "denseCrf", e);
  }
}

// Runs Solve on libuv's thread pool on copies of the inputs (the JS buffers may change or be
// collected meanwhile) and settles a Promise on the main thread.
class DenseCrfWorker : public Napi::AsyncWorker {
 public:
  DenseCrfWorker(Napi::Env env, const Request& r)
      : Napi::AsyncWorker(env, "wildcat.denseCrf"),
        deferred_(Napi::Promise::Deferred::New(env)),
        input_(r.input),
        params_(r.params),
        image_(r.input.image, r.input.image + static_cast<size_t>(r.input.width) * r.input.height * r.input.channels),
        probabilities_(r.input.probabilities,
                       r.input.probabilities + static_cast<size_t>(r.input.width) * r.input.height * r.input.labels) {
    input_.image = image_.data();
    input_.probabilities = probabilities_.data();
  }

  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      out_ = Solve(input_, params_);
    } catch (const std::bad_alloc&) {
      SetError("denseCrfAsync: out of memory");
    } catch (const std::exception& e) {
      SetError(std::string("denseCrfAsync: ") + e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(ToJs(Env(), out_)); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  CrfInput input_;
  CrfParams params_;
  std::vector<uint8_t> image_;
  std::vector<float> probabilities_;
  CrfOutput out_;
};

Napi::Value DenseCrfAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    Request r = ParseRequest(info);
    auto* worker = new DenseCrfWorker(env, r);  // deletes itself after OnOK/OnError
    Napi::Promise promise = worker->Promise();
    worker->Queue();
    return promise;
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    Rethrow(env, "denseCrfAsync", e);
  }
}

}  // namespace

void RegisterDenseCrf(Napi::Env env, Napi::Object exports) {
  exports.Set("denseCrf", Napi::Function::New(env, DenseCrfSync, "denseCrf"));
  exports.Set("denseCrfAsync", Napi::Function::New(env, DenseCrfAsync, "denseCrfAsync"));
}

}  // namespace wildcat
