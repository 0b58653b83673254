// Lint: typescript-eslint's recommended rules, plus the layering of ARCHITECTURE.md checked
// mechanically (each layer of src/ may import only the layers below it; type-only imports of the
// Tensor class from ops/ are allowed because they vanish at run time).
import tseslint from 'typescript-eslint';

const layers = {
  core: [],
  backend: ['core'],
  ops: ['core', 'backend'],
  tensor: ['core', 'backend', 'ops'],
  nn: ['core', 'backend', 'ops', 'tensor'],
  optim: ['core', 'backend', 'tensor', 'nn'],
  data: ['core', 'tensor'],
  metrics: ['core', 'tensor', 'data'],
  datasets: ['core', 'tensor', 'data'],
  io: ['core', 'tensor', 'nn', 'optim'],
  model: ['core', 'tensor', 'nn', 'optim', 'data', 'metrics', 'io'],
  classic: ['core', 'backend', 'tensor', 'nn', 'optim', 'data', 'metrics', 'model'],
  plot: ['core', 'tensor', 'nn', 'data', 'metrics', 'model'],
  tune: ['core', 'tensor', 'nn', 'optim', 'data', 'metrics', 'io', 'model'],
  node: ['core', 'tensor', 'nn', 'optim', 'data', 'datasets', 'metrics', 'io', 'model', 'classic', 'plot', 'tune'],
};
const all = Object.keys(layers);
const layerRules = Object.entries(layers).map(([layer, allowed]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          ...all
            .filter((l) => l !== layer && !allowed.includes(l))
            .map((l) => ({
              group: [`../${l}/*`, `../../${l}/*`, `../${l}`, `../../${l}`],
              message: `src/${layer} may not import src/${l} (see ARCHITECTURE.md)`,
              allowTypeImports: layer === 'ops' && l === 'tensor',
            })),
          { group: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'child_process'], message: 'the core runs in browsers: Node built-ins live in src/node or apps/' },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'wasm/**', 'build/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  ...layerRules,
  {
    files: ['src/node/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
);
