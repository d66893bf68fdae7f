"""The float64 check of one convolution call on sampled output elements, for torch_conv.py: each sampled element
recomputed as a dot product of the operand elements that the definition in kernels/conv/conv_problem.hpp says it
sums (cross-correlation, zero padding, stride, dilation, groups), gathered from the very tensors the call read and
multiplied in float64 on the CPU.

Tensors are indexed logically, N×C×H×W for x, K×C/G×R×S for w and N×K×P×Q for y, whatever their memory format
(PyTorch's channels_last is a stride order, not another shape), so the same gathers check both layouts:
  fwd         y[n,k,p,q]  = Σ_{cg,r,s} x[n, g·C/G + cg, p·u − pad_h + r·d_h, q·v − pad_w + s·d_w] · w[k,cg,r,s]
  bwd_data    dx[n,c,h,w] = Σ_{kg,r,s} dy[n, g·K/G + kg, (h + pad_h − r·d_h)/u, (w + pad_w − s·d_w)/v] · w[g·K/G + kg,
              c − g·C/G, r, s], over the (r, s) for which those divisions are exact and land inside the output
  bwd_filter  dw[k,cg,r,s] = Σ_{n,p,q} x[n, g·C/G + cg, p·u − pad_h + r·d_h, q·v − pad_w + s·d_w] · dy[n,k,p,q]
where g is the group of the output's channel and taps that fall in the padding contribute zero (they are left out).
"""

from __future__ import annotations

import random

from torch_timing import relative_error


def _taps(size, pad, dil, count, stride, out):
    """fwd/bwd_filter taps of one output position `out`: [(filter index, input index)] inside the input."""
    pairs = []
    for f in range(count):
        i = out * stride - pad + f * dil
        if 0 <= i < size:
            pairs.append((f, i))
    return pairs


def _back_taps(pad, dil, count, stride, out_size, pos):
    """bwd_data taps of one input position `pos`: [(filter index, output index)] whose forward window covers it."""
    pairs = []
    for f in range(count):
        num = pos + pad - f * dil
        if num >= 0 and num % stride == 0 and num // stride < out_size:
            pairs.append((f, num // stride))
    return pairs


def gather_plan(problem, index):
    """For the direction's output element at logical `index`, the element lists of its two operands, one list per
    dimension, whose outer products pair up term by term: ((operand, lists), (operand, lists)), operands named
    'x', 'w' or 'dy'."""
    pr = problem
    cg_n, kg_n = pr.c_per_group(), pr.k_per_group()
    if pr.direction == "fwd":
        n, k, p, q = index
        g = k // kg_n
        rows = _taps(pr.h, pr.pad_h, pr.dil_h, pr.r, pr.stride_h, p)
        cols = _taps(pr.w, pr.pad_w, pr.dil_w, pr.s, pr.stride_w, q)
        return (("x", [[n], list(range(g * cg_n, (g + 1) * cg_n)), [i for _, i in rows], [i for _, i in cols]]),
                ("w", [[k], list(range(cg_n)), [f for f, _ in rows], [f for f, _ in cols]]))
    if pr.direction == "bwd_data":
        n, c, h, w = index
        g = c // cg_n
        rows = _back_taps(pr.pad_h, pr.dil_h, pr.r, pr.stride_h, pr.p(), h)
        cols = _back_taps(pr.pad_w, pr.dil_w, pr.s, pr.stride_w, pr.q(), w)
        ks = list(range(g * kg_n, (g + 1) * kg_n))
        return (("dy", [[n], ks, [o for _, o in rows], [o for _, o in cols]]),
                ("w", [ks, [c - g * cg_n], [f for f, _ in rows], [f for f, _ in cols]]))
    k, cg, r, s = index
    c = (k // kg_n) * cg_n + cg
    rows = [(p, i) for p in range(pr.p()) for f, i in _taps(pr.h, pr.pad_h, pr.dil_h, pr.r, pr.stride_h, p) if f == r]
    cols = [(q, i) for q in range(pr.q()) for f, i in _taps(pr.w, pr.pad_w, pr.dil_w, pr.s, pr.stride_w, q) if f == s]
    ns = list(range(pr.n))
    return (("x", [ns, [c], [i for _, i in rows], [i for _, i in cols]]),
            ("dy", [ns, [k], [p for p, _ in rows], [q for q, _ in cols]]))


def output_shape(problem):
    """The logical shape of the direction's output."""
    pr = problem
    return {"fwd": (pr.n, pr.k, pr.p(), pr.q()), "bwd_data": (pr.n, pr.c, pr.h, pr.w),
            "bwd_filter": (pr.k, pr.c_per_group(), pr.r, pr.s)}[pr.direction]


def sample_indices(problem, count, seed):
    """min(count, outputs) logical output indices drawn uniformly (with repeats) from a seeded generator."""
    rng = random.Random(seed)
    shape = output_shape(problem)
    total = problem.output_elements()
    return [tuple(rng.randrange(d) for d in shape) for _ in range(min(count, total))]


def gather(torch, tensor, lists):
    """tensor[lists[0] × lists[1] × lists[2] × lists[3]] flattened in that order, as float64 on the CPU. The
    dimensions with the fewest indices are selected first, so the copies made along the way stay small."""
    if any(not lst for lst in lists):
        return torch.zeros(0, dtype=torch.float64)
    sub = tensor
    for dim in sorted(range(4), key=lambda d: len(lists[d])):
        if len(lists[dim]) != tensor.shape[dim] or lists[dim] != list(range(tensor.shape[dim])):
            sub = sub.index_select(dim, torch.tensor(lists[dim], dtype=torch.int64, device=tensor.device))
    return sub.reshape(-1).cpu().double()


def check(torch, problem, tensors, out, count, seed):
    """Relative L2 error of `out` (the direction's output, logical indexing) against the float64 reference on
    `count` sampled elements; `tensors` maps 'x', 'w', 'dy' to the call's operands. Returns (error, checked)."""
    pairs = []
    picks = sample_indices(problem, count, seed)
    for index in picks:
        (name_a, lists_a), (name_b, lists_b) = gather_plan(problem, index)
        a = gather(torch, tensors[name_a], lists_a)
        b = gather(torch, tensors[name_b], lists_b)
        ref = float(torch.dot(a, b).item()) if a.numel() else 0.0
        pairs.append((float(out[index].double().item()), ref))
    return relative_error(pairs), len(picks)
