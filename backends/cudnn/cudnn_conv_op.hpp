// One prepared cuDNN convolution call: descriptors, the three tensors on the device, the chosen algorithm and its
// workspace. The backend (cudnn_conv.cpp) creates it, loads the tensors and has it choose; the harness's CUDA
// engine times run().
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "conv/conv_backend.hpp"
#include "conv_algo.hpp"
#include "conv_plan.hpp"
#include "cuda/device_buffer.hpp"
#include "cudnn_common.hpp"

namespace dlbench::cudnn {

class ConvCall final : public ConvOperation {
 public:
  // Builds the descriptors; throws Unsupported when cuDNN refuses them as not supported.
  ConvCall(const Context& context, const ConvProblem& problem, std::size_t workspace_limit);

  // Allocates the three tensors and copies them in: the direction's two inputs and its poisoned output.
  void load(const ConvTensors& tensors);

  // Takes the first of cuDNN's heuristic candidates (cudnnGet*Algorithm_v7) that the rules accept (conv_algo.hpp).
  void choose_by_heuristic();
  // Times up to `top` candidates the rules accept on the case's own tensors with the harness's CUDA timer (cold,
  // after an untimed first call) and takes the fastest by median: Find's candidates first, in Find's order, then
  // the heuristic's it left out. Find alone is not trusted with the choice: it times each algorithm once, first
  // launch included, and on an H200 it ranked non-tensor-core fp16/bf16 forward algorithms first, 4-13x slower
  // than the tensor-core ones it also listed. The output is poisoned again afterwards, since the calls wrote it.
  void choose_by_timing(int top);

  void run() override;
  std::unique_ptr<Timer> make_timer() override;
  void read_output(HostBuffer& out) override;
  std::string implementation() const override;
  std::string algorithm() const override { return algorithm_; }
  std::size_t workspace_bytes() const override { return workspace_used_; }

 private:
  struct Tensor {
    DataType type = DataType::f32;
    std::size_t count = 0;
    DeviceBuffer memory;
  };

  std::vector<AlgoCandidate> heuristic_candidates();
  std::vector<AlgoCandidate> find_candidates();
  // The workspace cuDNN says `algo` needs with the descriptor's current math type; status and bytes.
  std::pair<cudnnStatus_t, std::size_t> workspace_for(int algo) const;
  // Takes the first candidate (in cuDNN's order: best or fastest first) that the rules accept and whose workspace,
  // asked again with the descriptor set to its math type, fits the limit; throws Unsupported saying why each of
  // them was passed over when none is left.
  void take_first_usable(const std::vector<AlgoCandidate>& candidates, bool found_by_timing);
  Tensor& output();
  void poison_output();

  cudnnHandle_t handle_;
  cudaStream_t stream_;
  int device_;
  int cc_;
  ConvProblem problem_;
  ConvPlan plan_;
  std::unique_ptr<ConvDescriptors> descriptors_;
  std::size_t workspace_limit_;
  Tensor src_, weights_, dst_;
  DeviceBuffer workspace_;
  std::size_t workspace_used_ = 0;
  AlgoCandidate chosen_;
  std::string algorithm_;
};

}  // namespace dlbench::cudnn
