// diff.test.mjs: osarch compiled to WebAssembly (report/osarch-wasm.js, `make
// wasm`) against the native binary, byte for byte (issue 22). `make
// test-wasm` runs it:
//
//   node tests/wasm/diff.test.mjs [NATIVE [WRAPPER]]
//     (defaults: build/osarch, report/osarch-run.js)
//
// Whatever the model is today: nothing here holds a number. From the
// repository's own files it takes every architecture (arch/*.yaml), every
// workload (workloads/*.yaml) and every shipped machine profile
// (configs/machines/*.yaml, not the host.yaml that `osarch calibrate` writes)
// and checks
//   1. `osarch trace` (text, the format scripts read) of every architecture x
//      workload x profile: the same exit status, standard output and
//      standard error (an architecture a profile cannot run fails the same
//      way in both);
//   2. per profile, one `osarch run` of every architecture it runs x every
//      workload: results.csv, results.json, config.resolved.yaml and
//      machines.resolved.yaml the same bytes, and the same exit status and
//      output;
//   3. a YAML error: the same `file:line:col: error:` line and exit status 2.
// The module reads the repository through NODEFS, so both read the same
// files. Ends with one line "N passed, N failed"; exit 1 when one failed.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const native = resolve(repo, process.argv[2] || 'build/osarch');
const wrapperPath = resolve(repo, process.argv[3] || 'report/osarch-run.js');
if (!existsSync(wrapperPath) || !existsSync(join(dirname(wrapperPath), 'osarch-wasm.js'))) {
  console.error(`test-wasm: ${wrapperPath} or osarch-wasm.js beside it not found (make wasm)`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const osarchRun = createRequire(import.meta.url)(wrapperPath);

let pass = 0, fail = 0;
const failures = [];
function check(name, ok, detail) {
  if (ok) pass++;
  else { fail++; failures.push(name); console.log(`FAIL ${name}${detail ? '\n' + detail : ''}`); }
}
// The first differing line of two texts, for the failure message.
function firstDiff(a, b) {
  const x = a.split('\n'), y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if (x[i] !== y[i]) return `  line ${i + 1}:\n    native: ${JSON.stringify(x[i])}\n    wasm:   ${JSON.stringify(y[i])}`;
  return '  (same lines; the bytes differ)';
}
function nativeRun(args) {
  return new Promise((res) => {
    execFile(native, args, { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      res({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
function wasmRun(args) { return osarchRun.run({ argv: args, mount: repo }); }
function same(name, n, w) {
  const ok = n.status === w.status && n.stdout === w.stdout && n.stderr === w.stderr;
  let d = '';
  if (!ok) {
    if (n.status !== w.status) d += `  exit status: native ${n.status}, wasm ${w.status}\n`;
    if (n.stdout !== w.stdout) d += ' stdout' + firstDiff(n.stdout, w.stdout) + '\n';
    if (n.stderr !== w.stderr) d += ' stderr' + firstDiff(n.stderr, w.stderr) + '\n';
  }
  check(name, ok, d);
}
const stems = (dir) => readdirSync(join(repo, dir)).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
const archs = stems('arch');
const workloads = stems('workloads');
const machines = stems('configs/machines').filter((m) => m !== 'host');

const t0 = Date.now();
const work = join(repo, 'build', 'wasm-diff');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// 1. Every trace. The native runs go two at a time (the machine's cores);
// the module's runs interleave with them on Node's one thread.
const jobs = [];
// The architectures each profile runs (an architecture that needs VT-x does
// not run on a machine without it: the run refuses the experiment).
const runs = Object.fromEntries(machines.map((m) => [m, new Set()]));
for (const m of machines) for (const a of archs) for (const w of workloads) jobs.push([a, w, m]);
let next = 0;
async function worker() {
  while (next < jobs.length) {
    const [a, w, m] = jobs[next++];
    const args = ['trace', '--arch', a, '--machine', m, w];
    const [n, x] = await Promise.all([nativeRun(args), wasmRun(args)]);
    same(`trace ${a} ${w} on ${m}`, n, x);
    if (n.status === 0) runs[m].add(a);
  }
}
await Promise.all([worker(), worker()]);
const tTrace = Date.now();
let rows = 0;
// 2. One `osarch run` per profile of every architecture it runs x every
// workload; -j 1 (the module cannot fork).
for (const m of machines) {
  const as = archs.filter((a) => runs[m].has(a));
  const cfg = join('build', 'wasm-diff', `${m}.yaml`);
  writeFileSync(join(repo, cfg), [
    '# written by tests/wasm/diff.test.mjs: every architecture the profile runs x every workload',
    `name: wasm-diff-${m}`,
    'description: the native binary and the WebAssembly module on every point',
    `machine: ${m}`,
    `archs: [${as.join(', ')}]`,
    `workloads: [${workloads.join(', ')}]`,
    'warmup: 10', 'reps: 5', 'seed: 1', ''].join('\n'));
  const n = await nativeRun(['run', cfg, '-o', `build/wasm-diff/native-${m}`, '-j', '1', '--quiet']);
  const w = await wasmRun(['run', cfg, '-o', `build/wasm-diff/wasm-${m}`, '-j', '1', '--quiet']);
  same(`run on ${m}: exit status and output`, n, w);
  for (const f of ['results.csv', 'results.json', 'config.resolved.yaml', 'machines.resolved.yaml']) {
    const x0 = join(work, `native-${m}`, f), y0 = join(work, `wasm-${m}`, f);
    if (!existsSync(x0) || !existsSync(y0)) { check(`run on ${m}: ${f}`, false, `  missing: ${existsSync(x0) ? y0 : x0}`); continue; }
    const x = readFileSync(x0, 'utf8'), y = readFileSync(y0, 'utf8');
    check(`run on ${m}: ${f}`, x === y, firstDiff(x, y));
    if (f === 'results.csv') rows += x.split('\n').length - 2;
  }
}
const tRun = Date.now();

// 3. A YAML error: the loader's line and column, from both.
{
  const bad = join('build', 'wasm-diff', 'bad-arch.yaml');
  const text = readFileSync(join(repo, 'arch', 'mach-multiserver.yaml'), 'utf8').replace(/^placement:/m, 'placement: [');
  writeFileSync(join(repo, bad), text);
  const args = ['trace', '--arch', bad, 'read'];
  const [n, w] = await Promise.all([nativeRun(args), wasmRun(args)]);
  same('a YAML error: the same message and exit status', n, w);
  check('a YAML error: file:line:col: error:, exit 2', w.status === 2 && /^build\/wasm-diff\/bad-arch\.yaml:\d+:\d+: error: /.test(w.stderr),
    `  status ${w.status}, stderr ${JSON.stringify(w.stderr)}`);
}

console.log(`test-wasm: ${archs.length} architectures x ${workloads.length} workloads x ${machines.length} profiles; ` +
  `${jobs.length} traces ${((tTrace - t0) / 1000).toFixed(1)} s, ${machines.length} runs (${rows} CSV rows) ${((tRun - tTrace) / 1000).toFixed(1)} s`);
if (failures.length) console.log(`failed: ${failures.slice(0, 20).join('; ')}${failures.length > 20 ? '; ...' : ''}`);
console.log(`${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
