"""Reference values for test/nn/recurrent.test.ts, from PyTorch's nn.RNN, nn.LSTM and nn.GRU.

Every parameter, in state-dict order, is filled with 0.5·sin(0.7·k + p) (k the flat index
inside the parameter, p its position in the state dict); the input x [2, 3, 2] is
sin(0.3·k + 1), and the initial states are 0.25·cos(0.5·k + s) (s = 0 for h0, 1 for c0).
Two layers, input size 2, hidden size 3, batch first, float64. Run with /usr/bin/python3
(Debian's python3-torch); prints the numbers the test holds.
"""
import math

import torch


def fill(shape, fn):
    n = math.prod(shape)
    return torch.tensor([fn(k) for k in range(n)], dtype=torch.float64).reshape(shape)


def run(module, with_c):
    for p, (name, param) in enumerate(module.state_dict().items()):
        param.copy_(fill(param.shape, lambda k, p=p: 0.5 * math.sin(0.7 * k + p)))
    x = fill([2, 3, 2], lambda k: math.sin(0.3 * k + 1))
    h0 = fill([2, 2, 3], lambda k: 0.25 * math.cos(0.5 * k))
    c0 = fill([2, 2, 3], lambda k: 0.25 * math.cos(0.5 * k + 1))
    with torch.no_grad():
        output, state = module(x, (h0, c0) if with_c else h0)
    print(type(module).__name__)
    print("  output", [round(v, 10) for v in output.flatten().tolist()])
    if with_c:
        print("  h", [round(v, 10) for v in state[0].flatten().tolist()])
        print("  c", [round(v, 10) for v in state[1].flatten().tolist()])
    else:
        print("  h", [round(v, 10) for v in state.flatten().tolist()])


torch.set_default_dtype(torch.float64)
run(torch.nn.RNN(2, 3, num_layers=2, batch_first=True), False)
run(torch.nn.LSTM(2, 3, num_layers=2, batch_first=True), True)
run(torch.nn.GRU(2, 3, num_layers=2, batch_first=True), False)
