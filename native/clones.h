// Per-ISA clones of vectorisable loops: GCC builds AVX-512, AVX2 and baseline versions of a function
// marked NEURONA_CLONES and picks one when the addon loads.
#pragma once
#if defined(__x86_64__) && defined(__GNUC__)
#define NEURONA_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define NEURONA_CLONES
#endif
