#!/usr/bin/python3
"""Regenerate the weight-file fixtures in test/fixtures/ used by test/io/.

Run with Debian's system interpreter (python3-torch lives there, not in the
python3 first on PATH):

    /usr/bin/python3 scripts/make_pth_fixtures.py

The tests never run Python: they read the files written here and compare
them with test/fixtures/expected_weights.json, which records for every
tensor its name, dtype, shape, flat values and exact contiguous bytes (hex).
Output is deterministic for a given torch version (fixed seed).
"""
import argparse
import collections
import json
import os
import pickle
import struct
import zipfile

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures')

DTYPE_NAMES = {
    torch.float32: 'float32', torch.float64: 'float64', torch.float16: 'float16',
    torch.bfloat16: 'bfloat16', torch.int64: 'int64', torch.int32: 'int32',
    torch.int16: 'int16', torch.int8: 'int8', torch.uint8: 'uint8', torch.bool: 'bool',
}
SAFETENSORS_CODES = {
    torch.float32: 'F32', torch.float64: 'F64', torch.float16: 'F16', torch.bfloat16: 'BF16',
    torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8',
    torch.uint8: 'U8', torch.bool: 'BOOL',
}


def raw_bytes(t):
    """Contiguous little-endian bytes of t, row-major (what RawTensor.data holds)."""
    flat = t.detach().contiguous().reshape(-1)
    if flat.numel() == 0:
        return b''
    return bytes(flat.view(torch.uint8).tolist())


def describe(name, t):
    t = t.detach()
    if t.dtype == torch.bool:
        values = [int(v) for v in t.reshape(-1).tolist()]
    elif t.dtype in (torch.float16, torch.bfloat16):
        values = t.float().reshape(-1).tolist()
    else:
        values = t.reshape(-1).tolist()
    return {'name': name, 'dtype': DTYPE_NAMES[t.dtype], 'shape': list(t.shape),
            'values': values, 'hex': raw_bytes(t).hex()}


def flatten(prefix, d, out):
    for k, v in d.items():
        key = f'{prefix}{k}'
        if isinstance(v, torch.Tensor):
            out.append(describe(key, v))
        elif isinstance(v, dict):
            flatten(key + '.', v, out)
    return out


def save(obj, name, **kwargs):
    path = os.path.join(OUT, name)
    torch.save(obj, path, **kwargs)
    return path


def tiny_model():
    model = nn.Sequential(collections.OrderedDict([
        ('conv', nn.Conv2d(3, 4, 3, padding=1, bias=False)),
        ('bn', nn.BatchNorm2d(4)),
        ('relu', nn.ReLU()),
        ('pool', nn.AdaptiveAvgPool2d(1)),
        ('flat', nn.Flatten()),
        ('head', nn.Linear(4, 3)),
    ]))
    model.train()
    with torch.no_grad():
        for _ in range(3):  # non-trivial running stats, num_batches_tracked = 3
            model(torch.randn(2, 3, 5, 5))
    return model


