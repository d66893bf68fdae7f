// Host-side logic of the cuDNN RNN backend, tested without a GPU: the descriptor settings per cell and precision,
// support per compute capability, the descriptor dimensions, and the mapping between the canonical weights and
// cuDNN's weight space (coverage, round trip, rejection of a layout that does not fit). Also that the registered
// backend, made on a machine without a GPU, says why it is unavailable instead of failing.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "harness/case.hpp"
#include "rnn/rnn_backend.hpp"
#include "rnn_plan.hpp"

namespace dlbench::cudnn {
namespace {

RnnProblem problem(RnnCell cell, Precision precision = Precision::fp32, bool bi = false, std::int64_t layers = 1,
                   RnnPass pass = RnnPass::inference) {
  RnnProblem p;
  p.cell = cell;
  p.hidden = 4;
  p.input = 3;  // ≠ hidden, so a W of layer 0 and a W of a later layer differ in shape
  p.batch = 2;
  p.steps = 5;
  p.layers = layers;
  p.bidirectional = bi;
  p.pass = pass;
  p.precision = precision;
  return p;
}

constexpr RnnCell kCells[] = {RnnCell::rnn_relu, RnnCell::rnn_tanh, RnnCell::lstm, RnnCell::gru};

std::string name_of(const RnnProblem& p) { return p.to_string(); }

TEST(RnnPlan, ModePerCell) {
  const std::pair<RnnCell, cudnnRNNMode_t> table[] = {{RnnCell::rnn_relu, CUDNN_RNN_RELU},
                                                      {RnnCell::rnn_tanh, CUDNN_RNN_TANH},
                                                      {RnnCell::lstm, CUDNN_LSTM},
                                                      {RnnCell::gru, CUDNN_GRU}};
  for (const auto& [cell, mode] : table) {
    const RnnPlan plan = plan_rnn(problem(cell));
    EXPECT_EQ(plan.mode, mode) << to_string(cell);
    EXPECT_EQ(plan.bias_mode, CUDNN_RNN_DOUBLE_BIAS);
    EXPECT_EQ(plan.input_mode, CUDNN_LINEAR_INPUT);
    EXPECT_EQ(plan.algo, CUDNN_RNN_ALGO_STANDARD);
    EXPECT_EQ(plan.proj_size, plan.hidden_size);  // no projection
    EXPECT_EQ(plan.aux_flags, CUDNN_RNN_PADDED_IO_ENABLED);
  }
}

TEST(RnnPlan, TypesAndMathPerPrecision) {
  struct Expect {
    Precision p;
    cudnnDataType_t data;
    cudnnMathType_t math;
    std::size_t bytes;
  };
  const Expect table[] = {
      {Precision::fp32, CUDNN_DATA_FLOAT, CUDNN_FMA_MATH, 4},
      {Precision::tf32, CUDNN_DATA_FLOAT, CUDNN_DEFAULT_MATH, 4},
      {Precision::fp16, CUDNN_DATA_HALF, CUDNN_TENSOR_OP_MATH, 2},
      {Precision::bf16, CUDNN_DATA_BFLOAT16, CUDNN_TENSOR_OP_MATH, 2},
  };
  for (const auto& e : table) {
    SCOPED_TRACE(std::string(to_string(e.p)));
    const RnnPlan plan = plan_rnn(problem(RnnCell::lstm, e.p));
    EXPECT_EQ(plan.data_type, e.data);
    EXPECT_EQ(plan.math_precision, CUDNN_DATA_FLOAT);  // fp32 accumulation everywhere
    EXPECT_EQ(plan.math_type, e.math);
    EXPECT_EQ(plan.element_bytes, e.bytes);
    EXPECT_EQ(plan.x.type, e.data);
    EXPECT_EQ(plan.y.type, e.data);
    EXPECT_EQ(plan.state.type, e.data);
  }
}

TEST(RnnPlan, ForwardModePerPass) {
  EXPECT_EQ(plan_rnn(problem(RnnCell::gru, Precision::fp32, false, 1, RnnPass::inference)).forward_mode,
            CUDNN_FWD_MODE_INFERENCE);
  EXPECT_EQ(plan_rnn(problem(RnnCell::gru, Precision::fp32, false, 1, RnnPass::training_fwd)).forward_mode,
            CUDNN_FWD_MODE_TRAINING);
  // Backward reads the reserve space a training forward keeps, and is sized with it.
  EXPECT_EQ(plan_rnn(problem(RnnCell::gru, Precision::fp32, false, 1, RnnPass::training_bwd)).forward_mode,
            CUDNN_FWD_MODE_TRAINING);
}

TEST(RnnPlan, RejectsWhatItCannotPlan) {
  EXPECT_THROW(plan_rnn(problem(RnnCell::lstm, Precision::int8)), std::invalid_argument);
  EXPECT_THROW(plan_rnn(problem(RnnCell::lstm, Precision::fp8e4m3)), std::invalid_argument);
}

TEST(RnnPlan, SupportPerComputeCapability) {
  struct Expect {
    Precision p;
    bool sm75, sm80, sm90;
  };
  const Expect table[] = {
      {Precision::fp32, true, true, true},       {Precision::tf32, false, true, true},
      {Precision::fp16, true, true, true},       {Precision::bf16, false, true, true},
      {Precision::fp8e4m3, false, false, false}, {Precision::fp8e5m2, false, false, false},
      {Precision::int8, false, false, false},
  };
  for (const auto& e : table) {
    for (RnnCell cell : kCells) {
      const RnnProblem p = problem(cell, e.p);
      SCOPED_TRACE(name_of(p));
      const Support s75 = rnn_supports(p, 7, 5), s80 = rnn_supports(p, 8, 0), s90 = rnn_supports(p, 9, 0);
      EXPECT_EQ(s75.ok, e.sm75) << s75.reason;
      EXPECT_EQ(s80.ok, e.sm80) << s80.reason;
      EXPECT_EQ(s90.ok, e.sm90) << s90.reason;
      for (const Support& s : {s75, s80, s90}) EXPECT_EQ(s.ok, s.reason.empty()) << s.reason;
    }
  }
  const Support tf32 = rnn_supports(problem(RnnCell::lstm, Precision::tf32), 7, 5);
  EXPECT_NE(tf32.reason.find("8.0"), std::string::npos) << tf32.reason;
  EXPECT_NE(tf32.reason.find("sm_75"), std::string::npos) << tf32.reason;
  const Support bf16 = rnn_supports(problem(RnnCell::gru, Precision::bf16), 7, 5);
  EXPECT_NE(bf16.reason.find("bf16"), std::string::npos) << bf16.reason;
  EXPECT_NE(bf16.reason.find("sm_75"), std::string::npos) << bf16.reason;
  const Support int8 = rnn_supports(problem(RnnCell::lstm, Precision::int8), 9, 0);
  EXPECT_NE(int8.reason.find("quantisation"), std::string::npos) << int8.reason;
}

TEST(RnnPlan, SizesBeyondInt32AreDeclined) {
  RnnProblem p = problem(RnnCell::lstm);
  p.batch = std::int64_t{1} << 31;
  Support s = rnn_supports(p, 9, 0);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.reason.find("batch"), std::string::npos) << s.reason;
  // Each fits, but the states' stride N·H does not.
  p.batch = std::int64_t{1} << 16;
  p.hidden = std::int64_t{1} << 16;
  s = rnn_supports(p, 9, 0);
  EXPECT_FALSE(s.ok);
  EXPECT_NE(s.reason.find("batch × hidden"), std::string::npos) << s.reason;
  EXPECT_THROW(plan_rnn(p), std::invalid_argument);
}

TEST(RnnPlan, DataAndStateDescriptors) {
  for (bool bi : {false, true}) {
    const RnnProblem p = problem(RnnCell::lstm, Precision::fp16, bi, 3);
    SCOPED_TRACE(name_of(p));
    const RnnPlan plan = plan_rnn(p);
    const int d = bi ? 2 : 1;
    EXPECT_EQ(plan.direction, bi ? CUDNN_BIDIRECTIONAL : CUDNN_UNIDIRECTIONAL);
    EXPECT_EQ(plan.input_size, 3);
    EXPECT_EQ(plan.hidden_size, 4);
    EXPECT_EQ(plan.layers, 3);
    for (const RnnDataSpec* s : {&plan.x, &plan.y}) {
      EXPECT_EQ(s->layout, CUDNN_RNN_DATA_LAYOUT_SEQ_MAJOR_UNPACKED);  // T × N × vector, as the canonical x and y
      EXPECT_EQ(s->max_seq_length, 5);
      EXPECT_EQ(s->batch, 2);
      EXPECT_EQ(s->seq_lengths, std::vector<int>(2, 5));
    }
    EXPECT_EQ(plan.x.vector_size, 3);
    EXPECT_EQ(plan.y.vector_size, d * 4);
    EXPECT_EQ(plan.state.dims, (std::array<int, 3>{3 * d, 2, 4}));
    EXPECT_EQ(plan.state.strides, (std::array<int, 3>{8, 4, 1}));
  }
}

TEST(RnnParams, LinLayerIdsNameTheCanonicalGateBlocks) {
  // A 2-layer bidirectional LSTM: layer 1's W reads D·H = 8 columns.
  const RnnProblem p = problem(RnnCell::lstm, Precision::fp32, true, 2);
  const std::vector<RnnParam> params = rnn_params(p);
  ASSERT_EQ(params.size(), 2u * 2u * 8u);
  for (std::size_t i = 0; i < params.size(); ++i) {
    EXPECT_EQ(params[i].pseudo_layer, static_cast<int>(i / 8));
    EXPECT_EQ(params[i].lin_layer_id, static_cast<int>(i % 8));
  }
  // Pseudo-layer 3 is layer 1's backward direction; linLayerID 6 is R_g (gate 2 of i, f, g, o).
  const RnnParam& r_g = params[3 * 8 + 6];
  const RnnProblem::WeightOffsets o = p.weight_offsets(1, 1);
  EXPECT_EQ(r_g.layer, 1);
  EXPECT_EQ(r_g.direction, 1);
  EXPECT_EQ(r_g.gate, 2);
  EXPECT_TRUE(r_g.recurrent);
  EXPECT_EQ(r_g.rows, 4);
  EXPECT_EQ(r_g.cols, 4);
  EXPECT_EQ(r_g.matrix_offset, o.r + 2 * 4 * 4);
  EXPECT_EQ(r_g.bias_offset, o.b_r + 2 * 4);
  // linLayerID 1 of pseudo-layer 2 (layer 1 forward) is W_f, 4 × 8.
  const RnnParam& w_f = params[2 * 8 + 1];
  EXPECT_FALSE(w_f.recurrent);
  EXPECT_EQ(w_f.gate, 1);
  EXPECT_EQ(w_f.cols, 8);
  EXPECT_EQ(w_f.matrix_offset, p.weight_offsets(1, 0).w + 1 * 4 * 8);
  EXPECT_EQ(w_f.bias_offset, p.weight_offsets(1, 0).b_w + 1 * 4);
  // Layer 0's W reads the input, 3 columns.
  EXPECT_EQ(params[0].cols, 3);
}

TEST(RnnParams, IdCountPerCell) {
  EXPECT_EQ(rnn_params(problem(RnnCell::rnn_relu)).size(), 2u);
  EXPECT_EQ(rnn_params(problem(RnnCell::rnn_tanh, Precision::fp32, true)).size(), 4u);
  EXPECT_EQ(rnn_params(problem(RnnCell::gru, Precision::fp32, false, 3)).size(), 18u);
  EXPECT_EQ(rnn_params(problem(RnnCell::lstm, Precision::fp32, true, 3)).size(), 48u);
}

// A weight space as a cuDNN might lay it out: every pseudo-layer's matrices, then its biases, each parameter
// starting on a multiple of `align` elements, the parameters in the order `order` gives.
struct Simulated {
  std::vector<ReportedParam> reported;
  std::int64_t elements = 0;
};

Simulated simulate(const std::vector<RnnParam>& params, std::int64_t align, const std::vector<std::size_t>& order) {
  Simulated s;
  s.reported.resize(params.size());
  std::int64_t at = 0;
  const auto place = [&](std::int64_t count) {
    at = (at + align - 1) / align * align;
    const std::int64_t here = at;
    at += count;
    return here;
  };
  for (std::size_t i : order) {
    s.reported[i].matrix_elements = params[i].rows * params[i].cols;
    s.reported[i].matrix_offset = place(s.reported[i].matrix_elements);
  }
  for (std::size_t i : order) {
    s.reported[i].bias_elements = params[i].rows;
    s.reported[i].bias_offset = place(s.reported[i].bias_elements);
  }
  s.elements = place(0) + align;  // some slack at the end, as a real space may have
  return s;
}

std::vector<std::size_t> in_order(std::size_t n) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  return order;
}

