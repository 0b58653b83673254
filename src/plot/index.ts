// Plots and pictures that work in Node and browsers: Vega-Lite chart specs for training runs (learning
// curves, gradient magnitudes, activations, decision regions, confusion matrices, histograms), their
// SVG rendering (Vega), image grids (PNG via fast-png) and an HTML training report. Files: neurona/node.
export { imageGrid, encodePng, filterGrid, featureMapGrid, reconstructionGrid } from './image.ts';
export type { RgbaImage, ImageGridOptions } from './image.ts';
export { toSvg, toVega } from './render.ts';
export type { PlotSpec } from './render.ts';
export { hconcat, vconcat, palette, pngDataUrl } from './common.ts';
export * from './charts.ts';
export { GradientRecorder } from './gradients.ts';
export type { GradientRecord, GradientRecorderOptions } from './gradients.ts';
export { trainingReport } from './report.ts';
export type { ReportOptions } from './report.ts';
