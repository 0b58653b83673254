// The browser tests' Chromium: Debian's chromium (or NEURONA_CHROMIUM) driven by playwright-core, and
// the core bundled for a page. A test without Chromium here is skipped, saying why (CI installs it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

const executablePath = process.env.NEURONA_CHROMIUM ?? '/usr/bin/chromium';
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Runs `fn` with a headless Chromium, closed after it; skips the test (printing why) where there is none. */
export async function withBrowser(t: { skip(msg: string): void }, fn: (b: Browser) => Promise<void>): Promise<void> {
  if (!existsSync(executablePath)) {
    console.log(`skipped: chromium not found at ${executablePath} (apt-get install chromium)`);
    t.skip(`chromium not found at ${executablePath}`);
    return;
  }
  const browser = await chromium.launch({ executablePath, args });
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

/** src/index.ts bundled for a page: a script that defines the global `neurona`. */
export async function coreBundle(): Promise<string> {
  const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
  const out = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'iife', globalName: 'neurona', write: false, logLevel: 'silent' });
  return out.outputFiles[0]!.text;
}
