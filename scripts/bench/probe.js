// Preloaded into a server under measurement (`node --import ./scripts/bench/probe.js …`) when it
// has an IPC channel: reports the process's own event-loop delay, CPU and memory on request, so
// the server's code needs no hooks for the bench.
import { monitorEventLoopDelay } from 'node:perf_hooks';

if (process.send) {
	// the histogram records the time between the timer's runs, its own 10 ms interval included
	// (an idle process shows 10.2 ms at p50): the delay is what comes on top of that interval
	const RESOLUTION = 10;
	const loop = monitorEventLoopDelay({ resolution: RESOLUTION });
	loop.enable();
	let cpu = process.cpuUsage();
	let since = performance.now();
	let peakRss = process.memoryUsage.rss();
	setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100).unref();
	const ms = (ns) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION) * 100) / 100);
	process.on('message', (message) => {
		if (message?.probe === 'reset') {
			loop.reset();
			cpu = process.cpuUsage();
			since = performance.now();
			peakRss = process.memoryUsage.rss();
		} else if (message?.probe === 'report') {
			const used = process.cpuUsage(cpu);
			const elapsed = performance.now() - since;
			process.send({
				probe: 'report',
				id: message.id,
				loop: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
				rssMb: Math.round(process.memoryUsage.rss() / 1048576),
				peakRssMb: Math.round(peakRss / 1048576),
				heapMb: Math.round(process.memoryUsage().heapUsed / 1048576),
				cpuPercent: Math.round(((used.user + used.system) / 1000 / elapsed) * 1000) / 10
			});
		}
	});
	process.channel?.unref();
}