def write_safetensors(path, tensors, metadata):
    """Hand-rolled safetensors writer (the `safetensors` package is not needed).

    Tensors are laid out sorted by name, as a different order from insertion,
    so the reader's ordering (by data offset) is exercised.
    """
    header = {}
    if metadata:
        header['__metadata__'] = metadata
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        data = raw_bytes(t)
        header[name] = {'dtype': SAFETENSORS_CODES[t.dtype], 'shape': list(t.shape),
                        'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    return [describe(name, tensors[name]) for name in sorted(tensors)]


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    expected = {'torch_version': torch.__version__}

    # 1. A bare state_dict (OrderedDict with a _metadata attribute) of conv+bn+linear.
    model = tiny_model()
    sd = model.state_dict()
    save(sd, 'conv_bn_linear.pth')
    expected['conv_bn_linear.pth'] = {'tensors': flatten('', sd, [])}

    # 2. A training checkpoint: views sharing one storage, every dtype, nested dicts,
    #    a Parameter, and non-tensor entries (optimizer state with int keys, numbers, strings).
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 0.5 - 3.0
    f16 = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6.0e-8, 1.0e-5, 0.333], dtype=torch.float16)
    bf16 = torch.tensor([0.0, 1.0, -3.140625, 1.0e30, -1.0e-30, 0.1], dtype=torch.bfloat16)
    i64 = torch.tensor([[0, -1], [2**40, -(2**40)]], dtype=torch.int64)
    state = collections.OrderedDict()
    state['base'] = base
    state['transposed'] = base.t()                       # stride (1, 6), shared storage
    state['strided_slice'] = base[1:, ::2]               # offset 6, stride (6, 2)
    state['row'] = base[2]                               # offset 12, contiguous
    state['expanded'] = torch.tensor([1.0, 2.0, 3.0]).expand(2, 3)   # stride (0, 1)
    state['f64'] = torch.linspace(-1, 1, 5, dtype=torch.float64)
    state['i32'] = torch.tensor([[1, -2, 3], [2**31 - 1, -(2**31), 0]], dtype=torch.int32)
    state['i64'] = i64
    state['i64_transposed'] = i64.t()
    state['i16'] = torch.tensor([-32768, 32767, 5], dtype=torch.int16)
    state['i8'] = torch.tensor([-128, 127, -1], dtype=torch.int8)
    state['u8'] = torch.tensor([0, 255, 17], dtype=torch.uint8)
    state['mask'] = torch.tensor([[True, False], [False, True]])
    state['f16'] = f16
    state['bf16'] = bf16
    state['scalar'] = torch.tensor(3.5)
    state['empty'] = torch.zeros(0, 3)
    state['nested'] = {'inner': {'w': torch.randn(2, 2)}, 'b': torch.randn(2)}
    state['param'] = nn.Parameter(torch.randn(3))
    lin = nn.Linear(2, 2)
    opt = torch.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
    lin(torch.randn(4, 2)).sum().backward()
    opt.step()
    ckpt = {'epoch': 7, 'arch': 'tiny', 'best_score': 0.875, 'big_int': 2**70,
            'flags': [True, False, None], 'state_dict': state, 'optimizer': opt.state_dict()}
    save(ckpt, 'views_dtypes_checkpoint.pth')
    expected['views_dtypes_checkpoint.pth'] = {
        'tensors': flatten('', state, []),
        'skipped': [],
        'storage_note': 'base, transposed, strided_slice and row share one storage',
    }

    # 3. A checkpoint whose weights sit under 'model' next to non-tensor entries.
    small = collections.OrderedDict([('fc.weight', torch.randn(2, 3)), ('fc.bias', torch.randn(2))])
    save({'model': small, 'epoch': 2, 'lr': 0.01}, 'model_key_checkpoint.pth')
    expected['model_key_checkpoint.pth'] = {'tensors': flatten('', small, [])}

    # 3a. Weights next to an arbitrary Python object (argparse.Namespace, as many training scripts store).
    save({'state_dict': small, 'args': argparse.Namespace(lr=0.1, arch='tiny')}, 'namespace_checkpoint.pth')
    expected['namespace_checkpoint.pth'] = {'tensors': flatten('', small, [])}

    # 3b. The bare state_dict again, pickled with protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL, ...).
    save(sd, 'conv_bn_linear_proto4.pth', pickle_protocol=4)
    expected['conv_bn_linear_proto4.pth'] = expected['conv_bn_linear.pth']

    # 4. The legacy (pre-1.6) non-zip format: must be refused with a re-save hint.
    save(small, 'legacy_format.pth', _use_new_zipfile_serialization=False)

    # 5. A whole pickled module (torch.save(model)): must be refused with a hint.
    save(nn.Sequential(nn.Linear(2, 2)), 'whole_module.pth')

    # 6. A TorchScript archive: a zip, but not a state_dict.
    torch.jit.script(nn.Sequential(nn.Linear(2, 2))).save(os.path.join(OUT, 'torchscript.pt'))

    # 7. A safetensors file written by the hand-rolled writer above.
    st = collections.OrderedDict()
    st['conv.weight'] = torch.randn(2, 1, 3, 3)
    st['bn.num_batches_tracked'] = torch.tensor(5, dtype=torch.int64)
    st['f64'] = torch.linspace(0, 1, 3, dtype=torch.float64)
    st['f16'] = f16
    st['bf16'] = bf16
    st['i32'] = torch.tensor([7, -7], dtype=torch.int32)
    st['i16'] = torch.tensor([-3], dtype=torch.int16)
    st['i8'] = torch.tensor([-8, 8], dtype=torch.int8)
    st['u8'] = torch.tensor([[1, 2], [3, 4]], dtype=torch.uint8)
    st['flags'] = torch.tensor([True, False, True])
    st['empty'] = torch.zeros(2, 0)
    st['scalar'] = torch.tensor(-1.25)
    metadata = {'format': 'pt', 'producer': 'scripts/make_pth_fixtures.py'}
    described = write_safetensors(os.path.join(OUT, 'python_written.safetensors'), st, metadata)
    expected['python_written.safetensors'] = {'tensors': described, 'metadata': metadata}

    # 8. A plain zip with deflated, stored and ZIP64-extra entries for the zip reader.
    zpath = os.path.join(OUT, 'mixed_methods.zip')
    payload = ('wildcat ' * 200).encode()
    with zipfile.ZipFile(zpath, 'w') as z:
        z.writestr(zipfile.ZipInfo('dir/stored.txt'), b'stored bytes\n', compress_type=zipfile.ZIP_STORED)
        z.writestr('dir/deflated.txt', payload, compress_type=zipfile.ZIP_DEFLATED)
        with z.open(zipfile.ZipInfo('dir/zip64.bin'), 'w', force_zip64=True) as f:
            f.write(bytes(range(256)))
        z.writestr('empty.txt', b'', compress_type=zipfile.ZIP_DEFLATED)
    expected['mixed_methods.zip'] = {'entries': {
        'dir/stored.txt': b'stored bytes\n'.hex(),
        'dir/deflated.txt': payload.hex(),
        'dir/zip64.bin': bytes(range(256)).hex(),
        'empty.txt': '',
    }}

    # 9. One plain object pickled with every protocol, for the unpickler's opcode coverage.
    #    test/io/pickle.test.ts spells out the same object.
    shared = [7, 8]
    obj = {
        'int1': 1, 'int2': 300, 'int4': 70000, 'neg': -5, 'big': 2**70, 'negbig': -(2**100),
        'float': 1.5, 'negfloat': -2.25e-300, 'str': 'h\u00e9llo \u2713\nline\\', 'long_str': 'x' * 300,
        'bytes': b'\x00\xffab', 'bytearray': bytearray(b'\x01\x02'),
        'list': [1, 2, [3]], 'tuple0': (), 'tuple1': (1,), 'tuple2': (1, 'x'), 'tuple3': (1, 2, 3),
        'tuple5': (1, 2, 3, 4, 5), 'none': None, 'bools': [True, False],
        'od': collections.OrderedDict([('b', 1), ('a', 2)]), 'set': {1, 2}, 'frozenset': frozenset({3}),
        'shared_a': shared, 'shared_b': shared, 'int_keys': {1: 'one', 2: 'two'},
        # > 256 memoised strings, the last referenced twice: LONG_BINPUT / LONG_BINGET.
        'memo': [f'm{i}' for i in range(260)],
    }
    obj['memo_again'] = obj['memo'][-1]
    expected_pickles = {str(p): pickle.dumps(obj, protocol=p).hex() for p in range(0, 6)}
    with open(os.path.join(OUT, 'pickles.json'), 'w') as f:
        json.dump(expected_pickles, f, indent=1)
        f.write('\n')

    with open(os.path.join(OUT, 'expected_weights.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')
    for name in sorted(os.listdir(OUT)):
        print(f'{os.path.getsize(os.path.join(OUT, name)):8d}  test/fixtures/{name}')


if __name__ == '__main__':
    main()
