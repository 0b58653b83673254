// The HTML training report in a real browser: Debian's headless Chromium (driven by playwright-core)
// opens the file offline, the page shows its charts (inline SVGs with a real size), and a screenshot
// of it is not blank. Skipped, with the reason printed, where /usr/bin/chromium is missing
// (`apt-get install chromium`; CI installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decode } from 'fast-png';
import { build } from 'esbuild';
import { manualSeed, rand } from '../src/index.ts';
import * as nn from '../src/nn/index.ts';
import { History } from '../src/model/index.ts';
import { activationPlot } from '../src/plot/index.ts';
import { writeReport } from '../src/node/index.ts';
import { withBrowser } from './chromium.ts';

test('the HTML report opens offline in headless Chromium and shows its charts', (t) => withBrowser(t, async (browser) => {
  manualSeed(0);
  const h = new History();
  for (let e = 0; e < 8; e++) h.onEpochEnd(e, { loss: 1 / (e + 1), accuracy: 1 - 0.5 / (e + 1), val_loss: 1.2 / (e + 1), val_accuracy: 0.9 - 0.5 / (e + 1) });
  const yTrue = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1];
  const yPred = [0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 0, 7];
  const path = resolve('out/test-plots/report-browser.html');
  await writeReport(path, {
    title: 'browser test report',
    model: new nn.Sequential(new nn.Linear(784, 32), new nn.ReLU(), new nn.Linear(32, 10)),
    hyperparameters: { optimizer: 'adam', lr: 0.001 },
    history: h,
    yTrue,
    yPred,
    samples: { images: rand([12, 28, 28]), yTrue, yPred },
    charts: [{ title: 'activations', spec: activationPlot(['relu', 'tanh']) }],
  });

  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
    const charts = await page.$$eval('figure.chart > svg', (els) => els.map((e) => {
      const b = e.getBoundingClientRect();
      return { w: b.width, h: b.height, marks: e.querySelectorAll('path, text, image').length };
    }));
    assert.equal(charts.length, 4, 'learning curves, confusion matrix, sample predictions, activations');
    for (const c of charts) {
      assert.ok(c.w > 100 && c.h > 80, `chart of ${c.w}x${c.h}`);
      assert.ok(c.marks > 10, `chart with ${c.marks} marks`);
    }
    assert.deepEqual(requests, [], 'the page loads nothing from the network');
    assert.equal(await page.title(), 'browser test report');
    assert.match(await page.innerText('body'), /Per-class metrics[\s\S]*macro avg/);
    const shot = decode(await page.screenshot({ fullPage: true, path: 'out/test-plots/report-browser.png' }));
    let ink = 0;
    const colours = new Set<number>();
    const ch = shot.channels;
    for (let i = 0; i < shot.width * shot.height; i++) {
      const [r, g, b] = [shot.data[i * ch]!, shot.data[i * ch + 1]!, shot.data[i * ch + 2]!];
      if (r < 240 || g < 240 || b < 240) ink++;
      colours.add((r << 16) | (g << 8) | b);
    }
    assert.ok(shot.height > 1500, `a full page of ${shot.width}x${shot.height}`);
    assert.ok(ink / (shot.width * shot.height) > 0.03, `ink share ${ink / (shot.width * shot.height)}`);
    assert.ok(colours.size > 50, `${colours.size} colours`);
  }
}));

test('in the browser, the bundled neurona/plot renders charts and a whole report (same code as in Node)', (t) => withBrowser(t, async (browser) => {
  const entry = resolve('src/plot/index.ts');
  const out = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'iife', globalName: 'neuronaPlot', write: false, logLevel: 'silent' });
  const code = out.outputFiles[0]!.text;
  assert.doesNotMatch(code, /require\(["'](node:)?(fs|path|os|worker_threads|child_process)["']\)/);
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><body><div id="chart"></div><div id="report"></div></body></html>');
  await page.addScriptTag({ content: code });
  const r = await page.evaluate(async () => {
    interface El { innerHTML: string; querySelector(s: string): { getBoundingClientRect(): { width: number; height: number } } | null; querySelectorAll(s: string): { length: number } }
    const g = globalThis as unknown as { neuronaPlot: typeof import('../src/plot/index.ts'); document: { getElementById(id: string): El | null } };
    const P = g.neuronaPlot;
    const el = g.document.getElementById('chart')!;
    el.innerHTML = await P.toSvg(P.activationPlot(['sigmoid', 'relu']));
    const html = await P.trainingReport({ history: { loss: [1, 0.5, 0.3], val_loss: [1.1, 0.7, 0.5] }, yTrue: [0, 1, 1, 0], yPred: [0, 1, 0, 0] });
    const b = el.querySelector('svg')!.getBoundingClientRect();
    return { w: b.width, h: b.height, paths: el.querySelectorAll('path').length, reportSvgs: (html.match(/<svg/g) ?? []).length };
  });
  assert.ok(r.w > 300 && r.h > 150, `chart of ${r.w}x${r.h}`);
  assert.ok(r.paths > 10, `${r.paths} paths`);
  assert.equal(r.reportSvgs, 2);
}));
