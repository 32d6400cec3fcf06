"""Shared pieces of the PyTorch reference benchmarks (bench/torch_engine.py, bench/torch_wsl.py).

- `resnet(...)`: torchvision's ResNet when it can express the request (standard widths, no
  dilated BasicBlock), otherwise an equivalent ResNet written here with the same layout as
  src/nn/models/resnet.ts (width multiplier, torchvision's replace_stride_with_dilation rule,
  applied to BasicBlock as our TypeScript ResNet does).
- `serve(...)`: the line protocol the TypeScript benchmarks drive, so that our runs and PyTorch's
  interleave step by step while the other process sleeps on a pipe.

Runs under Debian's /usr/bin/python3 (python3-torch 1.13); torchvision is optional.
"""
import json
import sys
import time

import torch
import torch.nn as nn


# ---- ResNet ----------------------------------------------------------------------------------

def _conv3x3(cin, cout, stride=1, dilation=1, groups=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, groups=groups, bias=False)


def _conv1x1(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, first_dilation=1, dilation=1):
        super().__init__()
        self.conv1 = _conv3x3(inplanes, planes, stride, first_dilation)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = _conv3x3(planes, planes, 1, dilation)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity  # in place, as torchvision
        return self.relu(out)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, first_dilation=1, dilation=1):
        super().__init__()
        width = planes
        self.conv1 = _conv1x1(inplanes, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = _conv3x3(width, width, stride, first_dilation)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = _conv1x1(width, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity  # in place, as torchvision
        return self.relu(out)


class ScriptResNet(nn.Module):
    """torchvision's ResNet layout with a width multiplier and dilation for both block types."""

    def __init__(self, block, layers, num_classes=1000, width=1.0, replace_stride_with_dilation=(False, False, False)):
        super().__init__()
        w = lambda c: max(1, round(c * width))
        self.inplanes = w(64)
        self.dilation = 1
        self.conv1 = nn.Conv2d(3, self.inplanes, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, w(64), layers[0], 1, False)
        self.layer2 = self._make_layer(block, w(128), layers[1], 2, replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, w(256), layers[2], 2, replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, w(512), layers[3], 2, replace_stride_with_dilation[2])
        self.out_channels = w(512) * block.expansion
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(self.out_channels, num_classes) if num_classes > 0 else None
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _make_layer(self, block, planes, blocks, stride, dilate):
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(_conv1x1(self.inplanes, planes * block.expansion, stride), nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, previous_dilation, self.dilation)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, dilation=self.dilation, first_dilation=self.dilation))
        return nn.Sequential(*layers)

    def features(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))

    def forward(self, x):
        x = torch.flatten(self.avgpool(self.features(x)), 1)
        return self.fc(x) if self.fc is not None else x


_DEPTHS = {18: (BasicBlock, [2, 2, 2, 2]), 34: (BasicBlock, [3, 4, 6, 3]), 50: (Bottleneck, [3, 4, 6, 3]),
           101: (Bottleneck, [3, 4, 23, 3]), 152: (Bottleneck, [3, 8, 36, 3])}


def _dilation(output_stride):
    return {32: (False, False, False), 16: (False, False, True), 8: (False, True, True)}[output_stride]


def resnet(depth, num_classes=1000, width=1.0, output_stride=32, impl="auto"):
    """Returns (model, source) with source 'torchvision' or 'script'."""
    block, layers = _DEPTHS[depth]
    rswd = _dilation(output_stride)
    tv_ok = width == 1.0 and num_classes > 0 and (block is Bottleneck or output_stride == 32)
    if impl in ("auto", "torchvision") and tv_ok:
        try:
            import torchvision.models as tvm
            fn = getattr(tvm, "resnet%d" % depth)
            return fn(num_classes=num_classes, replace_stride_with_dilation=list(rswd)), "torchvision"
        except ImportError:
            if impl == "torchvision":
                raise
    elif impl == "torchvision":
        raise ValueError("torchvision cannot build this ResNet (width %s, output stride %s)" % (width, output_stride))
    return ScriptResNet(block, layers, num_classes, width, rswd), "script"


# ---- the line protocol -------------------------------------------------------------------------

def serve(job, info):
    """Answers one JSON command per stdin line with one JSON line on stdout.

    Commands: {"cmd": <phase>, "steps": n} -> {"times": [seconds, ...], "value": last result}
    for each phase in `job` (a dict of name -> zero-argument function running one step), and
    {"cmd": "quit"}. The first line written is {"ready": true, ...info}.
    """
    out = sys.stdout
    out.write(json.dumps(dict(ready=True, **info)) + "\n")
    out.flush()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            cmd = json.loads(line)
            name = cmd.get("cmd")
            if name == "quit":
                break
            if name not in job:
                raise ValueError("unknown command %r (known: %s, quit)" % (name, ", ".join(job)))
            times = []
            value = None
            for _ in range(int(cmd.get("steps", 1))):
                t0 = time.perf_counter()
                value = job[name]()
                times.append(time.perf_counter() - t0)
            reply = {"times": times, "value": value}
        except Exception as e:  # report, keep serving: the driver decides
            reply = {"error": "%s: %s" % (type(e).__name__, e)}
        out.write(json.dumps(reply) + "\n")
        out.flush()


def run_standalone(job, info, warmup, steps):
    """Without a driver: warm-up steps, then timed steps of every phase, medians on one JSON line."""
    result = dict(info)
    for name, fn in job.items():
        for _ in range(warmup):
            fn()
        times = []
        for _ in range(steps):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        times.sort()
        result[name + "_s"] = times[len(times) // 2] if len(times) % 2 else 0.5 * (times[len(times) // 2 - 1] + times[len(times) // 2])
    print(json.dumps(result))


def memory_formats(spec):
    """The layouts of a --formats list, as (phase suffix, torch memory format): contiguous -> ('',
    torch.contiguous_format), channelsLast -> ('_cl', torch.channels_last); other names refused."""
    out = []
    for fmt in spec.split(","):
        if fmt not in ("contiguous", "channelsLast"):
            raise SystemExit("--formats: unknown layout %r (contiguous, channelsLast)" % fmt)
        out.append(("_cl", torch.channels_last) if fmt == "channelsLast" else ("", torch.contiguous_format))
    return out


def set_threads(n):
    torch.set_num_threads(n)
    return torch.get_num_threads()