std::vector<RnnProblem> mapping_problems() {
  std::vector<RnnProblem> out;
  for (RnnCell cell : kCells)
    for (bool bi : {false, true})
      for (std::int64_t layers = 1; layers <= 3; ++layers) out.push_back(problem(cell, Precision::fp32, bi, layers));
  return out;
}

TEST(WeightCopies, CoverEveryCanonicalElementOnceAndRoundTrip) {
  std::mt19937_64 rng(42);
  for (const RnnProblem& p : mapping_problems()) {
    const std::vector<RnnParam> params = rnn_params(p);
    std::vector<std::size_t> shuffled = in_order(params.size());
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    for (const auto& [align, order] :
         {std::pair{std::int64_t{1}, in_order(params.size())}, std::pair{std::int64_t{16}, in_order(params.size())},
          std::pair{std::int64_t{8}, shuffled}}) {
      SCOPED_TRACE(name_of(p) + " align " + std::to_string(align));
      const Simulated s = simulate(params, align, order);
      const std::vector<WeightCopy> copies = weight_copies(p, params, s.reported, s.elements);

      // Each canonical element exactly once; the space side inside the space and never written twice.
      std::vector<int> canonical_hits(static_cast<std::size_t>(p.weight_elements()), 0);
      std::vector<int> space_hits(static_cast<std::size_t>(s.elements), 0);
      for (const WeightCopy& c : copies) {
        ASSERT_GE(c.space, 0);
        ASSERT_LE(c.space + c.count, s.elements);
        for (std::int64_t k = 0; k < c.count; ++k) {
          ++canonical_hits[static_cast<std::size_t>(c.canonical + k)];
          ++space_hits[static_cast<std::size_t>(c.space + k)];
        }
      }
      EXPECT_TRUE(std::all_of(canonical_hits.begin(), canonical_hits.end(), [](int h) { return h == 1; }));
      EXPECT_TRUE(std::all_of(space_hits.begin(), space_hits.end(), [](int h) { return h <= 1; }));

      // Canonical → space → canonical is the identity on random data.
      std::vector<double> canonical(canonical_hits.size()), space(space_hits.size(), -999.0);
      std::uniform_real_distribution<double> uniform(-1, 1);
      for (double& v : canonical) v = uniform(rng);
      for (const WeightCopy& c : copies) std::copy_n(canonical.begin() + c.canonical, c.count, space.begin() + c.space);
      std::vector<double> back(canonical.size(), -999.0);
      for (const WeightCopy& c : copies) std::copy_n(space.begin() + c.space, c.count, back.begin() + c.canonical);
      EXPECT_EQ(back, canonical);

      // And the space holds what cuDNN expects where it said: element (r, c) of the matrix of linLayerID k, gate
      // block k of W (or k − G of R), row-major, and row r of that gate's bias. Recomputed from weight_offsets()
      // here, not from rnn_params(), so a wrong gate order or offset there would show.
      for (std::size_t i = 0; i < params.size(); ++i) {
        const RnnParam& q = params[i];
        const RnnProblem::WeightOffsets o = p.weight_offsets(q.layer, q.direction);
        const std::int64_t g = p.gates(), h = p.hidden, id = q.lin_layer_id;
        const std::int64_t cols = id < g ? p.layer_input(q.layer) : h;
        const std::int64_t matrix = id < g ? o.w + id * h * cols : o.r + (id - g) * h * h;
        const std::int64_t bias = id < g ? o.b_w + id * h : o.b_r + (id - g) * h;
        for (std::int64_t r = 0; r < h; ++r) {
          for (std::int64_t c = 0; c < cols; ++c)
            ASSERT_EQ(space[static_cast<std::size_t>(s.reported[i].matrix_offset + r * cols + c)],
                      canonical[static_cast<std::size_t>(matrix + r * cols + c)]);
          ASSERT_EQ(space[static_cast<std::size_t>(s.reported[i].bias_offset + r)],
                    canonical[static_cast<std::size_t>(bias + r)]);
        }
      }
    }
  }
}

