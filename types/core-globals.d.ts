// The few globals the core uses that both browsers and Node provide (the core is type-checked
// without DOM or Node types, so that Node built-ins cannot slip in).
declare const console: {
  log(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
};
declare const performance: { now(): number };
declare function btoa(data: string): string;
declare class URL {
  constructor(url: string, base?: string);
  readonly pathname: string;
  readonly href: string;
}
interface ImportMeta {
  readonly url: string;
}
declare function setTimeout(handler: () => void, timeout?: number): unknown;
declare function clearTimeout(id: unknown): void;
