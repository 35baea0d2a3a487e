// osarch-run.js: runs the osarch command line compiled to WebAssembly
// (osarch-wasm.js, written beside this file by `make wasm`) once per call,
// as a shell would: argv in, exit status, standard output and standard error
// out, byte for byte. Used by the explorer page (report/index.html) and by
// the Node test tests/wasm/diff.test.mjs.
//
//   osarchRun.run({ argv: ['trace', '--arch', 'mach', 'read'],
//                   files: { 'arch/mach.yaml': '...' },   // written first
//                   mount: '/path/to/repo' })             // Node only
//     -> Promise of { status, stdout, stderr, ms, fs }
//   osarchRun.prepare()   // compiles the WebAssembly now (else at the first run)
//
// Every call makes a fresh instance of the module: a run is one main(), as
// on the command line, so nothing of one run (memory, files) reaches the
// next. `files` are written into the module's in-memory file system under
// /osarch, the working folder (paths relative to the repository root, as the
// CLI expects: arch/, workloads/, models/, configs/machines/, labs/). In
// Node, `mount` is a real folder mounted as the working folder instead
// (NODEFS), so the module reads the same files as the native binary and
// writes its results beside them. `fs` is the instance's FS, to read what
// the run wrote.
(function (root) {
  'use strict';
  var isNode = typeof process === 'object' && process.versions && process.versions.node &&
    typeof window === 'undefined';
  function factory() {
    if (isNode) return require('./osarch-wasm.js');
    if (typeof root.OsarchWasm === 'function') return root.OsarchWasm;
    return null;
  }
  function mkdirs(FS, path) {
    var parts = path.split('/').filter(Boolean), cur = '';
    parts.forEach(function (p) {
      cur += '/' + p;
      try { FS.mkdir(cur); } catch (e) { /* exists */ }
    });
  }
  function decode(bytes) {
    var u = new Uint8Array(bytes);
    if (typeof TextDecoder !== 'undefined') return new TextDecoder('utf-8').decode(u);
    return Buffer.from(u).toString('utf8');
  }
  // The module's WebAssembly, compiled once (osarch-wasm.js carries it as
  // base64); every run instantiates it afresh.
  var compiled = null;
  function compile(make) {
    if (!compiled) {
      var b64 = make.wasmBase64, bytes;
      if (typeof atob === 'function') {
        var s = atob(b64);
        bytes = new Uint8Array(s.length);
        for (var i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
      } else {
        bytes = new Uint8Array(Buffer.from(b64, 'base64'));
      }
      compiled = WebAssembly.compile(bytes);
    }
    return compiled;
  }
  function run(opts) {
    var make = factory();
    if (!make) return Promise.reject(new Error('osarch-wasm.js is not loaded (build it with make wasm)'));
    if (typeof make.wasmBase64 !== 'string') return Promise.reject(new Error('osarch-wasm.js carries no WebAssembly (rebuild it with make wasm)'));
    var failed = null;
    var out = [], err = [], status = null, t0 = Date.now();
    var argv = opts.argv || [];
    var mod = {
      noInitialRun: true,
      thisProgram: 'osarch',
      // Standard output and error byte by byte: print() would split lines
      // and lose whether the last one ended in a newline.
      preRun: [function (M) {
        var FS = (M || mod).FS;
        FS.init(function () { return null; }, function (c) { if (c !== null) out.push(c & 255); },
          function (c) { if (c !== null) err.push(c & 255); });
      }],
      print: function () {}, printErr: function () {},
      onExit: function (code) { status = code; },
      // exit() ends the run, not the page or the Node process.
      quit: function (code, e) { status = code; throw e; },
      instantiateWasm: function (imports, receive) {
        compile(make).then(function (m) {
          return WebAssembly.instantiate(m, imports).then(function (inst) { receive(inst, m); });
        }).catch(function (e) { failed(e); });
        return {};
      }
    };
    var ready = new Promise(function (ok, no) { failed = no; make(mod).then(ok, no); });
    return ready.then(function (M) {
      var FS = M.FS;
      if (opts.mount && isNode) {
        FS.mkdir('/repo');
        FS.mount(M.NODEFS || FS.filesystems.NODEFS, { root: opts.mount }, '/repo');
        FS.chdir('/repo');
      } else {
        mkdirs(FS, '/osarch');
        FS.chdir('/osarch');
      }
      Object.keys(opts.files || {}).forEach(function (p) {
        var i = p.lastIndexOf('/');
        if (i > 0) mkdirs(FS, FS.cwd() + '/' + p.slice(0, i));
        FS.writeFile(p, opts.files[p]);
      });
      var rc;
      try { rc = M.callMain(argv); } catch (e) {
        if (!(e && e.name === 'ExitStatus')) throw e;
      }
      if (status === null) status = typeof rc === 'number' ? rc : 0;
      return { status: status, stdout: decode(out), stderr: decode(err), ms: Date.now() - t0, fs: FS };
    });
  }
  // Compiles the module ahead of the first run (the page calls it once the
  // scripts are loaded, so that the first Run does not wait for it).
  function prepare() {
    var make = factory();
    return make && typeof make.wasmBase64 === 'string' ? compile(make).then(function () {}) : Promise.resolve();
  }
  var api = { run: run, prepare: prepare, available: function () { return !!factory(); } };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.osarchRun = api;
})(typeof self !== 'undefined' ? self : this);