TEST(WeightCopies, ContiguousRunsAreMerged) {
  // A space laid out exactly as the canonical buffer takes one copy.
  const RnnProblem p = problem(RnnCell::gru, Precision::fp32, true, 2);
  const std::vector<RnnParam> params = rnn_params(p);
  std::vector<ReportedParam> same;
  for (const RnnParam& q : params) same.push_back({q.matrix_offset, q.rows * q.cols, q.bias_offset, q.rows});
  const std::vector<WeightCopy> copies = weight_copies(p, params, same, p.weight_elements());
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0], (WeightCopy{0, 0, p.weight_elements()}));
  // Matrices then biases per pseudo-layer, unpadded: each pseudo-layer's W and R blocks merge into one run.
  const Simulated s = simulate(params, 1, in_order(params.size()));
  EXPECT_LT(weight_copies(p, params, s.reported, s.elements).size(), 2 * params.size());
}

TEST(WeightCopies, RejectALayoutThatDoesNotFit) {
  const RnnProblem p = problem(RnnCell::lstm, Precision::fp32, true, 2);
  const std::vector<RnnParam> params = rnn_params(p);
  const Simulated good = simulate(params, 4, in_order(params.size()));
  ASSERT_NO_THROW(weight_copies(p, params, good.reported, good.elements));
  const auto message = [&](const std::vector<ReportedParam>& reported, std::int64_t elements) -> std::string {
    try {
      weight_copies(p, params, reported, elements);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "<no exception>";
  };

  auto bad = good.reported;
  bad[5].matrix_elements += 1;  // a matrix one element larger than H × I_l
  EXPECT_NE(message(bad, good.elements).find("misunderstood"), std::string::npos) << message(bad, good.elements);
  EXPECT_NE(message(bad, good.elements).find("linLayerID 5"), std::string::npos);
  bad = good.reported;
  bad[9].bias_elements = 2 * p.hidden;
  EXPECT_NE(message(bad, good.elements).find("bias of pseudo-layer 1"), std::string::npos);
  bad = good.reported;
  bad.back().bias_offset = good.elements - 1;  // runs past the end
  EXPECT_NE(message(bad, good.elements).find("outside the weight space"), std::string::npos);
  bad = good.reported;
  bad[3].matrix_offset = -4;
  EXPECT_NE(message(bad, good.elements).find("outside the weight space"), std::string::npos);
  bad = good.reported;
  bad[2].matrix_offset = bad[1].matrix_offset + 1;  // two matrices sharing elements
  EXPECT_NE(message(bad, good.elements).find("overlaps"), std::string::npos);
  bad = good.reported;
  bad.pop_back();
  EXPECT_NE(message(bad, good.elements).find("expected"), std::string::npos);
}

TEST(ElementOffset, ChecksTheAddressCuDnnGives) {
  alignas(8) static std::byte space[64];
  EXPECT_EQ(element_offset(space, space + 12, 4, sizeof space, "m"), 3);
  EXPECT_EQ(element_offset(space, space, 2, sizeof space, "m"), 0);
  EXPECT_THROW(element_offset(space, space + 6, 4, sizeof space, "m"), std::runtime_error);   // between elements
  EXPECT_THROW(element_offset(space + 8, space, 4, sizeof space, "m"), std::runtime_error);   // before the space
  EXPECT_THROW(element_offset(space, space + 64, 4, sizeof space, "m"), std::runtime_error);  // past its end
  EXPECT_THROW(element_offset(space, nullptr, 4, sizeof space, "m"), std::runtime_error);     // no such parameter
}

TEST(ReportedShape, RowMajorMatricesAndColumnBiasesOnly) {
  const int matrix[] = {1, 4, 3}, matrix_strides[] = {12, 3, 1};
  EXPECT_EQ(check_reported_shape(3, matrix, matrix_strides, 4, 3, "m"), 12);
  const int bias[] = {1, 4, 1}, bias_strides[] = {4, 1, 1};
  EXPECT_EQ(check_reported_shape(3, bias, bias_strides, 4, 1, "b"), 4);
  // A leading extent-1 dimension's stride addresses nothing and is not constrained.
  const int odd_leading[] = {99, 3, 1};
  EXPECT_EQ(check_reported_shape(3, matrix, odd_leading, 4, 3, "m"), 12);

  const int column_major[] = {12, 1, 4};
  EXPECT_THROW(check_reported_shape(3, matrix, column_major, 4, 3, "m"), std::runtime_error);
  const int transposed[] = {1, 3, 4};
  EXPECT_THROW(check_reported_shape(3, transposed, matrix_strides, 4, 3, "m"), std::runtime_error);
  EXPECT_THROW(check_reported_shape(2, matrix, matrix_strides, 4, 3, "m"), std::runtime_error);
  EXPECT_THROW(check_reported_shape(0, matrix, matrix_strides, 4, 3, "m"), std::runtime_error);  // absent
  try {
    check_reported_shape(3, transposed, matrix_strides, 4, 3, "matrix of pseudo-layer 0 linLayerID 1");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("linLayerID 1"), std::string::npos) << what;
    EXPECT_NE(what.find("{1, 3, 4}"), std::string::npos) << what;
    EXPECT_NE(what.find("{1, 4, 3}"), std::string::npos) << what;
  }
}

