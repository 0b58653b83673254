// Codes shared by the compiled kernels (kept apart from backend.ts, which imports the backends).

/** The activation codes of the native addon (native/activations.h) and of the WASM kernels (wasm/kernels.ts unary). */
export const UNARY_CODES: Readonly<Record<string, number>> = { relu: 0, sigmoid: 1, tanh: 2, exp: 3 };
