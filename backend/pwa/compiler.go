package pwa

import "strconv"

// compilerPath is the path of the loader's worker, which compiles app.wasm.
const compilerPath = "/app-compiler.js"

// warmUpTimeout bounds, in milliseconds, how long the compiler waits for
// the Go program's start before it tells the page to go on without it.
const warmUpTimeout = 3000

// compilerJS is the loader's worker: go-app's wasm_exec.js, then what
// follows. Chromium decodes a module handed to it at once (from the HTTP
// cache, or over a fast link) in one long task of the thread that compiles
// it, and compiles each function lazily, on the thread that first calls
// it. The worker compiles app.wasm and hands the module to the page, which
// instantiates it meanwhile; then it runs the Go program once, the way the
// page will, and tells the page when that is done. Outside a page the wasm
// main returns right after the runtime's and the packages' initialisation
// and what ui.Rehearse runs, so the functions those call are compiled in
// the module both threads share when the page's start calls them. Messages
// to the page: {module}, then {warm: true}; or {error} when compiling
// failed.
func compilerJS(wasmExecJS []byte) string {
	return string(wasmExecJS) + `
// -----------------------------------------------------------------------------
// stockstream: app.wasm compiled, and its start run once, off the page
// -----------------------------------------------------------------------------
onmessage = async (event) => {
  let module;
  try {
    module = await WebAssembly.compileStreaming(fetch(event.data));
  } catch (err) {
    postMessage({ error: String(err) });
    return;
  }
  postMessage({ module });
  try {
    const go = new Go();
    const instance = await WebAssembly.instantiate(module, go.importObject);
    await Promise.race([go.run(instance), new Promise((resolve) => setTimeout(resolve, ` + strconv.Itoa(warmUpTimeout) + `))]);
  } catch (err) {
    // The page compiles what the start calls itself.
  }
  postMessage({ warm: true });
};
`
}

// loaderJS is added to go-app's loader (app.js). goappCompile starts the
// compiler for app.wasm at url; goappInstantiate returns the instance of
// app.wasm once the compiler has run the Go program's start, or, where
// workers are missing or the compiler fails, compiles it on the page.
const loaderJS = `
// -----------------------------------------------------------------------------
// stockstream: app.wasm compiled off the main thread
// -----------------------------------------------------------------------------
function goappCompile(url) {
  if (!window.Worker || !WebAssembly.compileStreaming) {
    return null;
  }
  let worker;
  try {
    worker = new Worker("` + compilerPath + `");
  } catch (err) {
    return null;
  }
  let compiled, warmed;
  const module = new Promise((resolve) => { compiled = resolve; });
  const warm = new Promise((resolve) => { warmed = resolve; });
  const stop = () => {
    worker.terminate();
    compiled(null);
    warmed();
  };
  worker.onmessage = (event) => {
    if (event.data.module) {
      compiled(event.data.module);
    } else {
      stop();
    }
  };
  worker.onerror = stop;
  worker.postMessage(url);
  return { module, warm };
}

async function goappInstantiate(url, compiling, imports) {
  const module = compiling && await compiling.module;
  if (!module) {
    return (await WebAssembly.instantiateStreaming(fetch(url), imports)).instance;
  }
  const instance = await WebAssembly.instantiate(module, imports);
  await compiling.warm;
  return instance;
}
`
