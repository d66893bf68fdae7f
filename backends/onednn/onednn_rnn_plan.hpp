// The oneDNN primitive descriptors of one RNN problem: for each primitive of the stack (onednn_rnn_layout.hpp) its
// forward descriptor (forward_inference for the inference pass, forward_training otherwise) and, for training_bwd,
// its backward descriptor with the forward one as hint, and how the implementations oneDNN chose describe
// themselves. Shared by the backend's support check and its prepare.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "onednn_rnn_layout.hpp"
#include "rnn/rnn_problem.hpp"

namespace dlbench::onednn {

// The plain descriptors of one primitive's tensors, in the layouts of onednn_rnn_layout.hpp.
struct RnnStageDescs {
  dnnl::memory::desc src_layer, src_iter, src_iter_c, dst_layer, dst_iter, dst_iter_c;  // c: LSTM only
  dnnl::memory::desc weights_layer, weights_iter, bias;                                // ldigo, ldigo, ldgo
  // f32 twins of the above for backward's diff tensors.
  dnnl::memory::desc diff_src_layer, diff_src_iter, diff_src_iter_c, diff_dst_layer, diff_dst_iter, diff_dst_iter_c;
  dnnl::memory::desc diff_weights_layer, diff_weights_iter, diff_bias;
};

struct RnnStagePlan {
  RnnStage stage;
  RnnStageDescs descs;
  dnnl::rnn_primitive_desc_base fwd;  // always
  dnnl::rnn_primitive_desc_base bwd;  // training_bwd only
};

class RnnPlan {
 public:
  // Throws dnnl::error when oneDNN cannot run the problem.
  RnnPlan(const RnnProblem& problem, const dnnl::engine& engine);

  RnnProblem problem;
  RnnTypes types;
  std::vector<RnnStagePlan> stages;

  bool training_bwd() const { return problem.pass == RnnPass::training_bwd; }
  // The primitive a timed call of stage s runs: backward for training_bwd, else forward.
  const dnnl::rnn_primitive_desc_base& timed(std::size_t s) const;
  // oneDNN's implementation name(s) of the timed primitives: "brgemm", or "layer 0: ref; layers 1-2: brgemm".
  std::string implementation() const;
  // "vanilla_lstm, bidirectional_concat, forward_training" plus how the stack is split and the weights layout.
  std::string algorithm() const;
  // What the timed primitives use besides their operands: the training workspace (kept from forward for backward)
  // and their scratchpads.
  std::size_t workspace_bytes() const;
};

}  // namespace dlbench::onednn
