#!/usr/bin/python3
"""Write test/fixtures/resnet18_w0.0625.pth: a torchvision ResNet-18 state dict at 1/16 width.

Run with Debian's system interpreter (python3-torch and python3-torchvision live there):

    /usr/bin/python3 scripts/make_resnet_fixture.py

The model is torchvision's own ResNet-18 class (so every key is a real torchvision name) with
each conv / batch-norm / fc layer swapped for one 16x narrower (channels 4/8/16/32, like our
`resnet18({ widthMultiplier: 0.0625 })`), random weights and non-trivial BN running statistics,
10 classes. Next to it, resnet18_w0.0625.json records the eval-mode outputs on a fixed input:
the logits and the globally pooled features, so test/train/backboneWeights.test.ts can check
that our ResNet computes the same function from the file. Tests never run Python.
Deterministic for a given torch version (fixed seed).
"""
import json
import math
import os

import torch
import torch.nn as nn
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures')
WIDTH = 0.0625
CLASSES = 10


def narrow(c):
    return max(1, round(c * WIDTH))


def narrowed_resnet18():
    model = torchvision.models.resnet18(num_classes=CLASSES)
    reference_keys = list(model.state_dict().keys())
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, nn.Conv2d):
                in_ch = child.in_channels if child.in_channels == 3 else narrow(child.in_channels)
                new = nn.Conv2d(in_ch, narrow(child.out_channels), child.kernel_size, child.stride,
                                child.padding, child.dilation, child.groups, child.bias is not None)
            elif isinstance(child, nn.BatchNorm2d):
                new = nn.BatchNorm2d(narrow(child.num_features))
            elif isinstance(child, nn.Linear):
                new = nn.Linear(narrow(child.in_features), CLASSES)
            else:
                continue
            setattr(module, child_name, new)
    assert list(model.state_dict().keys()) == reference_keys, 'torchvision names kept'
    return model


def fixed_input():
    n = 2 * 3 * 40 * 40
    return torch.tensor([math.sin(0.37 * i) + 0.5 * math.cos(0.011 * i) for i in range(n)],
                        dtype=torch.float32).reshape(2, 3, 40, 40)


def main():
    torch.manual_seed(2019)
    model = narrowed_resnet18()
    with torch.no_grad():
        for name, buf in model.named_buffers():
            if name.endswith('running_mean'):
                buf.copy_(0.1 * torch.randn_like(buf))
            elif name.endswith('running_var'):
                buf.copy_(0.5 + torch.rand_like(buf))
            elif name.endswith('num_batches_tracked'):
                buf.fill_(7)
        for name, p in model.named_parameters():
            if name.endswith('bn1.weight') or name.endswith('bn2.weight'):
                p.copy_(0.5 + torch.rand_like(p))
    model.eval()
    x = fixed_input()
    with torch.no_grad():
        f = model.maxpool(model.relu(model.bn1(model.conv1(x))))
        f = model.layer4(model.layer3(model.layer2(model.layer1(f))))
        pooled = f.mean(dim=(2, 3))
        logits = model.fc(pooled)
        assert torch.allclose(logits, model(x), atol=1e-6)
    torch.save(model.state_dict(), os.path.join(OUT, 'resnet18_w0.0625.pth'))
    expected = {
        'description': 'eval-mode outputs of resnet18_w0.0625.pth on input[k] = sin(0.37 k) + 0.5 cos(0.011 k), shape [2, 3, 40, 40] (row-major)',
        'torch': torch.__version__,
        'torchvision': torchvision.__version__,
        'width': WIDTH,
        'classes': CLASSES,
        'inputShape': list(x.shape),
        'pooledFeatures': pooled.flatten().tolist(),
        'logits': logits.flatten().tolist(),
        'keys': list(model.state_dict().keys()),
    }
    with open(os.path.join(OUT, 'resnet18_w0.0625.json'), 'w') as fh:
        json.dump(expected, fh, indent=1)
        fh.write('\n')


if __name__ == '__main__':
    main()
