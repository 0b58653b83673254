// neurona/metrics: classification metrics and text reports (scikit-learn semantics).
export * from './classification.ts';
export * from './report.ts';
