// One prepared cuDNN RNN pass (inference forward, training forward, or training backward: data and weights
// gradients) through cuDNN's v8 RNN API, and the pieces the backend shares with it. The backend
// (cudnn_rnn.cpp) decides whether a problem runs and checks device memory; this class owns the descriptors and
// device buffers of one case and enqueues the pass on the context's stream. Timing is the harness's CUDA engine.
#pragma once

#include <cudnn.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "cuda/device_buffer.hpp"
#include "cudnn_common.hpp"
#include "rnn/rnn_backend.hpp"
#include "rnn_plan.hpp"

namespace dlbench::cudnn {

// Owns one cuDNN descriptor: created by the constructor (which throws if cuDNN refuses), destroyed with it.
template <class T, cudnnStatus_t (*Create)(T*), cudnnStatus_t (*Destroy)(T)>
class Owned {
 public:
  explicit Owned(const char* what) { check(Create(&handle_), what); }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned() {
    if (handle_) Destroy(handle_);
  }
  T get() const { return handle_; }

 private:
  T handle_ = nullptr;
};

using RnnDescriptor = Owned<cudnnRNNDescriptor_t, cudnnCreateRNNDescriptor, cudnnDestroyRNNDescriptor>;
using RnnDataDescriptor = Owned<cudnnRNNDataDescriptor_t, cudnnCreateRNNDataDescriptor, cudnnDestroyRNNDataDescriptor>;
using TensorDescriptor = Owned<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor, cudnnDestroyTensorDescriptor>;
using DropoutDescriptor = Owned<cudnnDropoutDescriptor_t, cudnnCreateDropoutDescriptor, cudnnDestroyDropoutDescriptor>;

// The dropout descriptor every RNN descriptor must name. The suite's cells have no dropout (probability 0), but
// cuDNN still wants the random-number states it would draw from, so they are allocated and seeded once per
// backend (a kernel on the handle's stream) and shared by its operations.
class NoDropout {
 public:
  explicit NoDropout(cudnnHandle_t handle);
  cudnnDropoutDescriptor_t get() const { return desc_.get(); }

 private:
  DropoutDescriptor desc_;
  DeviceBuffer states_;
};

class CudnnRnnOperation final : public RnnOperation {
 public:
  // Sets the descriptors and asks cuDNN for the weight, work and reserve space sizes; allocates nothing on the
  // device yet, so the backend can check memory first. Throws Unsupported when cuDNN declines the combination.
  CudnnRnnOperation(std::shared_ptr<const Context> context, std::shared_ptr<const NoDropout> dropout,
                    const RnnProblem& problem);

  // Device memory load() will allocate, bytes.
  std::size_t device_bytes() const;
  // Allocates the buffers, copies the inputs in (the weights through the copy list), poisons the outputs; for
  // training_bwd also loads the output gradients and runs the training forward pass, untimed, whose reserve space
  // and y the backward pass reads.
  void load(const RnnInputs& inputs);

  void run() override;
  // training_bwd: restores the reserve space from the copy taken after the forward pass (backward data rewrites it).
  void before_call() override;
  std::unique_ptr<Timer> make_timer() override;
  void read_outputs(RnnOutputs& out) override;
  void load_output_gradients(const RnnInputs& inputs) override;
  std::string implementation() const override;
  std::string algorithm() const override;
  std::size_t workspace_bytes() const override { return work_bytes_ + reserve_bytes_; }

 private:
  void read_back_descriptor();
  void map_weights();
  void forward(cudnnForwardMode_t mode);
  void backward();
  void copy_in(const DeviceBuffer& to, const HostBuffer& from, const char* what);
  void copy_out(HostBuffer& to, const DeviceBuffer& from, const char* what);
  void poison(const DeviceBuffer& buffer, std::size_t count);
  void sync(const char* what);
  bool training_bwd() const { return problem_.pass == RnnPass::training_bwd; }

  // Declared first, destroyed last: every descriptor and buffer below is released while the handle, the stream
  // and the dropout states they were made with still exist.
  std::shared_ptr<const Context> context_;
  std::shared_ptr<const NoDropout> dropout_;
  RnnProblem problem_;
  RnnPlan plan_;      // what was asked for
  RnnPlan reported_;  // what cuDNN reads back from the descriptor, for the names in the rows
  RnnDescriptor rnn_{"cudnnCreateRNNDescriptor"};
  RnnDataDescriptor x_desc_{"cudnnCreateRNNDataDescriptor"}, y_desc_{"cudnnCreateRNNDataDescriptor"};
  TensorDescriptor h_desc_{"cudnnCreateTensorDescriptor"};
  std::size_t weight_bytes_ = 0, work_bytes_ = 0, reserve_bytes_ = 0;
  std::vector<WeightCopy> copies_;
  DeviceBuffer seq_lengths_, x_, y_, hx_, hy_, cx_, cy_, weights_, work_, reserve_;
  DeviceBuffer dx_, dy_, dhx_, dhy_, dcx_, dcy_, dweights_;  // training_bwd only
  DeviceBuffer reserve_copy_;  // training_bwd: the reserve space as the forward pass left it
};

}  // namespace dlbench::cudnn
