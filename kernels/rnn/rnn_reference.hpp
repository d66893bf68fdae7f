// Float64 reference of an RNN pass (the cells, layers, directions and layouts of rnn_problem.hpp) over a subset of
// the batch, and the check of a backend's outputs against it.
//
// Batch entries are independent in every pass: an entry's outputs depend on its own inputs and the weights only,
// and the weight gradient is a sum over entries. So the reference runs on a few entries of a large problem, and
// for training_bwd the harness zeroes the output gradients of every other entry (RnnData::keep_output_gradients_of)
// before the verified call, so that dweights is the sum over the checked entries alone and dx, dhx, dcx must be
// exactly zero on the others.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/output_check.hpp"
#include "rnn/rnn_data.hpp"

namespace dlbench {

// Multiply-adds of the float64 reference up to which every batch entry is checked: the forward pass of the
// largest smoke row, its backward pass about three times that; 2^26 keeps a full check under a second or so on two
// cores.
inline constexpr double kRnnFullCheckMacs = 1 << 26;

// The batch entries check_rnn() covers: every entry when the reference of the whole batch costs at most
// `full_limit_macs`, otherwise as many entries as fit in that budget (at least one, at most `max_entries`), picked
// at random with `seed`, in increasing order.
std::vector<std::int64_t> rnn_check_entries(const RnnProblem& p, std::uint64_t seed,
                                            double full_limit_macs = kRnnFullCheckMacs, std::int64_t max_entries = 4);

// The outputs of the pass on the given batch entries, in float64, in the canonical layouts but with the batch
// dimension reduced to the entries given (in their order); dweights is the sum over those entries. An entry
// outside the batch is a programming error (std::out_of_range).
struct RnnReference {
  std::vector<double> y, hy, cy;              // every pass (training_bwd computes them on the way)
  std::vector<double> dx, dhx, dcx, dweights;  // training_bwd
};
RnnReference rnn_reference(const RnnProblem& p, const RnnInputs& in, std::span<const std::int64_t> batch_entries);

// Compares the pass's outputs with the reference on `batch_entries` (and, for training_bwd, checks that the
// gradients of every other entry are zero: a non-zero or NaN one makes the error +inf). The error is the largest of
// the outputs' relative L2 errors, so a small tensor (hy) is not drowned by a large one (y); `full` is whether the
// entries are the whole batch. The tolerance is the precision's times √L, plus for the ReLU cell's backward pass an
// allowance for its kink measured on the problem (why and how much: rnn_reference.cpp).
OutputCheck check_rnn(const RnnProblem& p, const RnnInputs& in, const RnnOutputs& out,
                      std::span<const std::int64_t> batch_entries);

}  // namespace dlbench
