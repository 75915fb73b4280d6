package e2e

// StartupProbe is a script for the DevTools protocol to add to every
// document the browser opens (Page.addScriptToEvaluateOnNewDocument), so
// that it runs before the page's own scripts. It records in
// window.__startup, in milliseconds since navigation start
// (performance.now()), when the page created each EventSource, when it
// registered the service worker, when the app replaced the page the server
// rendered (go-app's first render), when a price first showed with the
// stream open, and the main thread's long tasks. It only watches: the page
// runs as it would without it. The browser tests and the page benchmark
// (bench/cmd/pagebench) read it.
const StartupProbe = `(() => {
	const t = window.__startup = {eventSources: [], workerRegistered: [], mounted: null, firstLivePrice: null, longTasks: []};
	const ES = window.EventSource;
	window.EventSource = class extends ES {
		constructor(...args) { super(...args); t.eventSources.push({at: performance.now(), url: String(args[0])}); }
	};
	if (navigator.serviceWorker) {
		const sw = navigator.serviceWorker, register = sw.register.bind(sw);
		sw.register = (...args) => { t.workerRegistered.push(performance.now()); return register(...args); };
	}
	new PerformanceObserver(l => { for (const e of l.getEntries()) t.longTasks.push({start: e.startTime, duration: e.duration}); })
		.observe({type: "longtask", buffered: true});
	const live = () => t.firstLivePrice === null && document.querySelector('[data-status="live"]') && document.querySelector("[data-price]") &&
		(t.firstLivePrice = performance.now());
	new MutationObserver(live).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ["data-status", "data-price"]});
	document.addEventListener("DOMContentLoaded", () => {
		const server = document.body.firstElementChild;
		new MutationObserver((_, o) => { if (!server.isConnected) { t.mounted = performance.now(); o.disconnect(); } })
			.observe(document.body, {childList: true});
	});
})()`
