"""The float64 check of an RNN forward pass on one sampled batch entry, for torch_rnn.py: the canonical cell
equations of kernels/rnn/rnn_problem.hpp, written out step by step, run on that entry's input and initial states
with the layer's weights converted to float64. Batch entries never interact, so one entry's outputs (its slice of
y, hy and cy) follow from its own inputs and the weights alone.

  vanilla  h' = act(W·x + b_W + R·h + b_R), act = relu or tanh
  lstm     gates i, f, g, o: c' = σ(f)∘c + σ(i)∘tanh(g), h' = σ(o)∘tanh(c')
  gru      gates r, z, n: r = σ(W_r·x + b_Wr + R_r·h + b_Rr), z likewise,
           n = tanh(W_n·x + b_Wn + r∘(R_n·h + b_Rn)), h' = (1 − z)∘n + z∘h
Layer l > 0 reads the previous layer's output (T × D·H); the backward direction runs the sequence in reverse and
its outputs follow the forward direction's in each row of y. States are indexed layer·D + direction, as in PyTorch.
"""

from __future__ import annotations


def cell_step(torch, cell, gi, gh, h, c):
    """One step of `cell` from the input projection gi = W·x + b_W and the recurrent one gh = R·h + b_R (each G·H
    long, gates in the order above). Returns (h', c'), c' None for the cells without a cell state."""
    n = h.shape[0]
    if cell == "lstm":
        z = gi + gh
        i, f, g, o = (z[k * n:(k + 1) * n] for k in range(4))
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c
    if cell == "gru":
        r = torch.sigmoid(gi[:n] + gh[:n])
        z = torch.sigmoid(gi[n:2 * n] + gh[n:2 * n])
        cand = torch.tanh(gi[2 * n:] + r * gh[2 * n:])
        return (1 - z) * cand + z * h, None
    a = gi + gh
    return (torch.relu(a) if cell == "rnn_relu" else torch.tanh(a)), None


def forward(torch, problem, x, h0, c0, weights):
    """The stack's forward pass for one batch entry, in the dtype of its inputs (float64 for the check).
    x: T × I; h0, c0: L·D × H (c0 None unless LSTM); weights[(layer, direction)] = (W, R, b_W, b_R).
    Returns (y: T × D·H, hy: L·D × H, cy or None)."""
    steps, dirs = problem.steps, problem.directions()
    inp = x
    hy, cy = [], []
    for layer in range(problem.layers):
        outs = []
        for d in range(dirs):
            w, r, b_w, b_r = weights[(layer, d)]
            h = h0[layer * dirs + d]
            c = c0[layer * dirs + d] if c0 is not None else None
            pre = inp @ w.t()  # every step's input projection at once: T × G·H
            ys = [None] * steps
            for t in (range(steps) if d == 0 else range(steps - 1, -1, -1)):
                h, c = cell_step(torch, problem.cell, pre[t] + b_w, r @ h + b_r, h, c)
                ys[t] = h
            outs.append(torch.stack(ys))
            hy.append(h)
            cy.append(c)
        inp = torch.cat(outs, dim=1) if dirs > 1 else outs[0]
    return inp, torch.stack(hy), (torch.stack(cy) if problem.cell == "lstm" else None)


def module_weights(module, problem, convert):
    """{(layer, direction): (W, R, b_W, b_R)} from a torch.nn RNN module's parameters (weight_ih_l<k>[_reverse],
    weight_hh_..., bias_ih_..., bias_hh_...), each passed through `convert` (to float64)."""
    out = {}
    for layer in range(problem.layers):
        for d in range(problem.directions()):
            suffix = f"l{layer}" + ("_reverse" if d else "")
            out[(layer, d)] = tuple(convert(getattr(module, f"{kind}_{suffix}"))
                                    for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    return out
