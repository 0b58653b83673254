// Tests of the classic data sets: UCI Wine (shipped), the WCAG font-colour labels of S2, and parseCsv (RFC 4180).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, Generator, ValueError } from '../src/index.ts';
import {
  WINE_FEATURE_NAMES, contrastRatio, fontColourLabel, loadWine, makeFontColours, parseCsv, relativeLuminance, srgbToLinear,
} from '../src/datasets/index.ts';

test('loadWine: 178 x 13 float32, int32 classes 59/71/48, scikit-learn names, the UCI values', () => {
  const { x, y, featureNames, targetNames } = loadWine();
  assert.deepEqual(x.shape, [178, 13]);
  assert.equal(x.dtype, 'float32');
  assert.deepEqual(y.shape, [178]);
  assert.equal(y.dtype, 'int32');
  const counts = [0, 0, 0];
  for (const c of y.contiguousData()) counts[c]!++;
  assert.deepEqual(counts, [59, 71, 48]);
  assert.equal(featureNames.length, 13);
  assert.equal(featureNames[0], 'alcohol');
  assert.equal(featureNames[12], 'proline');
  assert.deepEqual(featureNames, [...WINE_FEATURE_NAMES]);
  assert.deepEqual(targetNames, ['class_0', 'class_1', 'class_2']);
  // the first and last wines of the UCI file
  const rows = x.toArray() as number[][];
  assert.deepEqual(rows[0]!.map((v) => +v.toFixed(4)), [14.23, 1.71, 2.43, 15.6, 127, 2.8, 3.06, 0.28, 2.29, 5.64, 1.04, 3.92, 1065]);
  assert.deepEqual(rows[177]!.map((v) => +v.toFixed(4)), [14.13, 4.1, 2.74, 24.5, 96, 2.05, 0.76, 0.56, 1.35, 9.2, 0.61, 1.6, 560]);
  // a fresh copy each call
  x.data()[0] = -1;
  assert.equal(loadWine().x.data()[0], Math.fround(14.23));
});

test('WCAG: luminance and contrast by hand; light font when white text out-contrasts black text', () => {
  assert.equal(relativeLuminance(255, 255, 255), 1);
  assert.equal(relativeLuminance(0, 0, 0), 0);
  assert.ok(Math.abs(relativeLuminance(255, 0, 0) - 0.2126) < 1e-12);
  assert.ok(Math.abs(relativeLuminance(0, 0, 255) - 0.0722) < 1e-12);
  assert.ok(Math.abs(srgbToLinear(10) - 10 / 255 / 12.92) < 1e-15); // the linear segment below 0.04045
  assert.equal(contrastRatio(1, 0), 21);
  assert.equal(contrastRatio(0, 1), 21);
  // black: white 21:1 vs black 1:1 -> light; white background -> dark
  assert.equal(fontColourLabel(0, 0, 0), 1);
  assert.equal(fontColourLabel(255, 255, 255), 0);
  // red: L = 0.2126; white 1.05/0.2626 = 4.00, black 0.2626/0.05 = 5.25 -> dark
  assert.equal(fontColourLabel(255, 0, 0), 0);
  // blue: L = 0.0722; white 1.05/0.1222 = 8.59, black 2.44 -> light
  assert.equal(fontColourLabel(0, 0, 255), 1);
  assert.equal(fontColourLabel(0, 255, 0), 0); // green: L = 0.7152
  // greys around the crossover L = 0.179 (√(1.05·0.05) − 0.05): 110 -> L 0.156 light, 118 -> L 0.181 dark
  assert.equal(fontColourLabel(110, 110, 110), 1);
  assert.equal(fontColourLabel(118, 118, 118), 0);
  assert.equal(fontColourLabel(220, 20, 60), 1); // crimson, LIGHT in the notebook's table too
  assert.throws(() => fontColourLabel(256, 0, 0), /channels in \[0, 255\]; got r=256/);
});

