// How a dlbench convolution problem becomes a call of cuDNN's convolution API, as plain data: the tensor, filter
// and convolution descriptors' values, element, compute and math types, and which problems a device can run. Kept
// apart from the calls so that it is unit-tested without a GPU; the descriptors themselves are built here too,
// because cuDNN creates and checks them on the host alone (no handle, no device), so the test can ask cuDNN what
// it made of them.
//
// cuDNN takes every tensor's dimensions in the logical order N, C, H, W whatever its memory order, and the memory
// order as strides; conv_problem.hpp's dense layouts are the strides below. Filters take no strides: their format
// names the memory order, K×C/G×R×S (CUDNN_TENSOR_NCHW) or K×R×S×C/G (CUDNN_TENSOR_NHWC), exactly the two filter
// layouts ConvProblem defines. For a grouped convolution cuDNN's filter holds C/G input channels per filter and
// the group count sits on the convolution descriptor.
#pragma once

#include <cudnn.h>

#include <array>
#include <cstdint>
#include <string>

#include "conv/conv_problem.hpp"
#include "cudnn_common.hpp"
#include "harness/backend.hpp"

namespace dlbench::cudnn {

// A 4-d tensor: dims N, C, H, W and the stride of each, in elements.
struct TensorSpec {
  cudnnDataType_t type = CUDNN_DATA_FLOAT;
  std::array<int, 4> dims{};
  std::array<int, 4> strides{};
};

// A filter: dims K, C/G, R, S, stored in `format`'s order, densely.
struct FilterSpec {
  cudnnDataType_t type = CUDNN_DATA_FLOAT;
  cudnnTensorFormat_t format = CUDNN_TENSOR_NCHW;
  std::array<int, 4> dims{};
};

// The convolution descriptor's values: pads, strides and dilations as {height, width}.
struct ConvSpec {
  std::array<int, 2> pad{}, stride{1, 1}, dilation{1, 1};
  int groups = 1;
  cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;  // no kernel flip, as ConvProblem defines it
  cudnnDataType_t compute = CUDNN_DATA_FLOAT;             // the accumulator type
  cudnnMathType_t math = CUDNN_FMA_MATH;                  // what the descriptor allows while choosing
};

struct ConvPlan {
  TensorSpec x;  // src: the input of fwd, the gradient dx that bwd_data computes
  FilterSpec w;  // weights: an input of fwd and bwd_data, the gradient dw that bwd_filter computes
  TensorSpec y;  // dst: the output of fwd, the input dy of both backward directions
  ConvSpec conv;
};

// The math type a precision's descriptor is set to while cuDNN chooses an algorithm:
//   fp32       CUDNN_FMA_MATH: plain fp32 multiply-adds. cuDNN's default math lets Ampere and later round float
//              inputs to TF32 on tensor cores, which would not be an fp32 result.
//   tf32       CUDNN_TENSOR_OP_MATH: float data, TF32 tensor cores allowed.
//   fp16/bf16  CUDNN_TENSOR_OP_MATH: half or bfloat16 data, tensor cores, float accumulation.
cudnnMathType_t descriptor_math(Precision precision);

// Whether cuDNN can run `problem` on a device of compute capability cc_major.cc_minor, as far as is known before
// asking its heuristic (which has the last word): the precision must have cuDNN types and tensor cores of its
// kind on the device, and every value must fit the int fields of cuDNN's descriptors.
Support conv_supports(const ConvProblem& problem, int cc_major, int cc_minor);

// The descriptors' values for a problem conv_supports accepts (on some device); throws std::invalid_argument for
// one it never accepts (int8, fp8, values beyond int).
ConvPlan plan_conv(const ConvProblem& problem);

// Whether a cuDNN status says "this problem is not supported" (CUDNN_STATUS_NOT_SUPPORTED and its sub-codes),
// which makes a case skipped rather than failed.
bool is_not_supported(cudnnStatus_t status);

// cuDNN's descriptors built from a plan, owned, destroyed on every path. Creating and setting them needs neither
// a handle nor a device. Throws cudnn::Error when cuDNN rejects a value.
template <class T, cudnnStatus_t (*Create)(T*), cudnnStatus_t (*Destroy)(T)>
class Descriptor {
 public:
  Descriptor() { check(Create(&handle_), "creating a cuDNN descriptor"); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() { Destroy(handle_); }
  T get() const { return handle_; }

 private:
  T handle_ = nullptr;
};
using TensorDescriptor =
    Descriptor<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor, cudnnDestroyTensorDescriptor>;
using FilterDescriptor =
    Descriptor<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor, cudnnDestroyFilterDescriptor>;
using ConvolutionDescriptor =
    Descriptor<cudnnConvolutionDescriptor_t, cudnnCreateConvolutionDescriptor, cudnnDestroyConvolutionDescriptor>;

struct ConvDescriptors {
  TensorDescriptor x, y;
  FilterDescriptor w;
  ConvolutionDescriptor conv;
  explicit ConvDescriptors(const ConvPlan& plan);
};

// Sets the convolution descriptor's math type: to the precision's rule while choosing, then to the chosen
// algorithm's own math type, which cuDNN expects the call to be made with.
void set_math(const ConvolutionDescriptor& conv, cudnnMathType_t math);

}  // namespace dlbench::cudnn
