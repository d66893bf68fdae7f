#include "rnn_plan.hpp"

#include <algorithm>
#include <climits>
#include <stdexcept>

#include "cudnn_common.hpp"

namespace dlbench::cudnn {

namespace {

std::string where(const RnnParam& p) {
  return "pseudo-layer " + std::to_string(p.pseudo_layer) + " (layer " + std::to_string(p.layer) + ", direction " +
         std::to_string(p.direction) + ") linLayerID " + std::to_string(p.lin_layer_id);
}

// A run of weight-space elements and the parameter it belongs to, for the overlap check.
struct SpaceRun {
  std::int64_t begin, count;
  std::string what;
};

}  // namespace

Support rnn_supports(const RnnProblem& p, int cc_major, int cc_minor) {
  if (auto why = p.unsupported_reason()) return Support::no(*why);
  const auto& t = p.types();
  if (t.input != t.output)
    return Support::no("cuDNN RNNs read and write one data type; " + std::string(t.name) + " has " +
                       std::string(to_string(t.input)) + " in, " + std::string(to_string(t.output)) + " out");
  if (!data_type(t.input)) return Support::no("cuDNN has no RNN for " + std::string(to_string(t.input)) + " data");
  const int cc = cc_major * 10 + cc_minor;
  const std::string have = "this device is sm_" + std::to_string(cc);
  if (p.precision == Precision::tf32 && cc < 80)
    return Support::no("tf32 tensor cores need compute capability 8.0 or newer; " + have);
  if (p.precision == Precision::bf16 && cc < 80)
    return Support::no("bf16 RNNs need the tensor cores of compute capability 8.0 or newer; " + have);
  // cuDNN takes every size as a 32-bit int, and the descriptors' strides too (N·H for the states, D·H for y).
  const std::int64_t d = p.directions();
  const std::pair<const char*, std::int64_t> sizes[] = {{"input", p.input},
                                                        {"hidden", p.hidden},
                                                        {"batch", p.batch},
                                                        {"steps", p.steps},
                                                        {"layers × directions", p.layers * d},
                                                        {"directions × hidden", d * p.hidden},
                                                        {"batch × hidden", p.batch * p.hidden}};
  for (const auto& [name, value] : sizes)
    if (value > INT_MAX)
      return Support::no(std::string("cuDNN takes the RNN's sizes as 32-bit ints; ") + name + " = " +
                         std::to_string(value) + " exceeds 2^31-1");
  return Support::yes();
}

RnnPlan plan_rnn(const RnnProblem& p) {
  // Only what the caller could not have checked itself: the compute capability is the backend's business.
  const Support s = rnn_supports(p, 9, 0);
  if (!s.ok) throw std::invalid_argument("plan_rnn: " + p.to_string() + ": " + s.reason);
  const auto& t = p.types();
  RnnPlan plan;
  switch (p.cell) {
    case RnnCell::rnn_relu: plan.mode = CUDNN_RNN_RELU; break;
    case RnnCell::rnn_tanh: plan.mode = CUDNN_RNN_TANH; break;
    case RnnCell::lstm: plan.mode = CUDNN_LSTM; break;
    case RnnCell::gru: plan.mode = CUDNN_GRU; break;
  }
  plan.direction = p.bidirectional ? CUDNN_BIDIRECTIONAL : CUDNN_UNIDIRECTIONAL;
  plan.data_type = *data_type(t.input);
  plan.math_precision = CUDNN_DATA_FLOAT;
  switch (p.precision) {
    case Precision::fp32: plan.math_type = CUDNN_FMA_MATH; break;
    case Precision::tf32: plan.math_type = CUDNN_DEFAULT_MATH; break;
    default: plan.math_type = CUDNN_TENSOR_OP_MATH; break;  // fp16, bf16
  }
  plan.input_size = static_cast<std::int32_t>(p.input);
  plan.hidden_size = static_cast<std::int32_t>(p.hidden);
  plan.proj_size = plan.hidden_size;  // no projection: cuDNN's way of saying so
  plan.layers = static_cast<std::int32_t>(p.layers);
  plan.forward_mode = p.pass == RnnPass::inference ? CUDNN_FWD_MODE_INFERENCE : CUDNN_FWD_MODE_TRAINING;
  plan.element_bytes = size_of(t.input);

  const auto data = [&](std::int64_t vector) {
    RnnDataSpec spec;
    spec.type = plan.data_type;
    spec.max_seq_length = static_cast<int>(p.steps);
    spec.batch = static_cast<int>(p.batch);
    spec.vector_size = static_cast<int>(vector);
    spec.seq_lengths.assign(static_cast<std::size_t>(p.batch), spec.max_seq_length);
    return spec;
  };
  plan.x = data(p.input);
  plan.y = data(p.directions() * p.hidden);
  plan.state.type = plan.data_type;
  plan.state.dims = {static_cast<int>(p.layers * p.directions()), static_cast<int>(p.batch),
                     static_cast<int>(p.hidden)};
  plan.state.strides = {static_cast<int>(p.batch * p.hidden), static_cast<int>(p.hidden), 1};
  return plan;
}

std::vector<RnnParam> rnn_params(const RnnProblem& p) {
  std::vector<RnnParam> out;
  const std::int64_t g = p.gates(), h = p.hidden;
  for (std::int64_t l = 0; l < p.layers; ++l)
    for (std::int64_t d = 0; d < p.directions(); ++d) {
      const RnnProblem::WeightOffsets o = p.weight_offsets(l, d);
      for (std::int64_t id = 0; id < 2 * g; ++id) {
        RnnParam r;
        r.pseudo_layer = static_cast<std::int32_t>(l * p.directions() + d);
        r.lin_layer_id = static_cast<std::int32_t>(id);
        r.layer = l;
        r.direction = d;
        r.recurrent = id >= g;
        r.gate = r.recurrent ? id - g : id;
        r.rows = h;
        r.cols = r.recurrent ? h : p.layer_input(l);
        // Gate block `gate` of W (G·H × I_l) or R (G·H × H) is its rows gate·H … gate·H + H − 1.
        r.matrix_offset = (r.recurrent ? o.r : o.w) + r.gate * h * r.cols;
        r.bias_offset = (r.recurrent ? o.b_r : o.b_w) + r.gate * h;
        out.push_back(r);
      }
    }
  return out;
}

std::vector<WeightCopy> weight_copies(const RnnProblem& p, std::span<const RnnParam> params,
                                      std::span<const ReportedParam> reported, std::int64_t space_elements) {
  if (params.size() != reported.size())
    throw std::runtime_error("cuDNN weight layout: " + std::to_string(reported.size()) + " parameters reported for " +
                             std::to_string(params.size()) + " expected");
  std::vector<WeightCopy> copies;
  std::vector<SpaceRun> runs;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const RnnParam& want = params[i];
    const ReportedParam& got = reported[i];
    const auto add = [&](const char* kind, std::int64_t canonical, std::int64_t expected, std::int64_t space,
                         std::int64_t count) {
      const std::string what = std::string(kind) + " of " + where(want);
      if (count != expected)
        throw std::runtime_error("cuDNN weight layout: the " + what + " has " + std::to_string(count) +
                                 " elements where the canonical layout has " + std::to_string(expected) +
                                 ": the mapping of cuDNN's parameters is misunderstood");
      if (space < 0 || space > space_elements - count)
        throw std::runtime_error("cuDNN weight layout: the " + what + " (elements " + std::to_string(space) + " to " +
                                 std::to_string(space + count) + ") lies outside the weight space of " +
                                 std::to_string(space_elements) + " elements");
      copies.push_back({canonical, space, count});
      runs.push_back({space, count, what});
    };
    add("matrix", want.matrix_offset, want.rows * want.cols, got.matrix_offset, got.matrix_elements);
    add("bias", want.bias_offset, want.rows, got.bias_offset, got.bias_elements);
  }

