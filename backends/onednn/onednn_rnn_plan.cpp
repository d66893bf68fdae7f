#include "onednn_rnn_plan.hpp"

#include "onednn_common.hpp"

namespace dlbench::onednn {

namespace {

using tag = dnnl::memory::format_tag;
using dims = dnnl::memory::dims;

dnnl::memory::data_type dnnl_type(DataType t) { return *data_type(t); }

RnnStageDescs stage_descs(const RnnProblem& p, const RnnTypes& types, const RnnStage& s) {
  const std::int64_t T = p.steps, N = p.batch, D = p.directions(), H = p.hidden, G = p.gates();
  const auto data = dnnl_type(types.data), c = dnnl_type(types.cell_state), diff = dnnl_type(types.diff);
  const auto f32 = dnnl::memory::data_type::f32;
  const dims state{s.count, D, N, H};
  RnnStageDescs d;
  d.src_layer = {{T, N, s.input}, data, tag::tnc};
  d.dst_layer = {{T, N, D * H}, data, tag::tnc};
  d.src_iter = d.dst_iter = {state, data, tag::ldnc};
  if (p.has_cell_state()) d.src_iter_c = d.dst_iter_c = {state, c, tag::ldnc};
  d.weights_layer = {{s.count, D, s.input, G, H}, data, tag::ldigo};
  d.weights_iter = {{s.count, D, H, G, H}, data, tag::ldigo};
  d.bias = {{s.count, D, bias_gates(p.cell), H}, f32, tag::ldgo};
  d.diff_src_layer = {{T, N, s.input}, diff, tag::tnc};
  d.diff_dst_layer = {{T, N, D * H}, diff, tag::tnc};
  d.diff_src_iter = d.diff_dst_iter = {state, diff, tag::ldnc};
  if (p.has_cell_state()) d.diff_src_iter_c = d.diff_dst_iter_c = {state, diff, tag::ldnc};
  d.diff_bias = {{s.count, D, bias_gates(p.cell), H}, f32, tag::ldgo};
  d.diff_weights_layer = {{s.count, D, s.input, G, H}, diff, tag::ldigo};
  d.diff_weights_iter = {{s.count, D, H, G, H}, diff, tag::ldigo};
  return d;
}

// The weights descriptors with format_tag::any: oneDNN chooses their layout.
dnnl::memory::desc any(const dnnl::memory::desc& d) { return {d.dims(), d.data_type(), tag::any}; }

dnnl::algorithm activation(RnnCell cell) {
  return cell == RnnCell::rnn_relu ? dnnl::algorithm::eltwise_relu : dnnl::algorithm::eltwise_tanh;
}

dnnl::rnn_direction direction(const RnnProblem& p) {
  return p.bidirectional ? dnnl::rnn_direction::bidirectional_concat : dnnl::rnn_direction::unidirectional_left2right;
}

// The C descriptor of the stage's forward primitive. The typed C++ descriptors differ per cell; the primitive
// descriptors built from their C data are all rnn_primitive_desc_base.
dnnl_rnn_desc_t forward_desc(const RnnProblem& p, const RnnStageDescs& d) {
  const auto prop =
      p.pass == RnnPass::inference ? dnnl::prop_kind::forward_inference : dnnl::prop_kind::forward_training;
  const auto wl = any(d.weights_layer), wi = any(d.weights_iter);
  switch (p.cell) {
    case RnnCell::lstm:
      return dnnl::lstm_forward::desc(prop, direction(p), d.src_layer, d.src_iter, d.src_iter_c, wl, wi, d.bias,
                                      d.dst_layer, d.dst_iter, d.dst_iter_c)
          .data;
    case RnnCell::gru:
      return dnnl::lbr_gru_forward::desc(prop, direction(p), d.src_layer, d.src_iter, wl, wi, d.bias, d.dst_layer,
                                         d.dst_iter)
          .data;
    default:
      return dnnl::vanilla_rnn_forward::desc(prop, activation(p.cell), direction(p), d.src_layer, d.src_iter, wl, wi,
                                             d.bias, d.dst_layer, d.dst_iter)
          .data;
  }
}

dnnl_rnn_desc_t backward_desc(const RnnProblem& p, const RnnStageDescs& d) {
  const auto prop = dnnl::prop_kind::backward;
  const auto wl = any(d.weights_layer), wi = any(d.weights_iter);
  const auto dwl = any(d.diff_weights_layer), dwi = any(d.diff_weights_iter);
  switch (p.cell) {
    case RnnCell::lstm:
      return dnnl::lstm_backward::desc(prop, direction(p), d.src_layer, d.src_iter, d.src_iter_c, wl, wi, d.bias,
                                       d.dst_layer, d.dst_iter, d.dst_iter_c, d.diff_src_layer, d.diff_src_iter,
                                       d.diff_src_iter_c, dwl, dwi, d.diff_bias, d.diff_dst_layer, d.diff_dst_iter,
                                       d.diff_dst_iter_c)
          .data;
    case RnnCell::gru:
      return dnnl::lbr_gru_backward::desc(prop, direction(p), d.src_layer, d.src_iter, wl, wi, d.bias, d.dst_layer,
                                          d.dst_iter, d.diff_src_layer, d.diff_src_iter, dwl, dwi, d.diff_bias,
                                          d.diff_dst_layer, d.diff_dst_iter)
          .data;
    default:
      return dnnl::vanilla_rnn_backward::desc(prop, activation(p.cell), direction(p), d.src_layer, d.src_iter, wl, wi,
                                              d.bias, d.dst_layer, d.dst_iter, d.diff_src_layer, d.diff_src_iter, dwl,
                                              dwi, d.diff_bias, d.diff_dst_layer, d.diff_dst_iter)
          .data;
  }
}

std::string cell_name(RnnCell cell) {
  switch (cell) {
    case RnnCell::lstm: return "vanilla_lstm";
    case RnnCell::gru: return "lbr_gru";
    case RnnCell::rnn_relu: return "vanilla_rnn/eltwise_relu";
    default: return "vanilla_rnn/eltwise_tanh";
  }
}

std::string pass_name(RnnPass pass) {
  switch (pass) {
    case RnnPass::inference: return "forward_inference";
    case RnnPass::training_fwd: return "forward_training";
    default: return "backward (after an untimed forward_training)";
  }
}

// The layout the timed primitive wants its weights in, in oneDNN's RNN names where it has one: ldigo and ldgoi
// (its plain forward and backward layouts), rnn_packed (its GEMM's own packed layout, opaque), or the blocked
// layout as format_name() spells it. The weights are reordered into it once, untimed.
std::string weights_name(const dnnl::memory::desc& w) {
  if (w.data.format_kind == dnnl_format_kind_rnn_packed) return "rnn_packed";
  const std::string name = format_name(w);
  if (name == "abcde") return "ldigo";
  if (name == "abdec") return "ldgoi";
  return name;
}

}  // namespace

RnnPlan::RnnPlan(const RnnProblem& p, const dnnl::engine& engine) : problem(p), types(rnn_types(p)) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  for (const RnnStage& s : rnn_stages(p)) {
    RnnStagePlan plan{s, stage_descs(p, types, s), {}, {}};
    const dnnl_rnn_desc_t fwd = forward_desc(p, plan.descs);
    plan.fwd = dnnl::rnn_primitive_desc_base(&fwd, &attr, engine, nullptr);
    if (training_bwd()) {
      const dnnl_rnn_desc_t bwd = backward_desc(p, plan.descs);
      plan.bwd = dnnl::rnn_primitive_desc_base(&bwd, &attr, engine, plan.fwd.get());
    }
    stages.push_back(std::move(plan));
  }
}

