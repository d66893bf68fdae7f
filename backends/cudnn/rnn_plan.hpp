// How a dlbench RNN problem becomes cuDNN's v8 RNN API calls, as plain data: the RNN descriptor's settings, the
// x/y data descriptors and the h/c tensor descriptors, support per compute capability, and the mapping between the
// canonical weights buffer (rnn_problem.hpp) and cuDNN's weight space. Kept apart from the calls themselves so that
// it is unit-tested without a GPU.
//
// Weights. cuDNN keeps every parameter in one opaque "weight space" and says where each one lives through
// cudnnGetRNNWeightParams(pseudoLayer, linLayerID): a device address and a tensor descriptor {1, rows, cols} for
// the matrix, {1, rows, 1} for its bias. A pseudo-layer is one direction of one layer (layer·D + direction); the
// linLayerIDs of one pseudo-layer are the input-side matrices first, then the recurrent ones, gate by gate:
//   LSTM     0-3 = W_i, W_f, W_g, W_o    4-7 = R_i, R_f, R_g, R_o
//   GRU      0-2 = W_r, W_z, W_n         3-5 = R_r, R_z, R_n
//   vanilla  0   = W                     1   = R
// and linLayerID k < G carries the input bias b_W of that gate, k ≥ G the recurrent bias b_R (DOUBLE_BIAS). Each
// matrix is H × I_l (W) or H × H (R), row-major: element (row r, column c) is at r·cols + c. That is exactly one gate
// block of the canonical W (G·H × I_l, row-major), whose gate g occupies rows g·H … g·H + H − 1, contiguously. The
// same fact is what lets PyTorch view its weight_ih_l* (4H × I, row-major, gates i, f, g, o) straight into cuDNN's
// weight space after flatten_parameters(), gate block by gate block. These facts come from cuDNN's API reference
// (cudnnGetRNNWeightParams, cudnnRNNMode_t); the installed header, cudnn_adv.h, declares the calls without a word on
// layout or gate order (its one formula, beside CUDNN_GRU, h' = tanh(r * Uh(t-1) + Wx), is the linear-before-reset
// cell rnn_problem.hpp defines). So the backend checks what it can at run time: every reported descriptor must be
// {1, rows, cols} with row-major strides (check_reported_shape), and every reported element count and offset must
// fit the plan (weight_copies); anything else throws rather than compute with misplaced weights. What no shape can
// show (the gate order, row-major storage behind row-major strides) the device test checks against a float64
// implementation of the cells (cudnn_rnn_device_test.cpp).
#pragma once

#include <cudnn.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "harness/backend.hpp"
#include "rnn/rnn_problem.hpp"

