package pwa

import (
	"encoding/json"
	"strconv"
)

// warmUpTimeout bounds, in milliseconds, how long the compiler waits for
// the Go program's start before it tells the page to go on without it.
const warmUpTimeout = 3000

// compilerJS is the source of the loader's worker, the compiler: go-app's
// wasm_exec.js, then what follows. Chromium decodes a module handed to it
// at once (from the HTTP cache, or over a fast link) in one long task of
// the thread that compiles it, and compiles each function lazily, on the
// thread that first calls it. The worker compiles app.wasm and hands the
// module to the page, which instantiates it meanwhile; then it runs the Go
// program once. Outside a page the wasm main calls goappRehearsing once the
// runtime and the packages are initialised, then runs ui.Rehearse and
// returns; so the functions those call are compiled in the module both
// threads share when the page calls them. Messages to the page: {module},
// {started} and {warm}; or {error} when compiling failed. The page hands
// it the absolute URL of app.wasm: the worker runs from a blob: URL (app.js
// carries its source, so that starting it costs no request), against which
// a path does not resolve.
//
// The worker stays after that, idle: V8 hands app.wasm's compiled code to
// Chromium's code cache through the compile that made the module, which
// ends with its worker. V8 does so once some code is optimised and none
// more has been for 2 s, within 90 s of a first visit that streams prices
// on the test machine; the next visit then starts with that code and
// compiles on the main thread almost nothing (3 ms in a trace, against
// 55–85 ms without the cache).
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
  globalThis.goappRehearsing = () => postMessage({ started: true });
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

// loaderJS returns what is added to go-app's loader (app.js), with the
// source of the compiler. goappCompile starts the compiler for app.wasm at
// url. goappInstantiate returns the instance of app.wasm once the compiler
// has run the Go program's initialisation, or, where workers are missing
// or the compiler fails, compiles it on the page. window.goappRehearsed is
// a promise that resolves once the compiler has run ui.Rehearse (or gave
// up): the page's program opens the stream, then waits for it before it
// mounts (ui.AwaitRehearsal).
func loaderJS(compiler string) string {
	source, err := json.Marshal(compiler) // a JavaScript string literal
	if err != nil {
		panic(err) // a string always encodes
	}
	return `
// -----------------------------------------------------------------------------
// stockstream: app.wasm compiled off the main thread
// -----------------------------------------------------------------------------
function goappCompilerSource() {
  return ` + string(source) + `;
}

function goappCompile(url) {
  if (!window.Worker || !WebAssembly.compileStreaming) {
    return null;
  }
  let worker;
  const source = URL.createObjectURL(new Blob([goappCompilerSource()], { type: "text/javascript" }));
  try {
    worker = new Worker(source);
  } catch (err) {
    URL.revokeObjectURL(source);
    return null;
  }
  let compiled, started, warmed;
  const module = new Promise((resolve) => { compiled = resolve; });
  const start = new Promise((resolve) => { started = resolve; });
  const warm = new Promise((resolve) => { warmed = resolve; });
  const stop = () => {
    URL.revokeObjectURL(source);
    worker.terminate();
    compiled(null);
    started();
    warmed();
  };
  worker.onmessage = (event) => {
    const message = event.data;
    if (message.module) {
      URL.revokeObjectURL(source); // the worker runs: its script was read
      compiled(message.module);
    } else if (message.started) {
      started();
    } else if (message.warm) {
      started();
      warmed();
    } else {
      stop();
    }
  };
  worker.onerror = stop;
  worker.postMessage(new URL(url, location.href).href);
  window.goappCompiler = worker; // it stays for the code cache
  window.goappRehearsed = warm;
  return { module, start };
}

async function goappInstantiate(url, compiling, imports) {
  const module = compiling && await compiling.module;
  if (!module) {
    window.goappRehearsed = null;
    return (await WebAssembly.instantiateStreaming(fetch(url), imports)).instance;
  }
  const instance = await WebAssembly.instantiate(module, imports);
  await compiling.start;
  return instance;
}
`
}
