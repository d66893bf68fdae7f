// One prepared oneDNN RNN pass: the stack's primitives (onednn_rnn_plan.hpp), the oneDNN-side copies of the
// canonical tensors they read and write, and the conversions between the two (onednn_rnn_layout.hpp), which all
// happen in the constructor, load_output_gradients() and read_outputs(), never in run().
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "onednn_rnn_plan.hpp"
#include "rnn/rnn_backend.hpp"

namespace dlbench::onednn {

class OneDnnRnnOperation final : public RnnOperation {
 public:
  // Copies the inputs in (the weights reordered into the layouts the primitives chose), poisons the outputs, and
  // for training_bwd loads the output gradients and runs the training forward pass, untimed, whose workspace and
  // outputs the backward pass reads.
  OneDnnRnnOperation(dnnl::engine& engine, dnnl::stream& stream, const RnnPlan& plan, const RnnInputs& inputs);

  // inference, training_fwd: the stage primitives forward, in order. training_bwd: the diff weights zeroed, then
  // the backward primitives, last stage first.
  void run() override;
  void read_outputs(RnnOutputs& out) override;
  void load_output_gradients(const RnnInputs& inputs) override;
  std::string implementation() const override { return implementation_; }
  std::string algorithm() const override { return algorithm_; }
  std::size_t workspace_bytes() const override { return workspace_bytes_; }

 private:
  using Args = std::unordered_map<int, dnnl::memory>;
  struct Stage {
    dnnl::primitive fwd, bwd;
    Args fwd_args, bwd_args;
    dnnl::memory diff_weights_layer, diff_weights_iter, diff_bias;  // in the backward primitive's layouts
  };

  dnnl::memory make(const dnnl::memory::desc& desc);
  // The layers [first, first + desc's layers) of a full L × D × N × H state tensor, sharing its memory.
  dnnl::memory slice(const dnnl::memory& full, const dnnl::memory::desc& desc, std::int64_t first_layer);
  // `plain` in the layout `desc`, reordered once when the two differ.
  dnnl::memory in_layout(const dnnl::memory& plain, const dnnl::memory::desc& desc);
  void load_weights(const RnnStagePlan& plan, const HostBuffer& weights, Stage& stage);
  void set_backward(const RnnStagePlan& plan, std::size_t s, Stage& stage);
  void read_dweights(HostBuffer& out);
  void forward();
  void backward();

  dnnl::engine& engine_;
  dnnl::stream& stream_;
  RnnProblem problem_;
  RnnTypes types_;
  std::vector<RnnStage> layout_;
  std::string implementation_, algorithm_;
  std::size_t workspace_bytes_;
  std::vector<Stage> stages_;
  // The sequence between the primitives: x, each inner primitive's output, y; for training_bwd their gradients.
  std::vector<dnnl::memory> sequence_, diff_sequence_;
  // Full L × D × N × H states, sliced per primitive.
  dnnl::memory hx_, hy_, cx_, cy_, dhx_, dhy_, dcx_, dcy_;
};

}  // namespace dlbench::onednn