namespace dlbench::cudnn {

// An RNN data descriptor (cudnnSetRNNDataDescriptor): sequence-major, every sequence T long. Unpacked layout: step
// t, batch entry n, element v at (t·N + n)·vector_size + v, which is the canonical T × N × I (x) and T × N × D·H
// (y); with every length T there is no padding, so packed and unpacked would lay the data out identically.
struct RnnDataSpec {
  cudnnDataType_t type = CUDNN_DATA_FLOAT;
  cudnnRNNDataLayout_t layout = CUDNN_RNN_DATA_LAYOUT_SEQ_MAJOR_UNPACKED;
  int max_seq_length = 0, batch = 0, vector_size = 0;
  std::vector<int> seq_lengths;  // one per batch entry, all max_seq_length
};

// The hx/hy/cx/cy tensor descriptor: {L·D, N, H}, fully packed, index layer·D + direction first, as the canonical
// L × D × N × H.
struct RnnStateSpec {
  cudnnDataType_t type = CUDNN_DATA_FLOAT;
  std::array<int, 3> dims{}, strides{};
};

struct RnnPlan {
  cudnnRNNAlgo_t algo = CUDNN_RNN_ALGO_STANDARD;
  cudnnRNNMode_t mode = CUDNN_LSTM;
  cudnnRNNBiasMode_t bias_mode = CUDNN_RNN_DOUBLE_BIAS;  // b_W and b_R, as PyTorch and rnn_problem.hpp
  cudnnDirectionMode_t direction = CUDNN_UNIDIRECTIONAL;
  cudnnRNNInputMode_t input_mode = CUDNN_LINEAR_INPUT;  // layer 0 multiplies x by W (SKIP_INPUT would not)
  cudnnDataType_t data_type = CUDNN_DATA_FLOAT;         // x, y, states and weights
  cudnnDataType_t math_precision = CUDNN_DATA_FLOAT;    // what the cell's arithmetic is done in
  cudnnMathType_t math_type = CUDNN_FMA_MATH;
  std::int32_t input_size = 0, hidden_size = 0, proj_size = 0, layers = 0;
  // Padded I/O lets cuDNN take the unpacked data layout; with every sequence full length nothing is padded.
  std::uint32_t aux_flags = CUDNN_RNN_PADDED_IO_ENABLED;
  // What cudnnGetRNNTempSpaceSizes and cudnnRNNForward are asked for: inference keeps no reserve space, the
  // training passes keep what backward needs.
  cudnnForwardMode_t forward_mode = CUDNN_FWD_MODE_INFERENCE;
  RnnDataSpec x, y;
  RnnStateSpec state;  // h and, for LSTM, c
  std::size_t element_bytes = 4;
};

// The settings for `p`. Precisions (MEASURE.md §2 tolerances assume these):
//   fp32  float data, float math, CUDNN_FMA_MATH: plain FMA. CUDNN_DEFAULT_MATH would let Ampere and later round
//         the inputs to TF32 on tensor cores, which is the tf32 precision, not fp32.
//   tf32  float data, float math, CUDNN_DEFAULT_MATH: TF32 tensor cores allowed (PyTorch's choice when
//         torch.backends.cudnn.allow_tf32 is set).
//   fp16, bf16  half / bfloat16 data, float math precision (fp32 accumulation), CUDNN_TENSOR_OP_MATH.
// Throws std::invalid_argument for a problem rnn_supports() rejects for its precision or sizes.
RnnPlan plan_rnn(const RnnProblem& p);

// Whether cuDNN can run `p` on a device of compute capability major.minor, as far as is known before asking cuDNN
// (which has the last word when the descriptor is set): int8/fp8 are out (RnnProblem::unsupported_reason), tf32 and
// bf16 need the Ampere tensor cores (8.0), and every size cuDNN takes as a 32-bit int must fit one.
Support rnn_supports(const RnnProblem& p, int cc_major, int cc_minor);

// One matrix of cuDNN's weight space and its bias, and where they are in the canonical weights buffer.
struct RnnParam {
  std::int32_t pseudo_layer = 0, lin_layer_id = 0;  // cudnnGetRNNWeightParams' arguments
  std::int64_t layer = 0, direction = 0, gate = 0;
  bool recurrent = false;                              // R and b_R (else W and b_W)
  std::int64_t matrix_offset = 0, rows = 0, cols = 0;  // canonical, elements; the matrix is rows × cols row-major
  std::int64_t bias_offset = 0;                        // canonical, elements; `rows` of them
};

// Every (pseudo-layer, linLayerID) of the problem, pseudo-layers in order, ids in order within each.
std::vector<RnnParam> rnn_params(const RnnProblem& p);

// Where cuDNN says a matrix and its bias are, in elements from the start of the weight space, with the element
// counts of the descriptors it returned (cudnnGetRNNWeightParams, as plain numbers).
struct ReportedParam {
  std::int64_t matrix_offset = 0, matrix_elements = 0;
  std::int64_t bias_offset = 0, bias_elements = 0;
};

// A run of `count` elements at `canonical` in the canonical buffer and at `space` in the weight space.
struct WeightCopy {
  std::int64_t canonical = 0, space = 0, count = 0;
  friend bool operator==(const WeightCopy&, const WeightCopy&) = default;
};

// The copies that move the canonical weights into a weight space of `space_elements` elements laid out as
// `reported` says (one entry per rnn_params() entry, same order), and back: together they cover every canonical
// element exactly once. Runs contiguous on both sides are merged, so a layout that keeps a pseudo-layer's gate
// blocks back to back costs a few copies, not one per gate. Throws std::runtime_error naming the parameter when
// cuDNN reports a different element count than the canonical layout has (a misunderstood layout), a parameter
// outside the weight space, or two parameters that overlap.
std::vector<WeightCopy> weight_copies(const RnnProblem& p, std::span<const RnnParam> params,
                                      std::span<const ReportedParam> reported, std::int64_t space_elements);

// The element offset of `address` from `base` in a space of `space_bytes` bytes of `element_bytes`-byte elements.
// Throws std::runtime_error if it is before the space, past it or not on an element boundary.
std::int64_t element_offset(const void* base, const void* address, std::size_t element_bytes, std::size_t space_bytes,
                            const std::string& what);

// Checks a descriptor cudnnGetRNNWeightParams filled (nb_dims, dims, strides as cudnnGetTensorNdDescriptor gives
// them) against the {1, rows, cols} row-major matrix the mapping assumes (cols = 1 for a bias), and returns its
// element count. Strides of dimensions of extent 1 are not constrained: they address nothing. Throws
// std::runtime_error describing both shapes otherwise.
std::int64_t check_reported_shape(int nb_dims, std::span<const int> dims, std::span<const int> strides,
                                  std::int64_t rows, std::int64_t cols, const std::string& what);

// "CUDNN_LSTM" style names of the settings, for the implementation and algorithm columns.
std::string mode_name(cudnnRNNMode_t mode);
std::string bias_mode_name(cudnnRNNBiasMode_t mode);
std::string direction_name(cudnnDirectionMode_t direction);
std::string input_mode_name(cudnnRNNInputMode_t mode);
std::string math_type_name(cudnnMathType_t type);
std::string algo_name(cudnnRNNAlgo_t algo);

// The `algorithm` column, "CUDNN_RNN_ALGO_STANDARD, CUDNN_FMA_MATH", and the `implementation` column,
// "CUDNN_LSTM, CUDNN_RNN_DOUBLE_BIAS, CUDNN_UNIDIRECTIONAL, CUDNN_LINEAR_INPUT, data CUDNN_DATA_HALF, math
// CUDNN_DATA_FLOAT with CUDNN_TENSOR_OP_MATH", from the settings (the backend passes those cuDNN reads back).
std::string rnn_algorithm_string(const RnnPlan& plan);
std::string rnn_implementation_string(const RnnPlan& plan);

}  // namespace dlbench::cudnn
