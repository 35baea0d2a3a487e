// explorer-try.js: the explorer page's edit view (section id="try", issue
// 22), inlined into report/index.html by scripts/explorer.sh.
//
// The shipped YAML is in the page (id="sources": path -> text). The model is
// osarch itself compiled to WebAssembly (osarch-wasm.js, `make wasm`) and
// called through its wrapper (osarch-run.js) as the command line would be:
//   osarch trace --arch EDITED --machine M [--format json] W
// with the edited files written into the module's memory file system; the
// architecture is written as edit/NAME.yaml (lab 3: labs/3/my-hybrid.yaml,
// the path its answer file names), a changed workload or profile as
// edit/... too, so an error names the file the way the CLI does. Without the
// module (a page opened without `make wasm`) the rest of the page works as
// before and this section says so.
(function () {
  'use strict';
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, kids) {
    var e = document.createElement(tag), k;
    for (k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  var sources = JSON.parse(($('sources') || { textContent: '{}' }).textContent);
  var nf = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
  function stems(dir) {
    return Object.keys(sources).filter(function (p) { return p.indexOf(dir) === 0 && p.slice(dir.length).indexOf('/') < 0; })
      .map(function (p) { return p.slice(dir.length).replace(/\.yaml$/, ''); }).sort();
  }
  var LAB = 'lab 3';
  var LAB_ARCH = 'labs/3/my-hybrid.yaml', LAB_ANSWER = 'labs/3/answer.yaml';
  var archs = stems('arch/'), works = stems('workloads/'), machs = stems('configs/machines/');
  if (!archs.length) return;
  var eds = { arch: $('ed-arch'), wl: $('ed-wl'), mach: $('ed-mach'), answer: $('ed-answer') };
  var st = { arch: archs.indexOf('mach-multiserver') >= 0 ? 'mach-multiserver' : archs[0],
    w: works.indexOf('read') >= 0 ? 'read' : works[0], m: machs.indexOf('modern') >= 0 ? 'modern' : machs[0] };

  // ---- the controls and the editors ----
  function fill(sel, list, extra) {
    sel.textContent = '';
    list.forEach(function (x) { sel.appendChild(el('option', { value: x, text: x })); });
    (extra || []).forEach(function (x) { sel.appendChild(el('option', { value: x[0], text: x[1] })); });
  }
  fill($('try-arch'), archs, sources['labs/3/start.yaml'] ? [[LAB, 'lab 3: your hybrid kernel']] : []);
  fill($('try-w'), works);
  fill($('try-m'), machs);
  function shipped(kind) {
    if (kind === 'arch') return st.arch === LAB ? sources['labs/3/start.yaml'] : sources['arch/' + st.arch + '.yaml'];
    if (kind === 'wl') return sources['workloads/' + st.w + '.yaml'];
    if (kind === 'mach') return sources['configs/machines/' + st.m + '.yaml'];
    return (sources['labs/3/answer-template.yaml'] || '').replace(/^(\s*arch_file:)[ \t]*$/m, '$1 ' + LAB_ARCH);
  }
  // The path each edited file is written at, as the error messages name it.
  function pathOf(kind) {
    if (kind === 'arch') return st.arch === LAB ? LAB_ARCH : 'edit/' + st.arch + '.yaml';
    if (kind === 'wl') return 'edit/workloads/' + st.w + '.yaml';
    if (kind === 'mach') return 'edit/machines/' + st.m + '.yaml';
    return LAB_ANSWER;
  }
  function gutter(kind, errLine) {
    var ta = eds[kind], g = ta.parentNode.querySelector('.gutter'), n = ta.value.split('\n').length, out = [];
    g.textContent = '';
    for (var i = 1; i <= n; i++) out.push(el('span', { 'class': i === errLine ? 'err' : '', text: String(i) }));
    out.forEach(function (s) { g.appendChild(s); });
    g.scrollTop = ta.scrollTop;
  }
  Object.keys(eds).forEach(function (k) {
    var ta = eds[k];
    if (!ta) return;
    ta.addEventListener('scroll', function () { ta.parentNode.querySelector('.gutter').scrollTop = ta.scrollTop; });
    ta.addEventListener('input', function () { gutter(k); });
  });
  function load(kind) { eds[kind].value = shipped(kind) || ''; gutter(kind); }
  function tab(kind) {
    Array.prototype.forEach.call(document.querySelectorAll('.ed-tab'), function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-kind') === kind ? 'true' : 'false');
    });
    Array.prototype.forEach.call(document.querySelectorAll('#try .try-edit .ed'), function (d) {
      d.hidden = d.getAttribute('data-kind') !== kind;
    });
    var p = { arch: 'architecture', wl: 'workload', mach: 'machine profile' }[kind];
    $('try-file').textContent = 'Editing the ' + p + ' (read by the model as ' + pathOf(kind) + ').';
  }
  Array.prototype.forEach.call(document.querySelectorAll('.ed-tab'), function (b) {
    b.addEventListener('click', function () { tab(b.getAttribute('data-kind')); });
  });
  function lab() { $('lab3').hidden = st.arch !== LAB; }
  function toControls() { $('try-arch').value = st.arch; $('try-w').value = st.w; $('try-m').value = st.m; }
  $('try-arch').addEventListener('change', function () { st.arch = this.value; load('arch'); lab(); tab('arch'); });
  $('try-w').addEventListener('change', function () { st.w = this.value; load('wl'); });
  $('try-m').addEventListener('change', function () { st.m = this.value; load('mach'); });
  $('try-reset').addEventListener('click', function () { ['arch', 'wl', 'mach', 'answer'].forEach(load); clearError(); });

  // ---- errors: the CLI's line, the place marked in its editor ----
  function clearError() {
    $('try-error').hidden = true;
    $('try-error').textContent = '';
    ['arch', 'wl', 'mach', 'answer'].forEach(function (k) { gutter(k); });
  }
  function showError(text) {
    var msg = text.replace(/\s+$/, ''), box = $('try-error');
    box.textContent = msg;
    box.hidden = false;
    var m = /^(\S+?):(\d+):(\d+): error: /m.exec(msg);
    if (!m) return;
    var kind = null;
    ['arch', 'wl', 'mach', 'answer'].forEach(function (k) { if (pathOf(k) === m[1]) kind = k; });
    var line = +m[2], col = +m[3];
    box.setAttribute('data-file', m[1]);
    box.setAttribute('data-line', line);
    box.setAttribute('data-col', col);
    if (!kind) return;
    box.setAttribute('data-editor', kind);
    box.appendChild(document.createTextNode('\n\u2192 line ' + line + ', column ' + col + ' of the ' +
      { arch: 'architecture', wl: 'workload', mach: 'machine', answer: 'answer' }[kind] + ' editor'));
    if (kind !== 'answer') tab(kind);
    gutter(kind, line);
    var ta = eds[kind], lines = ta.value.split('\n'), at = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    var end = at + (lines[line - 1] || '').length;
    ta.focus();
    ta.setSelectionRange(Math.min(at + col - 1, end), end);
    // The marked line in view: the editor scrolls by line height.
    ta.scrollTop = Math.max(0, (line - 5) * 18);
    ta.parentNode.querySelector('.gutter').scrollTop = ta.scrollTop;
  }

  // ---- the module ----
  var ready = false;
  function status(on, text) {
    var s = $('try-status');
    s.className = 'try-status ' + (on ? 'on' : 'off');
    s.textContent = text;
    s.setAttribute('data-module', on ? 'loaded' : 'missing');
  }
  function script(src) {
    return new Promise(function (ok, no) {
      var s = el('script', { src: src });
      s.onload = ok;
      s.onerror = function () { no(new Error(src)); };
      document.body.appendChild(s);
    });
  }
  // The module's run: files are the shipped ones with the edited ones on top.
  function files() {
    var f = {}, k;
    for (k in sources) f[k] = sources[k];
    f[pathOf('arch')] = eds.arch.value;
    if (eds.wl.value !== shipped('wl')) f[pathOf('wl')] = eds.wl.value;
    if (eds.mach.value !== shipped('mach')) f[pathOf('mach')] = eds.mach.value;
    if (st.arch === LAB) f[LAB_ANSWER] = eds.answer.value;
    return f;
  }
  function argsFor(arch, json) {
    var w = eds.wl.value !== shipped('wl') ? pathOf('wl') : st.w, m = eds.mach.value !== shipped('mach') ? pathOf('mach') : st.m;
    return ['trace', '--arch', arch, '--machine', m].concat(json ? ['--format', 'json'] : []).concat([w]);
  }
  function cmdline(a) { return 'osarch ' + a.join(' '); }

  // ---- drawing a run ----
  var METRICS = [['cycles', 'cycles'], ['traps', 'traps'], ['mode_switches', 'mode switches'],
    ['as_switches', 'address-space switches'], ['ipc_messages', 'IPC messages'], ['vm_exits', 'VM exits'],
    ['hypercalls', 'hypercalls'], ['vmx_transitions', 'VMX transitions']];
  function column(title, t, cls, note) {
    var col = el('article', { 'class': 'cmp-col ' + cls, style: '--c:' + (cls === 'mine' ? '#0b4fb5' : '#8a8a8a') });
    col.appendChild(el('h3', { text: title }));
    if (!t) { col.appendChild(el('p', { 'class': 'sum', text: note })); return col; }
    col.appendChild(el('p', { 'class': 'sum', text: nf.format(t.total.cycles) + ' cycles, ' + t.total.traps + ' traps, ' +
      t.total.as_switches + ' address-space switches, ' + t.steps.length + ' crossings' }));
    var ol = el('ol', { 'class': 'cmp-rows', 'aria-label': title + ': crossings' });
    t.steps.forEach(function (s) {
      ol.appendChild(el('li', { 'class': s.trapped ? 'trapped' : '', 'data-step': s.step }, [
        el('span', { 'class': 'ph', text: s.trapped ? 'trap' : '' }),
        el('span', { 'class': 'r', text: s.step + '. ' + s.from + ' \u2192 ' + s.to + ' (' + s.transport + ')' + (s.ran ? ': ' + s.ran : '') }),
        el('span', { 'class': 'cy', text: nf.format(s.cycles) })]));
    });
    col.appendChild(ol);
    return col;
  }
  function draw(mine, base, baseName, baseNote) {
    var box = $('try-totals');
    box.textContent = '';
    var tb = el('tbody');
    METRICS.forEach(function (m) {
      var a = mine.total[m[0]], b = base ? base.total[m[0]] : null, d = base ? a - b : null;
      tb.appendChild(el('tr', { 'data-metric': m[0] }, [el('th', { text: m[1] }),
        el('td', { 'class': 'mine', 'data-metric': m[0], text: nf.format(a) }),
        el('td', { 'class': 'base', text: base ? nf.format(b) : '\u2013' }),
        el('td', { 'class': d > 0 ? 'up' : d < 0 ? 'down' : '', text: base ? (d > 0 ? '+' : '') + nf.format(d) : '\u2013' })]));
    });
    box.appendChild(el('table', { 'class': 'try-tot' }, [
      el('caption', { 'class': 'vh', text: 'Totals of one call: your file against the shipped ' + baseName }),
      el('thead', {}, [el('tr', {}, [el('th', { text: 'one call' }), el('th', { text: 'your file' }),
        el('th', { text: 'shipped ' + baseName }), el('th', { text: 'difference' })])]), tb]));
    var cols = $('try-cols');
    cols.textContent = '';
    cols.appendChild(column('Your ' + (st.arch === LAB ? 'hybrid' : st.arch), mine, 'mine'));
    cols.appendChild(column('Shipped ' + baseName, base, 'base', baseNote));
  }
  function run() {
    if (!ready) return Promise.resolve();
    var t0 = performance.now(), f = files(), baseName = st.arch === LAB ? 'monolithic' : st.arch;
    var aMine = argsFor(pathOf('arch'), true), aText = argsFor(pathOf('arch'), false), aBase = argsFor(baseName, true);
    $('try-run').disabled = true;
    var go = function (argv) { return window.osarchRun.run({ argv: argv, files: f }); };
    return go(aMine).then(function (r) {
      if (r.status !== 0) {
        showError(r.stderr || ('osarch exited with status ' + r.status));
        $('try-cli').textContent = '$ ' + cmdline(aText) + '\n' + r.stderr;
        $('try-time').textContent = 'The model stopped at an error (exit status ' + r.status + ').';
        return;
      }
      clearError();
      return go(aBase).then(function (rb) {
        var mine = JSON.parse(r.stdout), base = rb.status === 0 ? JSON.parse(rb.stdout) : null;
        draw(mine, base, baseName, rb.stderr.replace(/\s+$/, ''));
        // Run to the redrawn trace: up to the frame that shows it.
        return new Promise(function (ok) { requestAnimationFrame(function () { ok(); }); }).then(function () {
          var ms = performance.now() - t0;
          $('try-time').textContent = 'Walked and redrawn in ' + Math.round(ms) + ' ms (' + cmdline(aText) + ').';
          $('try-time').setAttribute('data-ms', ms.toFixed(1));
          // The command line's text output (its total: line), after the drawing.
          return go(aText).then(function (rt) { $('try-cli').textContent = '$ ' + cmdline(aText) + '\n' + rt.stdout + rt.stderr; });
        });
      });
    }).catch(function (e) {
      showError('The in-browser model failed: ' + (e && e.message ? e.message : e));
    }).then(function () {
      $('try-run').disabled = false;
      document.documentElement.setAttribute('data-try-runs', String(+(document.documentElement.getAttribute('data-try-runs') || 0) + 1));
    });
  }
  $('try-run').addEventListener('click', run);

  // ---- lab 3: check and download ----
  function download(name, text) {
    var a = el('a', { href: URL.createObjectURL(new Blob([text], { type: 'application/x-yaml' })), download: name });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  $('lab-dl-answer').addEventListener('click', function () { download('answer.yaml', eds.answer.value); });
  $('lab-dl-arch').addEventListener('click', function () { download('my-hybrid.yaml', eds.arch.value); });
  $('lab-check').addEventListener('click', function () {
    if (!ready) return;
    window.osarchRun.run({ argv: ['check', 'labs/3', LAB_ANSWER], files: files() }).then(function (r) {
      var out = $('lab-out');
      out.hidden = false;
      out.textContent = '$ osarch check labs/3 answer.yaml\n' + r.stdout + r.stderr;
      out.setAttribute('data-status', r.status);
      if (/^\S+?:\d+:\d+: error: /m.test(r.stderr)) showError(r.stderr); else clearError();
    });
  });

  // ---- share: the choice and the edited files in the fragment ----
  // #try=z.BASE64URL (deflate of the JSON) or #try=j.BASE64URL (the JSON),
  // only the files that differ from the shipped ones.
  function b64(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function unb64(s) {
    var b = atob(s.replace(/-/g, '+').replace(/_/g, '/')), u = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);
    return u;
  }
  function pipe(bytes, stream) {
    return new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer().then(function (x) { return new Uint8Array(x); });
  }
  function state() {
    var o = { a: st.arch, w: st.w, m: st.m, f: {} };
    ['arch', 'wl', 'mach', 'answer'].forEach(function (k) { if (eds[k].value !== shipped(k)) o.f[k] = eds[k].value; });
    return o;
  }
  function encode(o) {
    var bytes = new TextEncoder().encode(JSON.stringify(o));
    if (typeof CompressionStream === 'function')
      return pipe(bytes, new CompressionStream('deflate')).then(function (z) { return 'z.' + b64(z); });
    return Promise.resolve('j.' + b64(bytes));
  }
  function decode(s) {
    var kind = s.slice(0, 2), bytes = unb64(s.slice(2));
    var p = kind === 'z.' ? pipe(bytes, new DecompressionStream('deflate')) : Promise.resolve(bytes);
    return p.then(function (u) { return JSON.parse(new TextDecoder().decode(u)); });
  }
  $('try-share').addEventListener('click', function () {
    encode(state()).then(function (code) {
      var url = location.href.replace(/#.*$/, '') + '#try=' + code;
      try { history.replaceState(null, '', '#try=' + code); } catch (e) { /* a file: page may refuse */ }
      var box = $('try-share-url');
      box.hidden = false;
      box.value = url;
      box.select();
      if (navigator.clipboard) navigator.clipboard.writeText(url).catch(function () {});
    });
  });

  // ---- start ----
  function start(shared) {
    if (shared) {
      if (archs.indexOf(shared.a) >= 0 || shared.a === LAB) st.arch = shared.a;
      if (works.indexOf(shared.w) >= 0) st.w = shared.w;
      if (machs.indexOf(shared.m) >= 0) st.m = shared.m;
    }
    toControls();
    ['arch', 'wl', 'mach', 'answer'].forEach(load);
    if (shared && shared.f) Object.keys(shared.f).forEach(function (k) { if (eds[k]) { eds[k].value = shared.f[k]; gutter(k); } });
    lab();
    tab('arch');
  }
  var m = /^#try=([jz]\.[A-Za-z0-9_-]*)$/.exec(location.hash);
  var shared = m ? decode(m[1]).catch(function () { return null; }) : Promise.resolve(null);
  shared.then(function (s) {
    start(s);
    return script('osarch-run.js').then(function () { return script('osarch-wasm.js'); }).then(function () {
      if (!window.osarchRun || !window.osarchRun.available()) throw new Error('no module');
      return window.osarchRun.prepare();
    }).then(function () {
      ready = true;
      $('try-run').disabled = false;
      $('lab-check').disabled = false;
      $('try-time').textContent = 'Edit a file, then Run: the trace of your file and of the shipped one appear here.';
      status(true, 'The in-browser model is loaded (osarch compiled to WebAssembly, osarch-wasm.js): Run walks the call again here, nothing is sent anywhere.');
      if (s) return run();
    }, function () {
      status(false, 'The in-browser model is not here (osarch-wasm.js and osarch-run.js beside this page; `make wasm` builds them). ' +
        'You can still read and edit the files, share and download them; the traces, tables and figures above and below are the precomputed ones. ' +
        'To run your file: osarch trace --arch FILE --machine M W.');
    });
  }).then(function () { document.documentElement.setAttribute('data-try-ready', 'true'); });
})();
