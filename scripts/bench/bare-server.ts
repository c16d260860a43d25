// The yardstick of the live bench (SPEC §8): socket.io with the same rooms and the same message
// shape as the app, whose POST handler broadcasts at once: no database, no auth, no counters.
// Its clients subscribe with `batch: true` as the app's do; it sends each POST at once as an
// `events` message of that one event (nothing to batch: no commit to wait for).
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const io = new Server({ path: '/socket.io', serveClient: false });
let seq = 0;

const server = createServer((req, res) => {
	if (req.method === 'GET' && req.url === '/api/health') return void res.end('{"ok":true}');
	if (req.method !== 'POST' || req.url !== '/api/events') {
		res.statusCode = 404;
		return void res.end();
	}
	const chunks: Buffer[] = [];
	req.on('data', (chunk: Buffer) => chunks.push(chunk));
	req.on('end', () => {
		const { type, payload, county } = JSON.parse(Buffer.concat(chunks).toString());
		const event = { seq: ++seq, type, at: new Date().toISOString(), actor: 'dispatcher', path: { province: '370000', city: county.slice(0, 4) + '00', county, township: null, village: null }, payload };
		io.to([`region:${event.path.province}`, `region:${county}`]).emit('events', { from: event.seq, to: event.seq, prev: null, events: [event] });
		res.writeHead(201, { 'content-type': 'application/json' });
		res.end(JSON.stringify({ seq: event.seq }));
	});
});

io.attach(server);
io.on('connection', (socket) => {
	socket.on('subscribe', (request: { region?: unknown }, ack: (answer: unknown) => void) => {
		if (typeof request?.region !== 'string' || typeof ack !== 'function') return;
		void socket.join(`region:${request.region}`);
		ack({ ok: true, replayed: 0, head: seq });
	});
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log('bare socket.io server listening'));
process.on('SIGTERM', () => process.exit(0));
