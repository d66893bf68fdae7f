#include "cudnn_rnn_operation.hpp"

#include <array>
#include <cstdint>
#include <stdexcept>

#include "common/element_codec.hpp"
#include "cuda/cuda_kernels.hpp"
#include "cuda/cuda_timer.hpp"
#include "harness/case.hpp"

namespace dlbench::cudnn {

namespace {

// cuDNN's "not supported" family becomes a skipped row with cuDNN's own explanation; every other failure is an
// error of the case.
void check_supported(cudnnStatus_t status, const char* what) {
  if (CUDNN_STATUS_CATEGORY(status) == CUDNN_STATUS_NOT_SUPPORTED) {
    char detail[512] = {};
    cudnnGetLastErrorString(detail, sizeof detail);
    throw Unsupported(std::string(what) + ": " + cudnnGetErrorString(status) + (detail[0] ? " (" : "") + detail +
                      (detail[0] ? ")" : ""));
  }
  check(status, what);
}

// The RNN descriptor is where cuDNN checks the data type. Whether its RNNs take bf16 data is a property of the
// cuDNN build, and one that does not may answer BAD_PARAM rather than NOT_SUPPORTED; since the bf16 settings differ
// from the fp16 ones only in the data type, that answer is a limit of the library, not a fault of the case.
void check_descriptor(cudnnStatus_t status, cudnnDataType_t data) {
  if (data == CUDNN_DATA_BFLOAT16 && CUDNN_STATUS_CATEGORY(status) == CUDNN_STATUS_BAD_PARAM) {
    char detail[512] = {};
    cudnnGetLastErrorString(detail, sizeof detail);
    throw Unsupported("this cuDNN (" + library_string() +
                      ") refuses an RNN descriptor with CUDNN_DATA_BFLOAT16 data: " + cudnnGetErrorString(status) +
                      (detail[0] ? " (" : "") + detail + (detail[0] ? ")" : ""));
  }
  check_supported(status, "cudnnSetRNNDescriptor_v8");
}

// The sequence lengths go to the device as cuDNN's int32_t array straight from the plan's ints.
static_assert(sizeof(int) == sizeof(std::int32_t));

std::size_t bytes_of(std::int64_t elements, std::size_t element_bytes) {
  return static_cast<std::size_t>(elements) * element_bytes;
}

}  // namespace

NoDropout::NoDropout(cudnnHandle_t handle) : desc_("cudnnCreateDropoutDescriptor") {
  std::size_t bytes = 0;
  check(cudnnDropoutGetStatesSize(handle, &bytes), "cudnnDropoutGetStatesSize");
  states_ = DeviceBuffer(bytes);
  check(cudnnSetDropoutDescriptor(desc_.get(), handle, 0.0f, states_.get(), states_.bytes(), 0),
        "cudnnSetDropoutDescriptor");
}

CudnnRnnOperation::CudnnRnnOperation(std::shared_ptr<const Context> context, std::shared_ptr<const NoDropout> dropout,
                                     const RnnProblem& problem)
    : context_(std::move(context)), dropout_(std::move(dropout)), problem_(problem), plan_(plan_rnn(problem)) {
  const RnnPlan& p = plan_;
  check_descriptor(cudnnSetRNNDescriptor_v8(rnn_.get(), p.algo, p.mode, p.bias_mode, p.direction, p.input_mode,
                                            p.data_type, p.math_precision, p.math_type, p.input_size, p.hidden_size,
                                            p.proj_size, p.layers, dropout_->get(), p.aux_flags),
                   p.data_type);
  read_back_descriptor();
  const auto set_data = [](const RnnDataDescriptor& d, const RnnDataSpec& s) {
    check_supported(cudnnSetRNNDataDescriptor(d.get(), s.type, s.layout, s.max_seq_length, s.batch, s.vector_size,
                                              s.seq_lengths.data(), nullptr),
                    "cudnnSetRNNDataDescriptor");
  };
  set_data(x_desc_, p.x);
  set_data(y_desc_, p.y);
  check_supported(
      cudnnSetTensorNdDescriptor(h_desc_.get(), p.state.type, 3, p.state.dims.data(), p.state.strides.data()),
      "cudnnSetTensorNdDescriptor (h, c)");
  const cudnnHandle_t handle = context_->handle();
  check_supported(cudnnGetRNNWeightSpaceSize(handle, rnn_.get(), &weight_bytes_), "cudnnGetRNNWeightSpaceSize");
  check_supported(
      cudnnGetRNNTempSpaceSizes(handle, rnn_.get(), p.forward_mode, x_desc_.get(), &work_bytes_, &reserve_bytes_),
      "cudnnGetRNNTempSpaceSizes");
  // Inference keeps nothing for a backward pass; cuDNN reports 0 then, and none is passed.
  if (p.forward_mode == CUDNN_FWD_MODE_INFERENCE) reserve_bytes_ = 0;
}

void CudnnRnnOperation::read_back_descriptor() {
  RnnPlan& r = reported_;
  r = plan_;
  cudnnDropoutDescriptor_t dropout = nullptr;
  check(cudnnGetRNNDescriptor_v8(rnn_.get(), &r.algo, &r.mode, &r.bias_mode, &r.direction, &r.input_mode, &r.data_type,
                                 &r.math_precision, &r.math_type, &r.input_size, &r.hidden_size, &r.proj_size,
                                 &r.layers, &dropout, &r.aux_flags),
        "cudnnGetRNNDescriptor_v8");
  // The weight mapping and the buffers are sized from the plan: cuDNN must have kept what it was given.
  if (r.mode != plan_.mode || r.bias_mode != plan_.bias_mode || r.direction != plan_.direction ||
      r.input_mode != plan_.input_mode || r.data_type != plan_.data_type || r.input_size != plan_.input_size ||
      r.hidden_size != plan_.hidden_size || r.proj_size != plan_.proj_size || r.layers != plan_.layers)
    throw std::runtime_error("cuDNN's RNN descriptor reads back as " + rnn_implementation_string(r) + ", sizes " +
                             std::to_string(r.input_size) + "/" + std::to_string(r.hidden_size) + "/" +
                             std::to_string(r.proj_size) + "/" + std::to_string(r.layers) + "; it was set as " +
                             rnn_implementation_string(plan_));
}

std::size_t CudnnRnnOperation::device_bytes() const {
  const std::size_t e = plan_.element_bytes;
  const std::size_t x = bytes_of(problem_.x_elements(), e), y = bytes_of(problem_.y_elements(), e);
  const std::size_t state = bytes_of(problem_.state_elements(), e) * (problem_.has_cell_state() ? 2 : 1);
  const std::size_t lengths = static_cast<std::size_t>(problem_.batch) * sizeof(std::int32_t);
  // Inputs, outputs (the final states too, which training_bwd's forward pass also writes), weights, temp spaces.
  std::size_t need = lengths + x + y + 2 * state + weight_bytes_ + work_bytes_ + reserve_bytes_;
  // The gradients of all of them for training_bwd, and the copy of the reserve space that before_call() restores.
  if (training_bwd()) need += x + y + 2 * state + weight_bytes_ + reserve_bytes_;
  return need;
}

void CudnnRnnOperation::load(const RnnInputs& in) {
  const std::size_t e = plan_.element_bytes;
  const std::size_t state = bytes_of(problem_.state_elements(), e);
  const bool lstm = problem_.has_cell_state();

  seq_lengths_ = DeviceBuffer(plan_.x.seq_lengths.size() * sizeof(std::int32_t));
  check_cuda(cudaMemcpyAsync(seq_lengths_.get(), plan_.x.seq_lengths.data(), seq_lengths_.bytes(),
                             cudaMemcpyHostToDevice, context_->stream()),
             "copying the sequence lengths in");
  x_ = DeviceBuffer(bytes_of(problem_.x_elements(), e));
  y_ = DeviceBuffer(bytes_of(problem_.y_elements(), e));
  hx_ = DeviceBuffer(state);
  hy_ = DeviceBuffer(state);
  if (lstm) {
    cx_ = DeviceBuffer(state);
    cy_ = DeviceBuffer(state);
  }
  weights_ = DeviceBuffer(weight_bytes_);
  work_ = DeviceBuffer(work_bytes_);
  reserve_ = DeviceBuffer(reserve_bytes_);
  copy_in(x_, in.x, "x");
  copy_in(hx_, in.hx, "hx");
  if (lstm) copy_in(cx_, in.cx, "cx");

  map_weights();
  if (in.weights.bytes() != bytes_of(problem_.weight_elements(), e))
    throw std::logic_error("CudnnRnnOperation: the weights hold " + std::to_string(in.weights.bytes()) +
                           " bytes, the problem has " + std::to_string(problem_.weight_elements()) + " elements");
  // Whatever cuDNN keeps between parameters (alignment) starts as zeros rather than leftover memory.
  check_cuda(cudaMemsetAsync(weights_.get(), 0, weights_.bytes(), context_->stream()), "clearing the weight space");
  const auto* canonical = static_cast<const std::byte*>(in.weights.data());
  auto* space = static_cast<std::byte*>(weights_.get());
  for (const WeightCopy& c : copies_)
    check_cuda(cudaMemcpyAsync(space + bytes_of(c.space, e), canonical + bytes_of(c.canonical, e), bytes_of(c.count, e),
                               cudaMemcpyHostToDevice, context_->stream()),
               "copying the weights in");

  if (!training_bwd()) {
    poison(y_, static_cast<std::size_t>(problem_.y_elements()));
    poison(hy_, static_cast<std::size_t>(problem_.state_elements()));
    if (lstm) poison(cy_, static_cast<std::size_t>(problem_.state_elements()));
    sync("loading the inputs");
    return;
  }
  dx_ = DeviceBuffer(x_.bytes());
  dy_ = DeviceBuffer(y_.bytes());
  dhx_ = DeviceBuffer(state);
  dhy_ = DeviceBuffer(state);
  if (lstm) {
    dcx_ = DeviceBuffer(state);
    dcy_ = DeviceBuffer(state);
  }
  dweights_ = DeviceBuffer(weight_bytes_);
  load_output_gradients(in);
  poison(dx_, static_cast<std::size_t>(problem_.x_elements()));
  poison(dhx_, static_cast<std::size_t>(problem_.state_elements()));
  if (lstm) poison(dcx_, static_cast<std::size_t>(problem_.state_elements()));
  // The forward pass whose reserve space (the cells' activations) and y the backward pass reads.
  forward(CUDNN_FWD_MODE_TRAINING);
  // cudnnRNNBackwardData_v8 writes into the reserve space the intermediate results BackwardWeights reads, so a
  // second backward over the same reserve space computes other values (seen on an H200: errors of order one on
  // every gradient); a framework runs a forward pass before every backward. The copy lets each timed call start
  // from the forward pass's reserve space without timing a forward pass.
  reserve_copy_ = DeviceBuffer(reserve_bytes_);
  check_cuda(cudaMemcpyAsync(reserve_copy_.get(), reserve_.get(), reserve_bytes_, cudaMemcpyDeviceToDevice,
                             context_->stream()),
             "keeping a copy of the reserve space");
  sync("the training forward pass before backward");
}

// Asks cuDNN where each matrix and bias lives, checks every answer against the plan, and derives the copy list.
void CudnnRnnOperation::map_weights() {
  const std::vector<RnnParam> params = rnn_params(problem_);
  std::vector<ReportedParam> reported;
  reported.reserve(params.size());
  TensorDescriptor m_desc("cudnnCreateTensorDescriptor"), b_desc("cudnnCreateTensorDescriptor");
  for (const RnnParam& param : params) {
    void* m_addr = nullptr;
    void* b_addr = nullptr;
    check(cudnnGetRNNWeightParams(context_->handle(), rnn_.get(), param.pseudo_layer, weights_.bytes(), weights_.get(),
                                  param.lin_layer_id, m_desc.get(), &m_addr, b_desc.get(), &b_addr),
          "cudnnGetRNNWeightParams");
    const std::string id =
        "pseudo-layer " + std::to_string(param.pseudo_layer) + " linLayerID " + std::to_string(param.lin_layer_id);
    const auto elements = [&](const TensorDescriptor& desc, std::int64_t cols, const std::string& what) {
      cudnnDataType_t type{};
      int nb = 0;
      std::array<int, 3> dims{}, strides{};
      check(cudnnGetTensorNdDescriptor(desc.get(), 3, &type, &nb, dims.data(), strides.data()),
            "cudnnGetTensorNdDescriptor (a weight parameter)");
      if (nb > 0 && type != plan_.data_type)
        throw std::runtime_error("cuDNN weight layout: the " + what + " is " + data_type_name(type) + ", not " +
                                 data_type_name(plan_.data_type));
      return check_reported_shape(nb, dims, strides, param.rows, cols, what);
    };
    ReportedParam r;
    r.matrix_elements = elements(m_desc, param.cols, "matrix of " + id);
    r.bias_elements = elements(b_desc, 1, "bias of " + id);
    r.matrix_offset = element_offset(weights_.get(), m_addr, plan_.element_bytes, weights_.bytes(), "matrix of " + id);
    r.bias_offset = element_offset(weights_.get(), b_addr, plan_.element_bytes, weights_.bytes(), "bias of " + id);
    reported.push_back(r);
  }
  copies_ = weight_copies(problem_, params, reported, static_cast<std::int64_t>(weight_bytes_ / plan_.element_bytes));
}

void CudnnRnnOperation::forward(cudnnForwardMode_t mode) {
  const bool lstm = problem_.has_cell_state();
  // Training keeps the activations for backward in the reserve space; inference needs none.
  const bool keep = mode == CUDNN_FWD_MODE_TRAINING;
  check(cudnnRNNForward(context_->handle(), rnn_.get(), mode, static_cast<const std::int32_t*>(seq_lengths_.get()),
                        x_desc_.get(), x_.get(), y_desc_.get(), y_.get(), h_desc_.get(), hx_.get(), hy_.get(),
                        h_desc_.get(), lstm ? cx_.get() : nullptr, lstm ? cy_.get() : nullptr, weights_.bytes(),
                        weights_.get(), work_.bytes(), work_.get(), keep ? reserve_.bytes() : 0,
                        keep ? reserve_.get() : nullptr),
        "cudnnRNNForward");
}

void CudnnRnnOperation::backward() {
  const bool lstm = problem_.has_cell_state();
  const auto* lengths = static_cast<const std::int32_t*>(seq_lengths_.get());
  // cudnnRNNBackwardWeights_v8 only adds into dweights (CUDNN_WGRAD_MODE_ADD is its one supported mode), so
  // dweights starts from zero, as a framework's zero_grad() makes it; the memset is part of the timed pass.
  check_cuda(cudaMemsetAsync(dweights_.get(), 0, dweights_.bytes(), context_->stream()), "zeroing dweights");
  check(cudnnRNNBackwardData_v8(context_->handle(), rnn_.get(), lengths, y_desc_.get(), y_.get(), dy_.get(),
                                x_desc_.get(), dx_.get(), h_desc_.get(), hx_.get(), dhy_.get(), dhx_.get(),
                                h_desc_.get(), lstm ? cx_.get() : nullptr, lstm ? dcy_.get() : nullptr,
                                lstm ? dcx_.get() : nullptr, weights_.bytes(), weights_.get(), work_.bytes(),
                                work_.get(), reserve_.bytes(), reserve_.get()),
        "cudnnRNNBackwardData_v8");
  // cuDNN orders the two: the weights gradient reads what backward data left in the reserve space.
  check(cudnnRNNBackwardWeights_v8(context_->handle(), rnn_.get(), CUDNN_WGRAD_MODE_ADD, lengths, x_desc_.get(),
                                   x_.get(), h_desc_.get(), hx_.get(), y_desc_.get(), y_.get(), dweights_.bytes(),
                                   dweights_.get(), work_.bytes(), work_.get(), reserve_.bytes(), reserve_.get()),
        "cudnnRNNBackwardWeights_v8");
}

void CudnnRnnOperation::run() {
  switch (problem_.pass) {
    case RnnPass::inference: forward(CUDNN_FWD_MODE_INFERENCE); break;
    case RnnPass::training_fwd: forward(CUDNN_FWD_MODE_TRAINING); break;
    case RnnPass::training_bwd: backward(); break;
  }
}

void CudnnRnnOperation::before_call() {
  if (!training_bwd()) return;
  check_cuda(cudaMemcpyAsync(reserve_.get(), reserve_copy_.get(), reserve_bytes_, cudaMemcpyDeviceToDevice,
                             context_->stream()),
             "restoring the reserve space");
}

std::unique_ptr<Timer> CudnnRnnOperation::make_timer() {
  return make_cuda_timer(context_->stream(), context_->device_index());
}

void CudnnRnnOperation::read_outputs(RnnOutputs& out) {
  if (!training_bwd()) {
    copy_out(out.y, y_, "y");
    copy_out(out.hy, hy_, "hy");
    if (problem_.has_cell_state()) copy_out(out.cy, cy_, "cy");
    sync("copying the outputs back");
    return;
  }
  copy_out(out.dx, dx_, "dx");
  copy_out(out.dhx, dhx_, "dhx");
  if (problem_.has_cell_state()) copy_out(out.dcx, dcx_, "dcx");
  const std::size_t e = plan_.element_bytes;
  if (out.dweights.bytes() != bytes_of(problem_.weight_elements(), e))
    throw std::logic_error("CudnnRnnOperation: dweights holds " + std::to_string(out.dweights.bytes()) +
                           " bytes, the problem has " + std::to_string(problem_.weight_elements()) + " elements");
  auto* canonical = static_cast<std::byte*>(out.dweights.data());
  const auto* space = static_cast<const std::byte*>(dweights_.get());
  for (const WeightCopy& c : copies_)
    check_cuda(cudaMemcpyAsync(canonical + bytes_of(c.canonical, e), space + bytes_of(c.space, e), bytes_of(c.count, e),
                               cudaMemcpyDeviceToHost, context_->stream()),
               "copying dweights back");
  sync("copying the gradients back");
}

void CudnnRnnOperation::load_output_gradients(const RnnInputs& in) {
  if (!training_bwd()) throw std::logic_error("load_output_gradients: only the training_bwd pass reads them");
  copy_in(dy_, in.dy, "dy");
  copy_in(dhy_, in.dhy, "dhy");
  if (problem_.has_cell_state()) copy_in(dcy_, in.dcy, "dcy");
  sync("copying the output gradients in");
}

std::string CudnnRnnOperation::implementation() const { return rnn_implementation_string(reported_); }
std::string CudnnRnnOperation::algorithm() const { return rnn_algorithm_string(reported_); }

void CudnnRnnOperation::copy_in(const DeviceBuffer& to, const HostBuffer& from, const char* what) {
  if (from.bytes() != to.bytes())
    throw std::logic_error(std::string("CudnnRnnOperation: ") + what + " holds " + std::to_string(from.bytes()) +
                           " bytes, the pass reads " + std::to_string(to.bytes()));
  check_cuda(cudaMemcpyAsync(to.get(), from.data(), to.bytes(), cudaMemcpyHostToDevice, context_->stream()),
             (std::string("copying ") + what + " in").c_str());
}

void CudnnRnnOperation::copy_out(HostBuffer& to, const DeviceBuffer& from, const char* what) {
  if (to.bytes() != from.bytes())
    throw std::logic_error(std::string("CudnnRnnOperation: ") + what + " holds " + std::to_string(to.bytes()) +
                           " bytes, the pass wrote " + std::to_string(from.bytes()));
  check_cuda(cudaMemcpyAsync(to.data(), from.get(), from.bytes(), cudaMemcpyDeviceToHost, context_->stream()),
             (std::string("copying ") + what + " back").c_str());
}

// An element the pass never writes then fails verification instead of passing with stale memory.
void CudnnRnnOperation::poison(const DeviceBuffer& buffer, std::size_t count) {
  const DataType t = problem_.types().output;
  fill_bits_on_device(buffer.get(), t, count, codec::poison_element(t), context_->stream());
}

void CudnnRnnOperation::sync(const char* what) { check_cuda(cudaStreamSynchronize(context_->stream()), what); }

}  // namespace dlbench::cudnn
