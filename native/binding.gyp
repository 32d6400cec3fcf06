# Built by build.cjs (make native, npm's install hook, first use). New native code goes in its own
# .cc file added to "sources"; a system library it needs goes in "libraries" (libtorch's folder
# comes from libtorch.cjs).
{
  "targets": [
    {
      "target_name": "wildcat_native",
      "sources": ["addon.cc", "distributed.cc", "denseCrf.cc", "opSafety.cc", "parentDeath.cc", "memoryFormat.cc", "blasThreads.cc", "prepackedConv.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node libtorch.cjs include)"
      ],
      "defines": ["USE_C10D_GLOO", "NAPI_EXPERIMENTAL", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++14", "-std=gnu++17"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++14", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "libraries": [
        "-L<!(node libtorch.cjs libdir)",
        "<!(node libtorch.cjs rpath)",
        "-ltorch", "-ltorch_cpu", "-lc10", "-lgloo"
      ]
    }
  ]
}
