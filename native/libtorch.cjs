// Prints build settings for binding.gyp: the system libtorch (Debian libtorch-dev) unless
// LIBTORCH points at another installation (for example a CUDA build of libtorch).
const path = require('path');
const root = process.env.LIBTORCH;
const what = process.argv[2];
if (!root) {
  const out = {
    include: '/usr/include /usr/include/torch/csrc/api/include',
    libdir: '/usr/lib/x86_64-linux-gnu',
    rpath: '',
  };
  process.stdout.write(out[what]);
} else {
  const lib = path.join(root, 'lib');
  const out = {
    include: [path.join(root, 'include'), path.join(root, 'include/torch/csrc/api/include')].join(' '),
    libdir: lib,
    rpath: `-Wl,-rpath,${lib}`,
  };
  process.stdout.write(out[what]);
}
