// The oneDNN primitive descriptors of one convolution problem: its tensors' descriptors in the problem's layouts,
// the forward primitive descriptor (always built: the backward ones take it as their hint) and the direction's
// own, and how the chosen implementation describes itself. Shared by the backend's support check and its prepare.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>
#include <string>

#include "conv/conv_problem.hpp"

namespace dlbench::onednn {

class ConvPlan {
 public:
  // Throws dnnl::error when oneDNN has no implementation for the problem.
  ConvPlan(const ConvProblem& problem, const dnnl::engine& engine);

  ConvProblem problem;
  // Plain descriptors in the problem's layouts: NCHW/NHWC activations, KCRS/KRSC weights (5-D with groups).
  struct {
    dnnl::memory::desc src, weights, dst;
  } descs;
  dnnl::convolution_forward::primitive_desc fwd;
  dnnl::convolution_backward_data::primitive_desc bwd_data;        // set for bwd_data only
  dnnl::convolution_backward_weights::primitive_desc bwd_weights;  // set for bwd_filter only

  // The direction's primitive descriptor.
  const dnnl::primitive_desc& chosen() const;
  // The layout the direction's primitive wants its weights (bwd_filter: writes its diff_weights) in.
  dnnl::memory::desc weights_desc() const;
  // Scratch memory the primitive needs; the operation allocates it (user scratchpad mode) so its size is known.
  dnnl::memory::desc scratchpad_desc() const { return chosen().scratchpad_desc(); }
  // oneDNN's name for the implementation, e.g. "brg:avx512_core_amx".
  std::string implementation() const { return chosen().impl_info_str(); }
  // "direct, weights ABcd16b16a (oneDNN's layout, reordered from KRSC untimed)" and the like.
  std::string algorithm() const;
};

}  // namespace dlbench::onednn