const dnnl::rnn_primitive_desc_base& RnnPlan::timed(std::size_t s) const {
  return training_bwd() ? stages[s].bwd : stages[s].fwd;
}

std::string RnnPlan::implementation() const {
  bool same = true;
  for (std::size_t s = 1; s < stages.size(); ++s)
    same = same && std::string(timed(s).impl_info_str()) == timed(0).impl_info_str();
  if (same) return timed(0).impl_info_str();
  std::string text;
  for (std::size_t s = 0; s < stages.size(); ++s)
    text += (s ? "; " : "") + layers_string(stages[s].stage) + ": " + timed(s).impl_info_str();
  return text;
}

std::string RnnPlan::algorithm() const {
  std::string text = cell_name(problem.cell) + ", " +
                     (problem.bidirectional ? "bidirectional_concat" : "unidirectional_left2right") + ", " +
                     pass_name(problem.pass);
  if (stages.size() > 1) {
    text += ", " + std::to_string(stages.size()) + " primitives (";
    for (std::size_t s = 0; s < stages.size(); ++s) text += (s ? ", " : "") + layers_string(stages[s].stage);
    text += ")";
  }
  return text + ", weights " + weights_name(timed(0).weights_layer_desc());
}

std::size_t RnnPlan::workspace_bytes() const {
  std::size_t bytes = 0;
  for (std::size_t s = 0; s < stages.size(); ++s) {
    if (problem.pass != RnnPass::inference) bytes += stages[s].fwd.workspace_desc().get_size();
    bytes += timed(s).scratchpad_desc().get_size();
  }
  return bytes;
}

}  // namespace dlbench::onednn
