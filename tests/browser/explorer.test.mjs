// explorer.test.mjs: the explorer page (report/index.html) in a real browser.
//
// Opens the page from the file system (file:// URL) in headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core; nothing is
// downloaded), steps through every column of the read-disk and read traces
// (next until the end, then previous once, then the arrow keys), and checks
// what the page shows against the files the CLI writes:
//   - results/default/results.json (the run; read here, not from the page)
//   - `build/osarch trace --arch A --machine M --format json W` (run here)
// Also: the current step is highlighted in every column at once, trapped
// steps carry a text label, the tables equal results.json, every plots/*.svg
// is inlined, the page makes no network request, focus is visible, and at
// 390 px the columns stack without sideways scrolling of the page.
// Screenshots go to ${CI_LOG_DIR:-build}/explorer.png (the step lists at
// 1280x800), explorer-page.png (the top of the page as a laptop shows it)
// and explorer-narrow.png (390x844).
// The edit view (#try, issue 22; needs `make wasm`, else its checks fail):
// `placement: fs: kernel` typed into mach-multiserver's YAML, Run, and the
// totals shown equal `build/osarch trace` of the same YAML from a file; the
// shipped column equals the shipped architecture's trace; a YAML error shows
// the CLI's line and column and marks that line in the editor; the share
// link restores the edit; lab 3 checks and downloads its answer file; a copy
// of the page without the module still works and says so. Screenshots
// try-1280.png (1280x800), try-error.png (the editor with the error) and
// try-390.png (390x844); the time from Run to the
// redrawn trace is printed.
//
// Ends with one line "N passed, N failed"; exit 1 on any failure.
// Environment: CHROMIUM (default /usr/bin/chromium), OSARCH (build/osarch),
// EXPLORER_PAGE (report/index.html), RESULTS (results/default/results.json),
// CI_LOG_DIR (build), all relative to the repository root.

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const t0 = Date.now();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const at = (p) => path.resolve(root, p);
const pageFile = at(process.env.EXPLORER_PAGE || 'report/index.html');
const resultsFile = at(process.env.RESULTS || 'results/default/results.json');
const osarch = at(process.env.OSARCH || 'build/osarch');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const outDir = at(process.env.CI_LOG_DIR || 'build');