  std::sort(runs.begin(), runs.end(), [](const SpaceRun& a, const SpaceRun& b) { return a.begin < b.begin; });
  for (std::size_t i = 1; i < runs.size(); ++i)
    if (runs[i].begin < runs[i - 1].begin + runs[i - 1].count)
      throw std::runtime_error("cuDNN weight layout: the " + runs[i].what + " overlaps the " + runs[i - 1].what +
                               " in the weight space");

  // Every canonical element once: the parameters tile the buffer by construction (rnn_params); this guards the
  // construction.
  std::sort(copies.begin(), copies.end(),
            [](const WeightCopy& a, const WeightCopy& b) { return a.canonical < b.canonical; });
  std::int64_t covered = 0;
  for (const WeightCopy& c : copies) {
    if (c.canonical != covered) throw std::logic_error("weight_copies: the canonical buffer is not tiled");
    covered += c.count;
  }
  if (covered != p.weight_elements()) throw std::logic_error("weight_copies: the canonical buffer is not covered");

  std::vector<WeightCopy> merged;
  for (const WeightCopy& c : copies) {
    if (!merged.empty() && merged.back().canonical + merged.back().count == c.canonical &&
        merged.back().space + merged.back().count == c.space) {
      merged.back().count += c.count;
    } else {
      merged.push_back(c);
    }
  }
  return merged;
}

std::int64_t element_offset(const void* base, const void* address, std::size_t element_bytes, std::size_t space_bytes,
                            const std::string& what) {
  // Compared as integers: pointers into one allocation, but cuDNN's answer is what is being checked.
  const auto b = reinterpret_cast<std::uintptr_t>(base), a = reinterpret_cast<std::uintptr_t>(address);
  if (address == nullptr || a < b || a - b >= space_bytes)
    throw std::runtime_error("cuDNN weight layout: the " + what + " is not inside the weight space");
  if ((a - b) % element_bytes != 0)
    throw std::runtime_error("cuDNN weight layout: the " + what + " starts " + std::to_string(a - b) +
                             " bytes into the weight space, not on a " + std::to_string(element_bytes) +
                             "-byte element boundary");
  return static_cast<std::int64_t>((a - b) / element_bytes);
}

