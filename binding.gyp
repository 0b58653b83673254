{
  "targets": [
    {
      "target_name": "neurona_native",
      "sources": ["native/addon.cc", "native/gemm.cc", "native/pool.cc", "native/elementwise.cc", "native/conv.cc", "native/activations.cc", "native/mlp.cc"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-fopenmp-simd", "-pthread"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "ldflags": ["-pthread"]
    }
  ]
}
