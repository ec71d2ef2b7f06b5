"""Writes test/nn/fixtures/pytorch-vision.json for test/nn/vision-layers.test.ts.

A small network of every image layer (Conv2d with padding, BatchNorm2d, a strided grouped
Conv2d, MaxPool2d, ConvTranspose2d, AvgPool2d, AdaptiveAvgPool2d with overlapping bins,
bilinear Upsample, Linear) in float64, seed 0. The file holds the initial state dict under
PyTorch's names (num_batches_tracked as a plain number), the input x [2, 3, 8, 8], the
output of one forward pass in training mode, the gradient of that output's sum with
respect to conv1.weight and x, the running statistics after that pass, and the output in
evaluation mode afterwards. Run with /usr/bin/python3 (Debian's python3-torch).
"""
import json
import os

import torch
from torch import nn

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.conv2 = nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2)
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ConvTranspose2d(6, 4, 2, stride=2)
        self.avg = nn.AvgPool2d(2)
        self.adapt = nn.AdaptiveAvgPool2d(3)
        self.resize = nn.Upsample(size=(5, 5), mode="bilinear", align_corners=False)
        self.fc = nn.Linear(4 * 5 * 5, 3)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))  # [2, 4, 8, 8]
        x = torch.relu(self.conv2(x))  # [2, 6, 4, 4]
        x = self.pool(x)  # [2, 6, 2, 2]
        x = self.up(x)  # [2, 4, 4, 4]
        x = self.avg(x)  # [2, 4, 2, 2]
        x = self.adapt(x)  # [2, 4, 3, 3]
        x = self.resize(x)  # [2, 4, 5, 5]
        return self.fc(x.flatten(1))


net = Net()
state = {k: {"shape": list(v.shape), "data": v.flatten().tolist()} for k, v in net.state_dict().items()}
x = torch.randn(2, 3, 8, 8, requires_grad=True)
net.train()
y_train = net(x)
y_train.sum().backward()
net.eval()
with torch.no_grad():
    y_eval = net(x)
out = {
    "state": state,
    "x": x.detach().flatten().tolist(),
    "trainOutput": y_train.detach().flatten().tolist(),
    "conv1WeightGrad": net.conv1.weight.grad.flatten().tolist(),
    "xGrad": x.grad.flatten().tolist(),
    "runningMean": net.bn1.running_mean.tolist(),
    "runningVar": net.bn1.running_var.tolist(),
    "evalOutput": y_eval.flatten().tolist(),
}
path = os.path.join(os.path.dirname(__file__), "fixtures", "pytorch-vision.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
