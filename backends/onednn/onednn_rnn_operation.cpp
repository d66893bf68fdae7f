#include "onednn_rnn_operation.hpp"

#include <cstring>
#include <stdexcept>

#include "onednn_common.hpp"

namespace dlbench::onednn {

namespace {

std::size_t elements(const dnnl::memory& m, DataType type) { return m.get_desc().get_size() / size_of(type); }

void copy_in(const HostBuffer& from, const dnnl::memory& to, DataType to_type, const char* what) {
  if (from.count() != elements(to, to_type))
    throw std::logic_error(std::string("onednn rnn: ") + what + " holds " + std::to_string(from.count()) +
                           " elements, the pass reads " + std::to_string(elements(to, to_type)));
  convert(from.data(), from.type(), to.get_data_handle(), to_type, from.count());
}

void copy_out(const dnnl::memory& from, DataType from_type, HostBuffer& to, const char* what) {
  if (to.count() != elements(from, from_type))
    throw std::logic_error(std::string("onednn rnn: ") + what + " holds " + std::to_string(to.count()) +
                           " elements, the pass wrote " + std::to_string(elements(from, from_type)));
  convert(from.get_data_handle(), from_type, to.data(), to.type(), to.count());
}

void poison_memory(const dnnl::memory& m, DataType type) { poison(m.get_data_handle(), type, elements(m, type)); }

void zero(const dnnl::memory& m) { std::memset(m.get_data_handle(), 0, m.get_desc().get_size()); }

}  // namespace

OneDnnRnnOperation::OneDnnRnnOperation(dnnl::engine& engine, dnnl::stream& stream, const RnnPlan& plan,
                                       const RnnInputs& in)
    : engine_(engine),
      stream_(stream),
      problem_(plan.problem),
      types_(plan.types),
      implementation_(plan.implementation()),
      algorithm_(plan.algorithm()),
      workspace_bytes_(plan.workspace_bytes()) {
  const RnnProblem& p = problem_;
  const bool lstm = p.has_cell_state(), bwd = plan.training_bwd();
  const dnnl::memory::dims state{p.layers, p.directions(), p.batch, p.hidden};
  const auto full_state = [&](DataType t) {
    return make(dnnl::memory::desc(state, *data_type(t), dnnl::memory::format_tag::ldnc));
  };

  sequence_.push_back(make(plan.stages.front().descs.src_layer));
  copy_in(in.x, sequence_[0], types_.data, "x");
  for (const RnnStagePlan& sp : plan.stages) sequence_.push_back(make(sp.descs.dst_layer));
  poison_memory(sequence_.back(), types_.data);
  hx_ = full_state(types_.data);
  copy_in(in.hx, hx_, types_.data, "hx");
  hy_ = full_state(types_.data);
  poison_memory(hy_, types_.data);
  if (lstm) {
    cx_ = full_state(types_.cell_state);
    copy_in(in.cx, cx_, types_.cell_state, "cx");
    cy_ = full_state(types_.cell_state);
    poison_memory(cy_, types_.cell_state);
  }
  if (bwd) {
    for (const RnnStagePlan& sp : plan.stages) diff_sequence_.push_back(make(sp.descs.diff_src_layer));
    diff_sequence_.push_back(make(plan.stages.back().descs.diff_dst_layer));
    poison_memory(diff_sequence_.front(), types_.diff);
    dhx_ = full_state(types_.diff);
    dhy_ = full_state(types_.diff);
    poison_memory(dhx_, types_.diff);
    if (lstm) {
      dcx_ = full_state(types_.diff);
      dcy_ = full_state(types_.diff);
      poison_memory(dcx_, types_.diff);
    }
    load_output_gradients(in);
  }

  for (std::size_t s = 0; s < plan.stages.size(); ++s) {
    const RnnStagePlan& sp = plan.stages[s];
    const RnnStageDescs& d = sp.descs;
    const std::int64_t first = sp.stage.first;
    Stage st;
    layout_.push_back(sp.stage);
    load_weights(sp, in.weights, st);
    st.fwd_args.insert({{DNNL_ARG_SRC_LAYER, sequence_[s]},
                        {DNNL_ARG_DST_LAYER, sequence_[s + 1]},
                        {DNNL_ARG_SRC_ITER, slice(hx_, d.src_iter, first)},
                        {DNNL_ARG_DST_ITER, slice(hy_, d.dst_iter, first)},
                        {DNNL_ARG_SCRATCHPAD, make(sp.fwd.scratchpad_desc())}});
    if (lstm) {
      st.fwd_args.emplace(DNNL_ARG_SRC_ITER_C, slice(cx_, d.src_iter_c, first));
      st.fwd_args.emplace(DNNL_ARG_DST_ITER_C, slice(cy_, d.dst_iter_c, first));
    }
    if (p.pass != RnnPass::inference) st.fwd_args.emplace(DNNL_ARG_WORKSPACE, make(sp.fwd.workspace_desc()));
    st.fwd = dnnl::primitive(sp.fwd);
    if (bwd) set_backward(sp, s, st);
    stages_.push_back(std::move(st));
  }
  if (bwd) forward();  // untimed: the workspace and outputs backward reads
}

dnnl::memory OneDnnRnnOperation::make(const dnnl::memory::desc& desc) { return dnnl::memory(desc, engine_); }

dnnl::memory OneDnnRnnOperation::slice(const dnnl::memory& full, const dnnl::memory::desc& desc,
                                       std::int64_t first_layer) {
  const std::size_t layer_bytes = full.get_desc().get_size() / static_cast<std::size_t>(problem_.layers);
  return dnnl::memory(desc, engine_,
                      static_cast<std::byte*>(full.get_data_handle()) + static_cast<std::size_t>(first_layer) * layer_bytes);
}

dnnl::memory OneDnnRnnOperation::in_layout(const dnnl::memory& from, const dnnl::memory::desc& desc) {
  if (from.get_desc() == desc) return from;
  dnnl::memory to = make(desc);
  dnnl::memory source = from;
  dnnl::reorder(source, to).execute(stream_, source, to);
  stream_.wait();
  return to;
}

// The canonical weights into plain ldigo/ldgo memories, then into each primitive's chosen layouts.
void OneDnnRnnOperation::load_weights(const RnnStagePlan& sp, const HostBuffer& weights, Stage& st) {
  if (weights.count() != static_cast<std::size_t>(problem_.weight_elements()))
    throw std::logic_error("onednn rnn: weights hold " + std::to_string(weights.count()) + " elements, the problem has " +
                           std::to_string(problem_.weight_elements()));
  const dnnl::memory layer = make(sp.descs.weights_layer), iter = make(sp.descs.weights_iter),
                     bias = make(sp.descs.bias);
  weights_to_onednn(problem_, sp.stage, weights, types_.data, layer.get_data_handle(), iter.get_data_handle(),
                    static_cast<float*>(bias.get_data_handle()));
  st.fwd_args.insert({{DNNL_ARG_WEIGHTS_LAYER, in_layout(layer, sp.fwd.weights_layer_desc())},
                      {DNNL_ARG_WEIGHTS_ITER, in_layout(iter, sp.fwd.weights_iter_desc())},
                      {DNNL_ARG_BIAS, in_layout(bias, sp.fwd.bias_desc())}});
  if (!sp.bwd) return;
  // Backward may want the weights in a layout of its own (oneDNN's plain one for it is ldgoi).
  st.bwd_args.insert({{DNNL_ARG_WEIGHTS_LAYER, in_layout(layer, sp.bwd.weights_layer_desc())},
                      {DNNL_ARG_WEIGHTS_ITER, in_layout(iter, sp.bwd.weights_iter_desc())},
                      {DNNL_ARG_BIAS, in_layout(bias, sp.bwd.bias_desc())}});
}

void OneDnnRnnOperation::set_backward(const RnnStagePlan& sp, std::size_t s, Stage& st) {
  const RnnStageDescs& d = sp.descs;
  const std::int64_t first = sp.stage.first;
  st.diff_weights_layer = make(sp.bwd.diff_weights_layer_desc());
  st.diff_weights_iter = make(sp.bwd.diff_weights_iter_desc());
  st.diff_bias = make(sp.bwd.diff_bias_desc());
  // The forward operands and workspace are the training forward's own memories.
  for (int arg : {DNNL_ARG_SRC_LAYER, DNNL_ARG_DST_LAYER, DNNL_ARG_SRC_ITER, DNNL_ARG_DST_ITER, DNNL_ARG_SRC_ITER_C,
                  DNNL_ARG_DST_ITER_C, DNNL_ARG_WORKSPACE})
    if (const auto it = st.fwd_args.find(arg); it != st.fwd_args.end()) st.bwd_args.emplace(arg, it->second);
  st.bwd_args.insert({{DNNL_ARG_DIFF_SRC_LAYER, diff_sequence_[s]},
                      {DNNL_ARG_DIFF_DST_LAYER, diff_sequence_[s + 1]},
                      {DNNL_ARG_DIFF_SRC_ITER, slice(dhx_, d.diff_src_iter, first)},
                      {DNNL_ARG_DIFF_DST_ITER, slice(dhy_, d.diff_dst_iter, first)},
                      {DNNL_ARG_DIFF_WEIGHTS_LAYER, st.diff_weights_layer},
                      {DNNL_ARG_DIFF_WEIGHTS_ITER, st.diff_weights_iter},
                      {DNNL_ARG_DIFF_BIAS, st.diff_bias},
                      {DNNL_ARG_SCRATCHPAD, make(sp.bwd.scratchpad_desc())}});
  if (problem_.has_cell_state()) {
    st.bwd_args.emplace(DNNL_ARG_DIFF_SRC_ITER_C, slice(dcx_, d.diff_src_iter_c, first));
    st.bwd_args.emplace(DNNL_ARG_DIFF_DST_ITER_C, slice(dcy_, d.diff_dst_iter_c, first));
  }
  st.bwd = dnnl::primitive(sp.bwd);
}

void OneDnnRnnOperation::forward() {
  for (Stage& st : stages_) st.fwd.execute(stream_, st.fwd_args);
  stream_.wait();
}

void OneDnnRnnOperation::backward() {
  // oneDNN 2.6's RNN backward adds into diff_weights and diff_bias (its diff_weights_overwrite flag came later), so
  // they start from zero, as a framework's zero_grad() makes them; zeroing is part of the timed pass.
  for (Stage& st : stages_) {
    zero(st.diff_weights_layer);
    zero(st.diff_weights_iter);
    zero(st.diff_bias);
  }
  // Last primitive first: each one's diff_src_layer is the diff_dst_layer of the one before it.
  for (auto st = stages_.rbegin(); st != stages_.rend(); ++st) st->bwd.execute(stream_, st->bwd_args);
  stream_.wait();
}

void OneDnnRnnOperation::run() {
  if (problem_.pass == RnnPass::training_bwd)
    backward();
  else
    forward();
}

void OneDnnRnnOperation::read_outputs(RnnOutputs& out) {
  if (problem_.pass != RnnPass::training_bwd) {
    copy_out(sequence_.back(), types_.data, out.y, "y");
    copy_out(hy_, types_.data, out.hy, "hy");
    if (problem_.has_cell_state()) copy_out(cy_, types_.cell_state, out.cy, "cy");
    return;
  }
  copy_out(diff_sequence_.front(), types_.diff, out.dx, "dx");
  copy_out(dhx_, types_.diff, out.dhx, "dhx");
  if (problem_.has_cell_state()) copy_out(dcx_, types_.diff, out.dcx, "dcx");
  read_dweights(out.dweights);
}

// Each primitive's diff weights back to plain ldigo f32 (after the call, untimed), then into canonical order.
void OneDnnRnnOperation::read_dweights(HostBuffer& out) {
  if (out.count() != static_cast<std::size_t>(problem_.weight_elements()))
    throw std::logic_error("onednn rnn: dweights holds " + std::to_string(out.count()) + " elements, the problem has " +
                           std::to_string(problem_.weight_elements()));
  using tag = dnnl::memory::format_tag;
  const auto f32 = dnnl::memory::data_type::f32;
  for (std::size_t s = 0; s < stages_.size(); ++s) {
    const Stage& st = stages_[s];
    const dnnl::memory::dims layer_dims = st.diff_weights_layer.get_desc().dims(),
                             iter_dims = st.diff_weights_iter.get_desc().dims();
    const dnnl::memory layer = in_layout(st.diff_weights_layer, {layer_dims, f32, tag::ldigo});
    const dnnl::memory iter = in_layout(st.diff_weights_iter, {iter_dims, f32, tag::ldigo});
    const dnnl::memory bias = in_layout(st.diff_bias, {st.diff_bias.get_desc().dims(), f32, tag::ldgo});
    dweights_from_onednn(problem_, layout_[s], static_cast<const float*>(layer.get_data_handle()),
                         static_cast<const float*>(iter.get_data_handle()),
                         static_cast<const float*>(bias.get_data_handle()), out);
  }
}

void OneDnnRnnOperation::load_output_gradients(const RnnInputs& in) {
  if (problem_.pass != RnnPass::training_bwd)
    throw std::logic_error("load_output_gradients: only the training_bwd pass reads them");
  copy_in(in.dy, diff_sequence_.back(), types_.diff, "dy");
  copy_in(in.dhy, dhy_, types_.diff, "dhy");
  if (problem_.has_cell_state()) copy_in(in.dcy, dcy_, types_.diff, "dcy");
}

}  // namespace dlbench::onednn
