// Plots and pictures that work in Node and browsers (file output lives in src/node).
export { imageGrid, encodePng } from './image.ts';
export type { RgbaImage, ImageGridOptions } from './image.ts';