test('makeFontColours: 1,345 seeded colours, x = rgb / 255, labels by the WCAG rule', () => {
  const a = makeFontColours({ generator: new Generator(5) });
  const b = makeFontColours({ generator: new Generator(5) });
  assert.deepEqual(a.x.shape, [1345, 3]);
  assert.deepEqual(a.y.shape, [1345]);
  assert.equal(a.y.dtype, 'int32');
  assert.deepEqual(Array.from(a.rgb.contiguousData()), Array.from(b.rgb.contiguousData()));
  const rgb = a.rgb.toArray() as number[][];
  const x = a.x.toArray() as number[][];
  const y = Array.from(a.y.contiguousData());
  rgb.forEach((c, i) => {
    assert.ok(c.every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
    c.forEach((v, j) => assert.ok(Math.abs(x[i]![j]! - v / 255) < 1e-6));
    assert.equal(y[i], fontColourLabel(c[0]!, c[1]!, c[2]!));
  });
  const light = y.filter((v) => v === 1).length;
  assert.ok(light > 350 && light < 600, `light ${light}`); // about 35% of uniform colours need a light font
  assert.deepEqual(makeFontColours({ nSamples: 7, generator: new Generator(1) }).x.shape, [7, 3]);
  assert.throws(() => makeFontColours({ nSamples: 0 }), /nSamples a positive integer; got 0/);
});

test('parseCsv: RFC 4180 quoting — delimiters, doubled quotes and line breaks inside quotes, CRLF, BOM', () => {
  const text = '\ufeffname,score,note\r\n"Smith, J",3.5,"said ""hi"""\r\n"two\nlines",-1e3,\r\nplain,.5,""\r\n';
  const t = parseCsv(text);
  assert.deepEqual(t.columns, ['name', 'score', 'note']);
  assert.deepEqual(t.rows, [['Smith, J', 3.5, 'said "hi"'], ['two\nlines', -1000, ''], ['plain', 0.5, '']]);
  // a column with one non-number stays text; missing values in a numeric column are NaN
  const m = parseCsv('a,b\n1,x\n,2\nNA,3');
  assert.deepEqual(m.rows.map((r) => r[1]), ['x', '2', '3']);
  assert.ok(Number.isNaN(m.rows[1]![0]) && Number.isNaN(m.rows[2]![0]));
  assert.equal(m.rows[0]![0], 1);
  // no header, another delimiter and quote, numbers kept as text, empty lines skipped
  const n = parseCsv("1;'a;b'\n\n2;'c'''\n", { header: false, delimiter: ';', quote: "'", parseNumbers: false });
  assert.deepEqual(n.columns, ['0', '1']);
  assert.deepEqual(n.rows, [['1', 'a;b'], ['2', "c'"]]);
  assert.deepEqual(parseCsv(''), { columns: [], rows: [] });
  assert.deepEqual(parseCsv('a,b\n1,2').rows, [[1, 2]]); // no final line break
  assert.deepEqual(parseCsv('x\n""\n').rows, [['']]); // an empty quoted field is a record
});

test('parseCsv: clear errors for an unclosed quote, text after a closing quote, ragged rows, bad options', () => {
  assert.throws(() => parseCsv('a,b\n"x,1\n2,3'), (e: Error) => e instanceof DataError && /a closing " for the quoted field opened on line 2; got the end of the text/.test(e.message));
  assert.throws(() => parseCsv('a,b\n"x"y,1'), /the delimiter or a line end after a closing " \(line 2\); got 'y'/);
  assert.throws(() => parseCsv('a,b\n1,2\n3,4,5'), /records of 2 fields \(as the header\); got 3 on line 3. Quote fields that contain the delimiter/);
  assert.throws(() => parseCsv('a', { delimiter: ';;' }), (e: Error) => e instanceof ValueError && /delimiter a single character/.test(e.message));
  assert.throws(() => parseCsv('a', { delimiter: '"' }), /different delimiter and quote characters/);
});
