#include "conv_plan.hpp"

#include <climits>
#include <stdexcept>

namespace dlbench::cudnn {

namespace {

// cuDNN's descriptors hold ints; a value beyond them cannot be described at all.
int to_int(std::int64_t v, const char* what) {
  if (v < 0 || v > INT_MAX)
    throw std::invalid_argument(std::string("plan_conv: ") + what + " = " + std::to_string(v) +
                                " does not fit cuDNN's int descriptor fields");
  return static_cast<int>(v);
}

// The dense strides of a tensor with logical dims {N, C, H, W} whose memory holds them in the order `order`
// (indices into dims, outermost first): each stride is the product of the dims stored inside it. A dim of size 1
// gets the stride its place implies, which is what cuDNN reads as packed in that layout.
std::array<int, 4> dense_strides(const std::array<std::int64_t, 4>& dims, const std::array<int, 4>& order) {
  std::array<int, 4> strides{};
  std::int64_t inner = 1;
  for (int i = 3; i >= 0; --i) {
    const auto d = static_cast<std::size_t>(order[static_cast<std::size_t>(i)]);
    strides[d] = to_int(inner, "a tensor stride");
    inner *= dims[d];
  }
  return strides;
}

TensorSpec tensor(cudnnDataType_t type, ConvLayout layout, std::int64_t n, std::int64_t c, std::int64_t h,
                  std::int64_t w) {
  TensorSpec t;
  t.type = type;
  t.dims = {to_int(n, "a tensor's N"), to_int(c, "a tensor's C"), to_int(h, "a tensor's H"), to_int(w, "a tensor's W")};
  // nchw stores N, C, H, W; nhwc stores N, H, W, C (conv_problem.hpp).
  const std::array<int, 4> order = layout == ConvLayout::nchw ? std::array{0, 1, 2, 3} : std::array{0, 2, 3, 1};
  t.strides = dense_strides({n, c, h, w}, order);
  return t;
}

cudnnDataType_t cudnn_type(DataType t, const ConvProblem& p) {
  const auto type = data_type(t);
  if (!type || p.precision == Precision::int8)
    throw std::invalid_argument("plan_conv: cuDNN's convolution API has no " + std::string(to_string(p.precision)) +
                                " configuration (" + p.to_string() + ")");
  return *type;
}

}  // namespace

cudnnMathType_t descriptor_math(Precision precision) {
  return precision == Precision::fp32 ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH;
}

Support conv_supports(const ConvProblem& p, int cc_major, int cc_minor) {
  if (auto why = p.unsupported_reason()) return Support::no(*why);
  const int cc = cc_major * 10 + cc_minor;
  const std::string have = "this device is sm_" + std::to_string(cc);
  switch (p.precision) {
    case Precision::fp32:
    case Precision::fp16:
      break;
    case Precision::tf32:
      if (cc < 80) return Support::no("tf32 tensor cores need compute capability 8.0 or newer; " + have);
      break;
    case Precision::bf16:
      if (cc < 80) return Support::no("bf16 convolutions need compute capability 8.0 or newer; " + have);
      break;
    case Precision::int8:
      return Support::no("cuDNN has no int8 convolution with an int32 output: its int8 configurations write int8 "
                         "or float, and this suite's int8 is s8 x s8 -> s32");
    case Precision::fp8e4m3:
    case Precision::fp8e5m2:
      return Support::no("cuDNN's convolution calls (cudnnConvolutionForward and the backward ones) take no fp8 "
                         "types; cuDNN offers fp8 convolution only through its graph API");
  }
  // cuDNN's tensor descriptors take int dims and strides, and refuse tensors of 2^31 elements or more.
  for (auto [name, count] : {std::pair{"src", p.src_elements()}, {"weights", p.weight_elements()},
                             {"dst", p.dst_elements()}})
    if (count > INT_MAX)
      return Support::no(std::string("cuDNN's tensor descriptors hold fewer than 2^31 elements; ") + name + " has " +
                         std::to_string(count));
  for (std::int64_t v : {p.pad_h, p.pad_w, p.stride_h, p.stride_w, p.dil_h, p.dil_w, p.groups})
    if (v > INT_MAX) return Support::no("a pad, stride, dilation or group count beyond cuDNN's int fields");
  return Support::yes();
}

ConvPlan plan_conv(const ConvProblem& p) {
  const auto& t = p.types();
  const cudnnDataType_t in = cudnn_type(t.input, p), out = cudnn_type(t.output, p);
  // Each direction reads two tensors in the input type and writes the third in the output type.
  const cudnnDataType_t x = p.direction == ConvDirection::bwd_data ? out : in;
  const cudnnDataType_t w = p.direction == ConvDirection::bwd_filter ? out : in;
  const cudnnDataType_t y = p.direction == ConvDirection::fwd ? out : in;

  ConvPlan plan;
  plan.x = tensor(x, p.layout, p.n, p.c, p.h, p.w);
  plan.y = tensor(y, p.layout, p.n, p.k, p.p(), p.q());
  plan.w.type = w;
  plan.w.format = p.layout == ConvLayout::nchw ? CUDNN_TENSOR_NCHW : CUDNN_TENSOR_NHWC;
  plan.w.dims = {to_int(p.k, "K"), to_int(p.c_per_group(), "C/G"), to_int(p.r, "R"), to_int(p.s, "S")};
  plan.conv.pad = {to_int(p.pad_h, "pad_h"), to_int(p.pad_w, "pad_w")};
  plan.conv.stride = {to_int(p.stride_h, "stride_h"), to_int(p.stride_w, "stride_w")};
  plan.conv.dilation = {to_int(p.dil_h, "dil_h"), to_int(p.dil_w, "dil_w")};
  plan.conv.groups = to_int(p.groups, "groups");
  plan.conv.mode = CUDNN_CROSS_CORRELATION;
  plan.conv.compute = cudnn_type(t.compute, p);
  plan.conv.math = descriptor_math(p.precision);
  return plan;
}

bool is_not_supported(cudnnStatus_t status) {
  // cuDNN 9 codes are category·1000 + detail; the category is what says "not supported".
  return static_cast<int>(status) / 1000 * 1000 == static_cast<int>(CUDNN_STATUS_NOT_SUPPORTED);
}

namespace {

void set_tensor(const TensorDescriptor& d, const TensorSpec& t) {
  check(cudnnSetTensor4dDescriptorEx(d.get(), t.type, t.dims[0], t.dims[1], t.dims[2], t.dims[3], t.strides[0],
                                     t.strides[1], t.strides[2], t.strides[3]),
        "cudnnSetTensor4dDescriptorEx");
}

}  // namespace

ConvDescriptors::ConvDescriptors(const ConvPlan& plan) {
  set_tensor(x, plan.x);
  set_tensor(y, plan.y);
  check(cudnnSetFilter4dDescriptor(w.get(), plan.w.type, plan.w.format, plan.w.dims[0], plan.w.dims[1],
                                   plan.w.dims[2], plan.w.dims[3]),
        "cudnnSetFilter4dDescriptor");
  const ConvSpec& c = plan.conv;
  check(cudnnSetConvolution2dDescriptor(conv.get(), c.pad[0], c.pad[1], c.stride[0], c.stride[1], c.dilation[0],
                                        c.dilation[1], c.mode, c.compute),
        "cudnnSetConvolution2dDescriptor");
  check(cudnnSetConvolutionGroupCount(conv.get(), c.groups), "cudnnSetConvolutionGroupCount");
  set_math(conv, c.math);
}

void set_math(const ConvolutionDescriptor& conv, cudnnMathType_t math) {
  check(cudnnSetConvolutionMathType(conv.get(), math), "cudnnSetConvolutionMathType");
}

}  // namespace dlbench::cudnn