std::int64_t check_reported_shape(int nb_dims, std::span<const int> dims, std::span<const int> strides,
                                  std::int64_t rows, std::int64_t cols, const std::string& what) {
  const auto shape = [&] {
    std::string s = std::to_string(nb_dims) + " dims {";
    for (int i = 0; i < nb_dims && i < static_cast<int>(dims.size()); ++i)
      s += (i ? ", " : "") + std::to_string(dims[static_cast<std::size_t>(i)]);
    s += "} strides {";
    for (int i = 0; i < nb_dims && i < static_cast<int>(strides.size()); ++i)
      s += (i ? ", " : "") + std::to_string(strides[static_cast<std::size_t>(i)]);
    return s + "}";
  };
  const bool ok = nb_dims == 3 && dims.size() >= 3 && strides.size() >= 3 && dims[0] == 1 && dims[1] == rows &&
                  dims[2] == cols && (rows == 1 || strides[1] == cols) && (cols == 1 || strides[2] == 1);
  if (!ok)
    throw std::runtime_error("cuDNN weight layout: the " + what + " is described as " + shape() +
                             "; the mapping expects {1, " + std::to_string(rows) + ", " + std::to_string(cols) +
                             "}, row-major");
  return rows * cols;
}

std::string mode_name(cudnnRNNMode_t mode) {
  switch (mode) {
    case CUDNN_RNN_RELU: return "CUDNN_RNN_RELU";
    case CUDNN_RNN_TANH: return "CUDNN_RNN_TANH";
    case CUDNN_LSTM: return "CUDNN_LSTM";
    case CUDNN_GRU: return "CUDNN_GRU";
  }
  return "cudnnRNNMode#" + std::to_string(static_cast<int>(mode));
}

std::string bias_mode_name(cudnnRNNBiasMode_t mode) {
  switch (mode) {
    case CUDNN_RNN_NO_BIAS: return "CUDNN_RNN_NO_BIAS";
    case CUDNN_RNN_SINGLE_INP_BIAS: return "CUDNN_RNN_SINGLE_INP_BIAS";
    case CUDNN_RNN_DOUBLE_BIAS: return "CUDNN_RNN_DOUBLE_BIAS";
    case CUDNN_RNN_SINGLE_REC_BIAS: return "CUDNN_RNN_SINGLE_REC_BIAS";
  }
  return "cudnnRNNBiasMode#" + std::to_string(static_cast<int>(mode));
}

std::string direction_name(cudnnDirectionMode_t direction) {
  switch (direction) {
    case CUDNN_UNIDIRECTIONAL: return "CUDNN_UNIDIRECTIONAL";
    case CUDNN_BIDIRECTIONAL: return "CUDNN_BIDIRECTIONAL";
  }
  return "cudnnDirectionMode#" + std::to_string(static_cast<int>(direction));
}

std::string input_mode_name(cudnnRNNInputMode_t mode) {
  switch (mode) {
    case CUDNN_LINEAR_INPUT: return "CUDNN_LINEAR_INPUT";
    case CUDNN_SKIP_INPUT: return "CUDNN_SKIP_INPUT";
  }
  return "cudnnRNNInputMode#" + std::to_string(static_cast<int>(mode));
}

std::string math_type_name(cudnnMathType_t type) {
  switch (type) {
    case CUDNN_DEFAULT_MATH: return "CUDNN_DEFAULT_MATH";
    case CUDNN_TENSOR_OP_MATH: return "CUDNN_TENSOR_OP_MATH";
    case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION: return "CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION";
    case CUDNN_FMA_MATH: return "CUDNN_FMA_MATH";
  }
  return "cudnnMathType#" + std::to_string(static_cast<int>(type));
}

std::string algo_name(cudnnRNNAlgo_t algo) {
  switch (algo) {
    case CUDNN_RNN_ALGO_STANDARD: return "CUDNN_RNN_ALGO_STANDARD";
    case CUDNN_RNN_ALGO_PERSIST_STATIC: return "CUDNN_RNN_ALGO_PERSIST_STATIC";
    case CUDNN_RNN_ALGO_PERSIST_DYNAMIC: return "CUDNN_RNN_ALGO_PERSIST_DYNAMIC";
    case CUDNN_RNN_ALGO_PERSIST_STATIC_SMALL_H: return "CUDNN_RNN_ALGO_PERSIST_STATIC_SMALL_H";
    default: break;
  }
  return "cudnnRNNAlgo#" + std::to_string(static_cast<int>(algo));
}

std::string rnn_algorithm_string(const RnnPlan& plan) {
  return algo_name(plan.algo) + ", " + math_type_name(plan.math_type);
}

std::string rnn_implementation_string(const RnnPlan& plan) {
  return mode_name(plan.mode) + ", " + bias_mode_name(plan.bias_mode) + ", " + direction_name(plan.direction) + ", " +
         input_mode_name(plan.input_mode) + ", data " + data_type_name(plan.data_type) + ", math " +
         data_type_name(plan.math_precision) + " with " + math_type_name(plan.math_type);
}

}  // namespace dlbench::cudnn
