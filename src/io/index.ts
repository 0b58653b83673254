// neurona/io: the safetensors format and saving/loading module state dicts as bytes (browser-safe; files are in neurona/node).
export * from './safetensors.ts';
export * from './state-dict.ts';
