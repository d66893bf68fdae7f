#include "conv/conv_reference.hpp"

#include <vector>

#include "common/error_metric.hpp"

// Tolerance. Every direction is checked against its precision's tolerance (common/precision.hpp), bwd_filter
// included, although its elements are sums of N·P·Q products, far longer than the C/G·R·S of fwd. A float32
// sum of n products of inputs uniform in [-1, 1), accumulated one term at a time, has a rounding error whose
// standard deviation is about 0.41·2^-24·√n relative to the sum: each addition rounds a partial sum of typical
// size √(i/9) by a relative error uniform in ±2^-24, so the variances add up to 2^-48/3 · n²/18 against the
// sum's variance n/9. That reaches the fp32 budget of 1e-4 only at n ≈ 1.7·10^7 terms; the longest sum in the
// shipped tables is VGG-16's conv1_1 at batch 32, 32·224·224 ≈ 1.6·10^6 terms, an expected 3e-5. Libraries sum
// in blocks (per-thread partial sums reduced at the end), which only shortens the chains. bf16 and fp16 outputs
// are dominated by the rounding of the output itself (2^-9 and 2^-11 relative), whatever the sum's length.

namespace dlbench {

namespace {

// Strides of a 4-D tensor whose logical dimensions are (a, b, c, d) = (batch or filter, channel, height, width),
// stored channel-first (a, b, c, d) or channel-last (a, c, d, b): NCHW/NHWC for src and dst, KCRS/KRSC for
// weights (conv_problem.hpp).
struct Strides {
  std::int64_t a, b, c, d;
};

Strides strides_of(std::int64_t b, std::int64_t c, std::int64_t d, bool channel_last) {
  if (channel_last) return {c * d * b, 1, d * b, b};
  return {b * c * d, c * d, d, 1};
}

// The geometry the inner loops need, computed once per check: ConvProblem's p() and q() divide on every call. The
// strides are those of the tensors as read: the problem's layout for its own buffers, channel-first for the
// decoded copies (Decoded below), whose bwd_filter sums then run along contiguous rows.
struct Geometry {
  const ConvProblem& p;
  std::int64_t P, Q, cg, kg;
  Strides x, w, y;