TEST(RnnNames, AlgorithmAndImplementationColumns) {
  EXPECT_EQ(rnn_algorithm_string(plan_rnn(problem(RnnCell::lstm, Precision::fp32))),
            "CUDNN_RNN_ALGO_STANDARD, CUDNN_FMA_MATH");
  EXPECT_EQ(rnn_algorithm_string(plan_rnn(problem(RnnCell::lstm, Precision::tf32))),
            "CUDNN_RNN_ALGO_STANDARD, CUDNN_DEFAULT_MATH");
  EXPECT_EQ(rnn_implementation_string(plan_rnn(problem(RnnCell::gru, Precision::fp16, true))),
            "CUDNN_GRU, CUDNN_RNN_DOUBLE_BIAS, CUDNN_BIDIRECTIONAL, CUDNN_LINEAR_INPUT, data CUDNN_DATA_HALF, math "
            "CUDNN_DATA_FLOAT with CUDNN_TENSOR_OP_MATH");
}

TEST(CudnnRnnBackend, RegisteredAndSaysWhyWhenUnavailable) {
  ASSERT_TRUE(Registry<RnnBackend>::instance().contains("cudnn"));
  const auto backend = Registry<RnnBackend>::instance().create("cudnn", {1, 0});
  const Availability a = backend->availability();
  EXPECT_NE(backend->library().find("cuDNN "), std::string::npos) << backend->library();
  bool has_library = false;
  for (const auto& [key, value] : backend->context()) has_library |= key == "library";
  EXPECT_TRUE(has_library);
  const RnnProblem p = problem(RnnCell::lstm);
  if (a.available) {
    EXPECT_TRUE(a.reason.empty());
    EXPECT_TRUE(backend->supports(p).ok) << backend->supports(p).reason;
    return;
  }
  EXPECT_FALSE(a.reason.empty());
  EXPECT_NE(backend->device().find("unavailable"), std::string::npos) << backend->device();
  const Support s = backend->supports(p);
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.reason, a.reason);
  // Asked to prepare anyway, it throws an ordinary error naming the reason rather than touching the device.
  const HostBuffer none;
  const RnnInputs inputs{none, none, none, none, none, none, none};
  try {
    backend->prepare(p, inputs);
    ADD_FAILURE() << "prepare succeeded on an unavailable backend";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(a.reason), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dlbench::cudnn