let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) passed++;
  else { failed++; console.log(`FAIL: ${name}${detail !== undefined ? ': ' + detail : ''}`); }
  return ok;
}
function finish(code) {
  console.log(`explorer.test: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code ?? (failed ? 1 : 0));
}
const num = (s) => (s == null ? NaN : Number(String(s).replace(/,/g, '').trim()));
const same = (a, b) => Math.abs(a - b) < 1e-9;

for (const [what, f] of [['page', pageFile], ['results', resultsFile], ['osarch', osarch], ['chromium', chromiumPath]]) {
  if (!check(`${what} exists`, existsSync(f), f)) finish(1);
}

// ---- expected values, from the files ----
const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
const archs = [...new Set(results.points.map((p) => p.arch))];
const machine = results.points[0].machine;
const pointOf = (a, w) => results.points.find((p) => p.arch === a && p.workload === w && p.machine === machine);
const WORKLOADS = ['read-disk', 'read'];
const traces = {};
for (const w of WORKLOADS) {
  traces[w] = {};
  for (const a of archs) {
    traces[w][a] = JSON.parse(execFileSync(osarch, ['trace', '--arch', a, '--machine', machine, '--format', 'json', w],
      { cwd: root, encoding: 'utf8' }));
  }
}
const html = readFileSync(pageFile, 'utf8');
const svgFiles = readdirSync(at('plots')).filter((f) => f.endsWith('.svg'));

check('page source names no network address', !/\b(?:https?|ftp):\/\//i.test(html),
  (html.match(/\b(?:https?|ftp):\/\/[^\s"'<>]*/i) || [])[0]);
check('results.json embedded verbatim', html.includes(readFileSync(resultsFile, 'utf8').replace(/<\//g, '<\\/').trim()));

// ---- the browser ----
const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'osarch-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    chromiumSandbox: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 800 },
    reducedMotion: 'reduce',
  });
} catch (e) {
  check('chromium starts', false, e.message.split('\n')[0]);
  rmSync(userDataDir, { recursive: true, force: true });
  finish(1);
}

const external = [], errors = [];
context.on('request', (r) => { if (!/^(file|data|blob|about):/.test(r.url())) external.push(r.url()); });
const page = context.pages()[0] || (await context.newPage());
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

try {
  await page.goto(pathToFileURL(pageFile).href);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 10000 });
  check('title', /osarch explorer/.test(await page.title()), await page.title());

  // What the page shows, read in one go.
  const shown = () => page.evaluate(() => {
    const txt = (e) => (e ? e.textContent : null);
    return {
      pos: txt(document.getElementById('pos')),
      prevDisabled: document.getElementById('prev').getAttribute('aria-disabled'),
      nextDisabled: document.getElementById('next').getAttribute('aria-disabled'),
      cols: [...document.querySelectorAll('#cols .col')].map((c) => ({
        arch: c.getAttribute('data-arch'),
        done: c.classList.contains('done'),
        steps: c.querySelectorAll('li.step').length,
        current: [...c.querySelectorAll('li.step.current')].map((li) => ({
          step: Number(li.getAttribute('data-step')), aria: li.getAttribute('aria-current'),
          bg: getComputedStyle(li).backgroundColor, text: li.textContent })),
        ariaCurrent: c.querySelectorAll('[aria-current="step"]').length,
        sofar: Object.fromEntries([...c.querySelectorAll('td.sofar')].map((td) => [td.dataset.metric, td.textContent])),
        call: Object.fromEntries([...c.querySelectorAll('td.call')].map((td) => [td.dataset.metric, td.textContent])),
        outside: c.querySelector('.extra') ? c.querySelector('.extra').getAttribute('data-outside-cycles') : '0',
        curStep: Number(c.querySelector('.cur').getAttribute('data-step')),
        curText: txt(c.querySelector('.cur')),
        cur: Object.fromEntries([...c.querySelectorAll('.cur [data-metric]')].map((x) => [x.dataset.metric, x.textContent])),
        trapped: [...c.querySelectorAll('li.step')].map((li) => ({
          cls: li.classList.contains('trapped'), label: /\bTRAP\b/.test(li.textContent),
          edge: getComputedStyle(li).borderLeftColor })),
      })),
    };
  });

  const SUMS = ['traps', 'as_switches', 'ipc_messages', 'vm_exits', 'hypercalls', 'cycles'];
  const MISSES = ['l1i_misses', 'l1d_misses', 'l2_misses', 'llc_misses'];
  async function verifyStep(w, k, max) {
    const s = await shown();
    check(`${w} step ${k}: position`, s.pos === `Step ${k} of ${max}`, s.pos);
    check(`${w} step ${k}: all columns`, s.cols.length === archs.length && s.cols.every((c, i) => c.arch === archs[i]),
      s.cols.map((c) => c.arch).join(' '));
    for (const c of s.cols) {
      const t = traces[w][c.arch], n = t.steps.length, tag = `${w} step ${k} ${c.arch}`;
      if (k <= n) {
        const st = t.steps[k - 1];
        check(`${tag}: step ${k} highlighted`, c.current.length === 1 && c.current[0].step === k &&
          c.current[0].aria === 'step' && c.ariaCurrent === 1 && c.current[0].bg !== 'rgba(0, 0, 0, 0)' &&
          /current step/.test(c.current[0].text) && !c.done, JSON.stringify(c.current));
        const bad = ['cycles', ...MISSES, 'as_switches', 'ipc_messages', 'vm_exits', 'hypercalls']
          .filter((m) => !same(num(c.cur[m]), st[m]));
        check(`${tag}: the step's cycles and misses`, c.curStep === k && bad.length === 0,
          bad.map((m) => `${m} shown ${c.cur[m]} trace ${st[m]}`).join(', '));
      } else {
        check(`${tag}: finished, no step highlighted`, c.current.length === 0 && c.ariaCurrent === 0 && c.done &&
          c.curStep === 0, JSON.stringify(c.current));
      }
      const upto = t.steps.slice(0, Math.min(k, n));
      const bad = SUMS.filter((m) => !same(num(c.sofar[m]), upto.reduce((v, x) => v + x[m], 0)));
      check(`${tag}: counts so far`, bad.length === 0, bad.map((m) => `${m} shown ${c.sofar[m]}`).join(', '));
    }
    return s;
  }

  async function walk(w) {
    const max = Math.max(...archs.map((a) => traces[w][a].steps.length));
    let s = await verifyStep(w, 1, max);
    check(`${w}: previous disabled at step 1`, s.prevDisabled === 'true');
    // Trapped steps: colour and text.
    for (const c of s.cols) {
      const t = traces[w][c.arch];
      const ok = c.trapped.length === t.steps.length && c.trapped.every((x, i) =>
        x.cls === t.steps[i].trapped && x.label === t.steps[i].trapped);
      check(`${w} ${c.arch}: trapped steps labelled TRAP (and only those)`, ok, JSON.stringify(c.trapped));
    }
    for (let k = 2; k <= max; k++) {
      await page.click('#next');
      s = await verifyStep(w, k, max);
    }
    check(`${w}: next disabled at the end`, s.nextDisabled === 'true');
    await page.click('#next', { force: true });
    check(`${w}: next at the end stays`, (await shown()).pos === `Step ${max} of ${max}`);
    // The whole call: shown totals against the trace and results.json.
    for (const c of s.cols) {
      const t = traces[w][c.arch], p = pointOf(c.arch, w), tag = `${w} ${c.arch} totals`;
      if (!check(`${tag}: results.json has the point`, !!p)) continue;
      for (const m of ['traps', 'as_switches', 'ipc_messages', 'vm_exits', 'hypercalls']) {
        check(`${tag}: ${m} (steps, trace, results.json)`,
          same(num(c.sofar[m]), t.total[m]) && same(num(c.call[m]), p[m]) && same(t.total[m], p[m]),
          `shown ${c.sofar[m]} / ${c.call[m]}, trace ${t.total[m]}, results ${p[m]}`);
      }
      check(`${tag}: cycles (steps + outside = trace = results.json)`,
        same(num(c.sofar.cycles) + num(c.outside), t.total.cycles) && same(num(c.call.cycles), p.cycles) &&
        same(t.total.cycles, p.cycles),
        `shown ${c.sofar.cycles} + ${c.outside} / ${c.call.cycles}, trace ${t.total.cycles}, results ${p.cycles}`);
    }
    await page.click('#prev');
    s = await verifyStep(w, max - 1, max);
    return max;
  }

  // read-disk, the default workload.
  const wl0 = await page.getAttribute('button.wl[aria-pressed="true"]', 'data-workload');
  check('read-disk is the first workload', wl0 === 'read-disk', wl0);
  const maxDisk = await walk('read-disk');
  // The keys: focus is on "Previous" (in the controls).
  await page.keyboard.press('ArrowRight');
  await verifyStep('read-disk', maxDisk, maxDisk);
  await page.keyboard.press('Home');
  await verifyStep('read-disk', 1, maxDisk);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await verifyStep('read-disk', 3, maxDisk);
  await page.keyboard.press('ArrowLeft');
  await verifyStep('read-disk', 2, maxDisk);

  // read.
  await page.click('button.wl[data-workload="read"]');
  check('read selected', (await page.getAttribute('button.wl[data-workload="read"]', 'aria-pressed')) === 'true');
  await walk('read');
  const none = archs.filter((a) => traces.read[a].steps.length === 0);
  const sr = await shown();
  for (const a of none) {
    const c = sr.cols.find((x) => x.arch === a);
    check(`read ${a}: says there is no row`, c && c.steps === 0 && /No row/.test(c.curText), c && c.curText);
  }

  // The footprint view: read on the Pentium-133 (8 KiB L1), where the warm
  // read path misses; the description says why, and a column's first step
  // shows the misses of the trace on that machine.
  await page.click('button.wl[data-workload="read@pentium-133"]');
  const fp = await shown();
  const fpDesc = await page.textContent('#wl-desc');
  check('footprint view: says why', /small caches/.test(fpDesc) && /pentium-133 profile/.test(fpDesc), fpDesc);
  const machTrace = JSON.parse(execFileSync(osarch, ['trace', '--arch', 'mach', '--machine', 'pentium-133',
    '--format', 'json', 'read'], { cwd: root, encoding: 'utf8' }));
  const machCol = fp.cols.find((c) => c.arch === 'mach');
  check('footprint view: mach step 1 misses as traced on pentium-133',
    machCol && Number(machCol.cur.l1i_misses.replace(/,/g, '')) === machTrace.steps[0].l1i_misses &&
    machTrace.steps[0].l1i_misses > 0, machCol && JSON.stringify(machCol.cur));
  check('footprint view: no VT-x architecture', !fp.cols.some((c) => /^vm-hw/.test(c.arch)),
    fp.cols.map((c) => c.arch).join(' '));

  // Tables: every cell against results.json.
  const tables = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('table.cmp')].map((t) => [
    t.dataset.metric, {
      head: [...t.querySelectorAll('thead th[data-arch]')].map((th) => th.dataset.arch),
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => ({ w: tr.dataset.workload,
        cells: [...tr.querySelectorAll('td')].map((td) => ({ a: td.dataset.arch, v: td.firstChild ? td.firstChild.textContent : '' })) })),
    }])));
  for (const m of ['cycles', 'traps']) {
    const t = tables[m];
    if (!check(`table ${m} exists`, !!t)) continue;
    check(`table ${m}: architectures in results.json order`, JSON.stringify(t.head) === JSON.stringify(archs), t.head.join(' '));
    const wls = [...new Set(results.points.map((p) => p.workload))];
    check(`table ${m}: every workload`, JSON.stringify(t.rows.map((r) => r.w)) === JSON.stringify(wls));
    let bad = [];
    for (const r of t.rows) for (const c of r.cells) {
      const p = pointOf(c.a, r.w);
      if (!p || !same(num(c.v), p[m])) bad.push(`${r.w}/${c.a}: ${c.v} vs ${p && p[m]}`);
    }
    check(`table ${m}: every cell equals results.json`, bad.length === 0, bad.slice(0, 5).join('; '));
  }

  // Figures inline, nothing loaded.
  const figs = await page.evaluate(() => ({
    svg: document.querySelectorAll('figure > svg').length,
    drawn: [...document.querySelectorAll('details[open] figure > svg')].every((s) => s.getBoundingClientRect().height > 100),
    // The edit view's module and its wrapper, beside the page, are the only
    // files loaded (issue 22).
    loads: [...document.querySelectorAll('[src], link[href], img, iframe, object, embed')]
      .filter((e) => !(e.tagName === 'SCRIPT' && /^osarch-(run|wasm)\.js$/.test(e.getAttribute('src')))).length,
    dupIds: (() => { const seen = new Set(), d = []; document.querySelectorAll('[id]').forEach((e) => { if (seen.has(e.id)) d.push(e.id); seen.add(e.id); }); return d; })(),
  }));
  check('every plots/*.svg inlined', figs.svg === svgFiles.length, `${figs.svg} of ${svgFiles.length}`);
  check('open figures drawn', figs.drawn);
  check('nothing loaded by src/href but the module beside the page', figs.loads === 0, figs.loads);
  check('ids unique', figs.dupIds.length === 0, figs.dupIds.slice(0, 5).join(' '));

  // Focus is visible on the buttons (keyboard focus).
  await page.focus('#prev');
  await page.keyboard.press('Tab');
  const focus = await page.evaluate(() => {
    const e = document.activeElement, cs = getComputedStyle(e);
    return { id: e.id, style: cs.outlineStyle, width: parseFloat(cs.outlineWidth) };
  });
  check('focus visible on Next', focus.id === 'next' && focus.style !== 'none' && focus.width >= 2, JSON.stringify(focus));
  const buttons = await page.evaluate(() => [...document.querySelectorAll('.controls button')].every((b) => b.tagName === 'BUTTON' && b.type === 'button'));
  check('controls are real buttons', buttons);

  // Screenshots at 1280x800: read-disk at step 3.
  mkdirSync(outDir, { recursive: true });
  await page.click('button.wl[data-workload="read-disk"]');
  await page.click('#next');
  await page.click('#next');
  await verifyStep('read-disk', 3, maxDisk);
  await page.mouse.move(0, 0);
  await page.locator('#explorer').screenshot({ path: path.join(outDir, 'explorer.png') });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(outDir, 'explorer-page.png') });
  const wide = await page.evaluate(() => {
    const cs = [...document.querySelectorAll('#cols .col')].map((c) => c.getBoundingClientRect());
    return { perRow: cs.filter((r) => Math.abs(r.top - cs[0].top) < 1).length,
      overflow: document.documentElement.scrollWidth - window.innerWidth };
  });
  check('1280 px: several columns side by side, no sideways scroll', wide.perRow >= 4 && wide.overflow <= 0, JSON.stringify(wide));

  // 390 px: the columns stack, the page does not scroll sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  const narrow = await page.evaluate(() => {
    const cs = [...document.querySelectorAll('#cols .col')].map((c) => c.getBoundingClientRect());
    return { stacked: cs.every((r) => Math.abs(r.left - cs[0].left) < 1 && r.width > 300),
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      controls: document.getElementById('next').getBoundingClientRect().right <= window.innerWidth };
  });
  check('390 px: columns stacked', narrow.stacked, JSON.stringify(narrow));
  check('390 px: no sideways scroll of the page', narrow.overflow <= 0, narrow.overflow);
  check('390 px: Next button on screen', narrow.controls);
  await page.evaluate(() => document.getElementById('explorer').scrollIntoView());
  await page.screenshot({ path: path.join(outDir, 'explorer-narrow.png') });

  // ---- the comparison view, opened from an address a slide could link to ----
  await page.setViewportSize({ width: 1280, height: 800 });
  const cmpArchs = ['mach-multiserver', 'l4', 'monolithic'];
  await page.goto(pathToFileURL(pageFile).href + '?archs=' + cmpArchs.join(',') +
    '&machine=pentium-133&mode=cold&w=read&row=2#compare');
  await page.waitForSelector('html[data-compare-ready="true"]', { timeout: 10000 });
  const sel = await page.evaluate(() => ['cmp-a1', 'cmp-a2', 'cmp-a3', 'cmp-machine', 'cmp-mode', 'cmp-w']
    .map((id) => document.getElementById(id).value));
  check('compare: the address selects the view', sel.join(' ') === cmpArchs.join(' ') + ' pentium-133 cold read', sel.join(' '));
  const cold = Object.fromEntries(cmpArchs.map((a) => [a, JSON.parse(execFileSync(osarch, ['trace', '--arch', a,
    '--machine', 'pentium-133', '--cold', '--format', 'json', 'read'], { cwd: root, encoding: 'utf8' }))]));
  const cmp = await page.evaluate(() => [...document.querySelectorAll('#cmp-cols .cmp-col')].map((c) => ({
    arch: c.dataset.arch,
    rows: [...c.querySelectorAll('.cmp-rows li')].map((li) => ({ phase: li.dataset.phase, step: li.dataset.step,
      top: li.getBoundingClientRect().top, current: li.classList.contains('current') })),
    hop: (() => { const h = c.querySelector('path.hop'); return h ? { from: h.dataset.from, to: h.dataset.to, as: h.classList.contains('as') } : null; })(),
    sum: c.querySelector('.sum').textContent,
  })));
  check('compare: three columns in the chosen order', cmp.map((c) => c.arch).join(' ') === cmpArchs.join(' '),
    cmp.map((c) => c.arch).join(' '));
  // Aligned by phase: the first "return" line is at the same height in every
  // column and holds that column's crossing back into the application.
  const retTops = cmp.map((c) => c.rows.find((r) => r.phase === 'return').top);
  check('compare: the return lines are aligned', retTops.every((t) => Math.abs(t - retTops[0]) < 1), retTops.join(' '));
  for (const c of cmp) {
    const t = cold[c.arch], back = t.steps.filter((x) => x.to === 'app' && (x.kind || 'crossing') === 'crossing')
      .map((x) => String(x.step));
    const shownBack = c.rows.filter((r) => r.phase === 'return' && r.step).map((r) => r.step);
    check(`compare ${c.arch}: the return lines are the crossings into app`, shownBack.join(',') === back.join(','),
      `${shownBack} / ${back}`);
    check(`compare ${c.arch}: cold cycles of the trace`, c.sum.startsWith(t.total.cycles.toLocaleString('en-US') + ' cycles'), c.sum);
    // Line 2 is current; the diagram draws that line's crossing.
    const cur = c.rows.findIndex((r) => r.current);
    const step = c.rows[cur] && c.rows[cur].step ? t.steps[Number(c.rows[cur].step) - 1] : null;
    check(`compare ${c.arch}: line 2 current, its crossing drawn`, cur === 1 &&
      (step ? c.hop && c.hop.from === step.from && c.hop.to === step.to && c.hop.as === step.as_switches > 0 : c.hop === null),
      JSON.stringify({ cur, hop: c.hop, step: step && [step.from, step.to, step.as_switches] }));
  }
  await page.click('#cmp-next');
  check('compare: the address follows the view', /[?&]row=3\b/.test(page.url()) && /mode=cold/.test(page.url()), page.url());
  await page.mouse.move(0, 0);
  await page.locator('#compare').screenshot({ path: path.join(outDir, 'compare-1280.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  const cn = await page.evaluate(() => ({ overflow: document.documentElement.scrollWidth - window.innerWidth,
    stacked: (() => { const cs = [...document.querySelectorAll('#cmp-cols .cmp-col')].map((c) => c.getBoundingClientRect());
      return cs.every((r) => Math.abs(r.left - cs[0].left) < 1); })() }));
  check('compare 390 px: columns stacked, no sideways scroll', cn.stacked && cn.overflow <= 0, JSON.stringify(cn));
  await page.evaluate(() => document.getElementById('cmp-prev').scrollIntoView());
  await page.screenshot({ path: path.join(outDir, 'compare-390.png') });

  // ---- the edit view (issue 22): the model itself in the page ----
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(pathToFileURL(pageFile).href + '#try');
  await page.waitForSelector('html[data-try-ready="true"]', { timeout: 30000 });
  const moduleState = await page.getAttribute('#try-status', 'data-module');
  check('try: the in-browser model is loaded (make wasm)', moduleState === 'loaded', moduleState);
  if (moduleState === 'loaded') {
    const tmpDir = at('build/try-test');
    mkdirSync(tmpDir, { recursive: true });
    const nativeTrace = (args) => { // status, stdout, stderr of build/osarch
      try { return { status: 0, stdout: execFileSync(osarch, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), stderr: '' }; }
      catch (e) { return { status: e.status, stdout: e.stdout, stderr: e.stderr }; }
    };
    const runs = async () => Number(await page.evaluate(() => document.documentElement.getAttribute('data-try-runs') || 0));
    const clickRun = async () => {
      const n = await runs();
      await page.click('#try-run');
      await page.waitForFunction((k) => Number(document.documentElement.getAttribute('data-try-runs') || 0) > k, n, { timeout: 20000 });
    };
    const shownTotals = () => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#try-totals td.mine')]
      .map((td) => [td.dataset.metric, Number(td.textContent.replace(/,/g, ''))])));
    const shownBase = () => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#try-totals tr[data-metric]')]
      .map((tr) => [tr.dataset.metric, Number(tr.querySelector('td.base').textContent.replace(/,/g, ''))])));
    const METRICS = ['cycles', 'traps', 'mode_switches', 'as_switches', 'ipc_messages', 'vm_exits', 'hypercalls', 'vmx_transitions'];
    await page.selectOption('#try-arch', 'mach-multiserver');
    await page.selectOption('#try-w', 'read');
    await page.selectOption('#try-m', 'modern');
    const shippedYaml = readFileSync(at('arch/mach-multiserver.yaml'), 'utf8');
    check('try: the editor starts from the shipped file', (await page.inputValue('#ed-arch')) === shippedYaml);
    // The file system into the kernel: one line of the placement.
    check('try: mach-multiserver places fs in its own server', /^  fs: fs$/m.test(shippedYaml));
    const edited = shippedYaml.replace(/^  fs: fs$/m, '  fs: kernel');
    await page.fill('#ed-arch', edited);
    await clickRun();
    const ms = Number(await page.getAttribute('#try-time', 'data-ms'));
    console.log(`try: Run to the redrawn trace ${ms.toFixed(0)} ms (the first Run: two runs of the module, yours and the shipped one)`);
    const editedFile = path.join(tmpDir, 'mach-multiserver-fs-kernel.yaml');
    writeFileSync(editedFile, edited);
    const want = JSON.parse(nativeTrace(['trace', '--arch', path.relative(root, editedFile), '--machine', 'modern', '--format', 'json', 'read']).stdout).total;
    const got = await shownTotals();
    check('try: fs in the kernel, totals equal the native CLI on the same YAML', METRICS.every((m) => got[m] === want[m]),
      JSON.stringify({ got, want }));
    const base = JSON.parse(nativeTrace(['trace', '--arch', 'mach-multiserver', '--machine', 'modern', '--format', 'json', 'read']).stdout).total;
    const gotBase = await shownBase();
    check('try: the shipped column equals the shipped architecture', METRICS.every((m) => gotBase[m] === base[m]), JSON.stringify({ gotBase, base }));
    check('try: moving fs into the kernel changes the trace', want.cycles !== base.cycles || want.ipc_messages !== base.ipc_messages,
      `${want.cycles} / ${base.cycles}`);
    const steps = await page.evaluate(() => document.querySelectorAll('#try-cols .cmp-col.mine li').length);
    const nativeText = nativeTrace(['trace', '--arch', path.relative(root, editedFile), '--machine', 'modern', 'read']).stdout;
    const totalLine = nativeText.split('\n').find((l) => l.startsWith('total: '));
    check('try: the CLI output shows the same total: line', (await page.textContent('#try-cli')).includes(totalLine), totalLine);
    check('try: the step list has the trace\'s crossings', steps === JSON.parse(nativeTrace(['trace', '--arch',
      path.relative(root, editedFile), '--machine', 'modern', '--format', 'json', 'read']).stdout).steps.length, steps);
    await clickRun();
    console.log(`try: a second Run ${Number(await page.getAttribute('#try-time', 'data-ms')).toFixed(0)} ms`);
    await page.mouse.move(0, 0);
    await page.locator('#try').screenshot({ path: path.join(outDir, 'try-1280.png') });

    // Share: the address carries the edit; opened again, it runs it.
    await page.click('#try-share');
    await page.waitForSelector('#try-share-url:not([hidden])', { timeout: 10000 });
    const url = await page.inputValue('#try-share-url');
    check('try: the share link is a fragment', /#try=[jz]\.[A-Za-z0-9_-]+$/.test(url), url.slice(0, 80));
    await page.goto('about:blank');
    await page.goto(url);
    await page.waitForSelector('html[data-try-ready="true"]', { timeout: 30000 });
    await page.waitForFunction(() => Number(document.documentElement.getAttribute('data-try-runs') || 0) > 0, null, { timeout: 20000 });
    check('try: the shared link restores the edit', (await page.inputValue('#ed-arch')) === edited &&
      (await page.inputValue('#try-arch')) === 'mach-multiserver');
    const got2 = await shownTotals();
    check('try: the shared link runs it', METRICS.every((m) => got2[m] === want[m]), JSON.stringify(got2));

    // A YAML error: the CLI's file:line:col line, the line marked in the editor.
    const broken = edited.replace(/^placement:$/m, 'placement: [');
    await page.fill('#ed-arch', broken);
    await clickRun();
    const brokenFile = path.join(tmpDir, 'mach-multiserver.yaml');
    writeFileSync(brokenFile, broken);
    const nerr = nativeTrace(['trace', '--arch', path.relative(root, brokenFile), '--machine', 'modern', 'read']);
    const nm = /^\S+?:(\d+):(\d+): error: (.*)$/m.exec(nerr.stderr || '');
    const shownErr = await page.evaluate(() => { const b = document.getElementById('try-error'); const ta = document.getElementById('ed-arch');
      return { hidden: b.hidden, text: b.textContent, line: b.dataset.line, col: b.dataset.col, editor: b.dataset.editor,
        gutter: (b.dataset.editor && document.querySelector('.ed[data-kind="' + b.dataset.editor + '"] .gutter span.err') || {}).textContent,
        selLine: ta.value.slice(0, ta.selectionStart).split('\n').length }; });
    check('try: the CLI reports the broken YAML with exit 2', nerr.status === 2 && !!nm, nerr.stderr);
    check('try: the error shows the CLI\'s line and column', nm && !shownErr.hidden && shownErr.line === nm[1] && shownErr.col === nm[2] &&
      shownErr.text.startsWith(`edit/mach-multiserver.yaml:${nm[1]}:${nm[2]}: error: ${nm[3]}`), JSON.stringify({ shownErr, native: nerr.stderr }));
    check('try: the error line is marked in the architecture editor', nm && shownErr.editor === 'arch' && shownErr.gutter === nm[1] &&
      shownErr.selLine === Number(nm[1]), JSON.stringify(shownErr));

    await page.locator('#try .try-edit').screenshot({ path: path.join(outDir, 'try-error.png') });

    // 390x844: the editor and the results stack; the page does not scroll sideways.
    await page.fill('#ed-arch', edited);
    await clickRun();
    await page.setViewportSize({ width: 390, height: 844 });
    const tn = await page.evaluate(() => ({ overflow: document.documentElement.scrollWidth - window.innerWidth,
      run: document.getElementById('try-run').getBoundingClientRect().right <= window.innerWidth }));
    check('try 390 px: no sideways scroll, Run on screen', tn.overflow <= 0 && tn.run, JSON.stringify(tn));
    await page.evaluate(() => document.getElementById('try-h').scrollIntoView());
    await page.screenshot({ path: path.join(outDir, 'try-390.png') });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Lab 3 in the page: start.yaml in the editor, the answer file, its check and download.
    await page.selectOption('#try-arch', 'lab 3');
    check('try lab 3: the editor holds labs/3/start.yaml', (await page.inputValue('#ed-arch')) === readFileSync(at('labs/3/start.yaml'), 'utf8'));
    const answer = await page.inputValue('#ed-answer');
    check('try lab 3: the answer file names labs/3/my-hybrid.yaml', /^\s*arch_file: labs\/3\/my-hybrid\.yaml$/m.test(answer));
    await page.click('#lab-check');
    await page.waitForSelector('#lab-out:not([hidden])', { timeout: 20000 });
    const labOut = await page.textContent('#lab-out');
    // The same check natively: the answer file and the start file in a copy of labs/3.
    check('try lab 3: osarch check ran in the page', /osarch check labs\/3/.test(labOut) && /unix-in-kernel/.test(labOut), labOut.slice(0, 300));
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), page.click('#lab-dl-answer')]);
    const dlPath = path.join(tmpDir, 'answer.yaml');
    await dl.saveAs(dlPath);
    check('try lab 3: the downloaded answer file is the editor\'s', dl.suggestedFilename() === 'answer.yaml' &&
      readFileSync(dlPath, 'utf8') === answer);
  }

  // The page without the module: a copy alone in a folder.
  {
    const lone = mkdtempSync(path.join(os.tmpdir(), 'osarch-page-'));
    copyFileSync(pageFile, path.join(lone, 'index.html'));
    const p2 = await context.newPage();
    await p2.goto(pathToFileURL(path.join(lone, 'index.html')).href);
    await p2.waitForSelector('html[data-ready="true"]', { timeout: 10000 });
    await p2.waitForSelector('html[data-try-ready="true"]', { timeout: 10000 });
    const off = await p2.evaluate(() => ({ mod: document.getElementById('try-status').dataset.module,
      text: document.getElementById('try-status').textContent, run: document.getElementById('try-run').disabled,
      cols: document.querySelectorAll('#cols .col').length, ed: document.getElementById('ed-arch').value.length }));
    check('without the module: the page works and says so', off.mod === 'missing' && /make wasm/.test(off.text) && off.run &&
      off.cols > 0 && off.ed > 0, JSON.stringify(off));
    await p2.close();
    rmSync(lone, { recursive: true, force: true });
  }

  check('no network requests', external.length === 0, external.slice(0, 3).join(' '));
  check('no script errors', errors.length === 0, errors.slice(0, 3).join(' | '));
} catch (e) {
  check('test ran to the end', false, e.stack || String(e));
} finally {
  await context.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}
finish();