  Geometry(const ConvProblem& pr, bool channel_last)
      : p(pr), P(pr.p()), Q(pr.q()), cg(pr.c_per_group()), kg(pr.k_per_group()) {
    x = strides_of(pr.c, pr.h, pr.w, channel_last);
    w = strides_of(cg, pr.r, pr.s, channel_last);
    y = strides_of(pr.k, P, Q, channel_last);
  }
  std::int64_t xi(std::int64_t n, std::int64_t c, std::int64_t ih, std::int64_t iw) const {
    return n * x.a + c * x.b + ih * x.c + iw * x.d;
  }
  std::int64_t wi(std::int64_t k, std::int64_t c, std::int64_t r, std::int64_t s) const {
    return k * w.a + c * w.b + r * w.c + s * w.d;
  }
  std::int64_t yi(std::int64_t n, std::int64_t k, std::int64_t op, std::int64_t oq) const {
    return n * y.a + k * y.b + op * y.c + oq * y.d;
  }
};

// Logical coordinates (a, b, c, d) of element `i` of a tensor with those dimensions (a's extent is implied).
struct Coords {
  std::int64_t a, b, c, d;
};

Coords unravel(std::int64_t i, std::int64_t b, std::int64_t c, std::int64_t d, bool channel_last) {
  Coords x{};
  if (channel_last) {
    x.b = i % b;
    i /= b;
    x.d = i % d;
    i /= d;
    x.c = i % c;
    x.a = i / c;
  } else {
    x.d = i % d;
    i /= d;
    x.c = i % c;
    i /= c;
    x.b = i % b;
    x.a = i / b;
  }
  return x;
}

// The output element's coordinates: (n, k, p, q) for fwd, (n, c, h, w) for bwd_data, (k, c within the group, r, s)
// for bwd_filter.
Coords output_coords(const Geometry& g, std::int64_t index) {
  const ConvProblem& p = g.p;
  const bool last = p.layout == ConvLayout::nhwc;
  switch (p.direction) {
    case ConvDirection::fwd: return unravel(index, p.k, g.P, g.Q, last);
    case ConvDirection::bwd_data: return unravel(index, p.c, p.h, p.w, last);
    case ConvDirection::bwd_filter: return unravel(index, g.cg, p.r, p.s, last);
  }
  return {};
}

// Readers of an input tensor: decoded values in a vector, or the buffer itself (HostBuffer::get).
template <class T>
struct VectorRead {
  const T* values;
  double operator()(std::int64_t i) const { return values[i]; }
};
struct BufferRead {
  const HostBuffer* buffer;
  double operator()(std::int64_t i) const { return buffer->get(static_cast<std::size_t>(i)); }
};

template <class X, class W>
double fwd_element(const Geometry& g, const X& x, const W& w, const Coords& o) {
  const ConvProblem& p = g.p;
  const std::int64_t n = o.a, k = o.b, c0 = (k / g.kg) * g.cg;
  double acc = 0;
  for (std::int64_t r = 0; r < p.r; ++r) {
    const std::int64_t ih = o.c * p.stride_h - p.pad_h + r * p.dil_h;
    if (ih < 0 || ih >= p.h) continue;  // a tap in the padding reads zero
    for (std::int64_t s = 0; s < p.s; ++s) {
      const std::int64_t iw = o.d * p.stride_w - p.pad_w + s * p.dil_w;
      if (iw < 0 || iw >= p.w) continue;
      for (std::int64_t c = 0; c < g.cg; ++c) acc += x(g.xi(n, c0 + c, ih, iw)) * w(g.wi(k, c, r, s));
    }
  }
  return acc;
}

// dx[n,c,h,w] gathers every (tap, output position) pair whose forward read touched x[n,c,h,w]: output row p with
// p·u − pad_h + r·d_h = h exists only when h + pad_h − r·d_h is a non-negative multiple of u below P·u.
template <class W, class Y>
double bwd_data_element(const Geometry& g, const W& w, const Y& dy, const Coords& o) {
  const ConvProblem& p = g.p;
  const std::int64_t n = o.a, c = o.b, ic = c % g.cg, k0 = (c / g.cg) * g.kg;
  double acc = 0;
  for (std::int64_t r = 0; r < p.r; ++r) {
    const std::int64_t th = o.c + p.pad_h - r * p.dil_h;
    if (th < 0 || th % p.stride_h != 0 || th / p.stride_h >= g.P) continue;
    const std::int64_t op = th / p.stride_h;
    for (std::int64_t s = 0; s < p.s; ++s) {
      const std::int64_t tw = o.d + p.pad_w - s * p.dil_w;
      if (tw < 0 || tw % p.stride_w != 0 || tw / p.stride_w >= g.Q) continue;
      const std::int64_t oq = tw / p.stride_w;
      for (std::int64_t k = k0; k < k0 + g.kg; ++k) acc += dy(g.yi(n, k, op, oq)) * w(g.wi(k, ic, r, s));
    }
  }
  return acc;
}

template <class X, class Y>
double bwd_filter_element(const Geometry& g, const X& x, const Y& dy, const Coords& o) {
  const ConvProblem& p = g.p;
  const std::int64_t k = o.a, c = (k / g.kg) * g.cg + o.b, r = o.c, s = o.d;
  double acc = 0;
  for (std::int64_t n = 0; n < p.n; ++n)
    for (std::int64_t op = 0; op < g.P; ++op) {
      const std::int64_t ih = op * p.stride_h - p.pad_h + r * p.dil_h;
      if (ih < 0 || ih >= p.h) continue;
      for (std::int64_t oq = 0; oq < g.Q; ++oq) {
        const std::int64_t iw = oq * p.stride_w - p.pad_w + s * p.dil_w;
        if (iw < 0 || iw >= p.w) continue;
        acc += x(g.xi(n, c, ih, iw)) * dy(g.yi(n, k, op, oq));
      }
    }
  return acc;
}

// Reads come from `x`, `w` and `y` (readers of src, weights and dst); the direction decides which two it uses.
template <class X, class W, class Y>
double element(const Geometry& g, const X& x, const W& w, const Y& y, std::int64_t index) {
  const Coords o = output_coords(g, index);
  switch (g.p.direction) {
    case ConvDirection::fwd: return fwd_element(g, x, w, o);
    case ConvDirection::bwd_data: return bwd_data_element(g, w, y, o);
    case ConvDirection::bwd_filter: return bwd_filter_element(g, x, y, o);
  }
  return 0;
}

// The direction's two inputs decoded into vectors of T in channel-first order, NCHW and KCRS whatever the
// problem's layout (empty for the tensor it does not read). A sampled bwd_filter element sums over a whole channel
// of src and of dst; in NHWC those reads are C and K elements apart, a cache miss each on large tensors.
template <class T>
struct Decoded {
  std::vector<T> x, w, y;
  Decoded(const Geometry& stored, const HostBuffer& src, const HostBuffer& weights, const HostBuffer& dst) {
    const ConvProblem& p = stored.p;
    const auto decode = [](const HostBuffer& b, const Strides& st, std::int64_t na, std::int64_t nb, std::int64_t nc,
                           std::int64_t nd, std::vector<T>& out) {
      out.resize(b.count());
      std::size_t o = 0;
      for (std::int64_t a = 0; a < na; ++a)
        for (std::int64_t i = 0; i < nb; ++i)
          for (std::int64_t j = 0; j < nc; ++j)
            for (std::int64_t l = 0; l < nd; ++l)
              out[o++] = static_cast<T>(b.get(static_cast<std::size_t>(a * st.a + i * st.b + j * st.c + l * st.d)));
    };
    if (p.direction != ConvDirection::bwd_data) decode(src, stored.x, p.n, p.c, p.h, p.w, x);
    if (p.direction != ConvDirection::bwd_filter) decode(weights, stored.w, p.k, stored.cg, p.r, p.s, w);
    if (p.direction != ConvDirection::fwd) decode(dst, stored.y, p.n, p.k, stored.P, stored.Q, y);
  }
  VectorRead<T> xr() const { return {x.data()}; }
  VectorRead<T> wr() const { return {w.data()}; }
  VectorRead<T> yr() const { return {y.data()}; }
};

// Every input type is exact in float (f32, f16, bf16, fp8, s8), which halves the memory of a decoded copy.
bool exact_in_float(DataType t) { return t != DataType::f64 && t != DataType::s32; }

}  // namespace

double conv_reference_element(const ConvProblem& p, const HostBuffer& src, const HostBuffer& weights,
                              const HostBuffer& dst, std::int64_t index) {
  const Geometry g(p, p.layout == ConvLayout::nhwc);
  return element(g, BufferRead{&src}, BufferRead{&weights}, BufferRead{&dst}, index);
}

bool conv_check_is_full(const ConvProblem& p, double full_limit_macs) {
  return static_cast<double>(p.output_elements()) * p.macs_per_output() <= full_limit_macs;
}

OutputCheck check_conv(const ConvProblem& p, const HostBuffer& src, const HostBuffer& weights, const HostBuffer& dst,
                       const HostBuffer& output, std::uint64_t seed, std::int64_t samples, double full_limit_macs) {
  OutputCheck check;
  check.tolerance = p.types().tolerance;
  check.full = conv_check_is_full(p, full_limit_macs);
  const Geometry stored(p, p.layout == ConvLayout::nhwc), decoded(p, false);
  std::vector<std::int64_t> at;  // output elements to check, in the order their errors are added
  std::vector<double> ref;
  if (check.full) {
    // Decode the inputs once: per-element decoding would dominate the reference otherwise.
    const Decoded<double> in(stored, src, weights, dst);
    ref = parallel_values(static_cast<std::size_t>(p.output_elements()), [&](std::size_t i) {
      return element(decoded, in.xr(), in.wr(), in.yr(), static_cast<std::int64_t>(i));
    });
    at.resize(ref.size());
    for (std::size_t i = 0; i < at.size(); ++i) at[i] = static_cast<std::int64_t>(i);
  } else {
    Rng rng(seed);
    at.resize(static_cast<std::size_t>(samples));
    for (auto& i : at) i = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(p.output_elements())));
    // The samples read samples·macs_per_output pairs of inputs. When that is more than the inputs hold (bwd_filter
    // samples each read the whole batch), decoding the inputs once is cheaper than decoding every read; buffers
    // generated on demand are never materialised.
    const double reads = static_cast<double>(samples) * p.macs_per_output() * 2;
    const double held = static_cast<double>(src.count() + weights.count() + dst.count());
    const bool generated = src.is_generated() || weights.is_generated() || dst.is_generated();
    if (!generated && reads > held && exact_in_float(p.types().input)) {
      const Decoded<float> in(stored, src, weights, dst);
      ref = parallel_values(at.size(),
                            [&](std::size_t i) { return element(decoded, in.xr(), in.wr(), in.yr(), at[i]); });
    } else {
      ref = parallel_values(at.size(), [&](std::size_t i) {
        return element(stored, BufferRead{&src}, BufferRead{&weights}, BufferRead{&dst}, at[i]);
      });
    }
  }
  ErrorMetric metric;
  for (std::size_t i = 0; i < at.size(); ++i) metric.add(output.get(static_cast<std::size_t>(at[i])), ref[i]);
  check.error = metric.relative_l2();
  check.checked = metric.checked();
  return check;
}

}  // namespace dlbench
