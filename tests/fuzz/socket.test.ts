import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { appDatabase, call, connect, login } from '../helpers/api';

const sql = appDatabase();
afterAll(() => sql.end());

describe('fuzzing the socket', () => {
	it('answers every subscribe message with an ack, stays connected and writes nothing', async () => {
		// an officer of its own: other files post as the demo officer meanwhile
		const admin = await login('admin', 'demo-password', '10.78.0.2');
		const officer = { username: 'fz-socket-officer', password: 'long enough password', role: 'county_officer', scope: '371424' };
		expect((await call('/api/users', { cookie: admin, method: 'POST', json: officer })).status).toBe(201);
		const socket = await connect({ cookie: await login(officer.username, officer.password, '10.78.0.1') });
		const [before] = await sql`select count(*) from event where actor = ${officer.username}`;
		const rooms = fc.oneof(fc.constantFrom('370000', '371424', '371400', '620000', '', 'region:370000', '__proto__', '371424\u0000', '\u0000'), fc.stringMatching(/^\d{1,13}$/));
		const message = fc.oneof(
			fc.anything(),
			fc.record({ region: fc.oneof(rooms, fc.anything()), after: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.anything()) }, { requiredKeys: [] })
		);
		await fc.assert(
			fc.asyncProperty(message, async (m) => {
				const ack = await socket.timeout(5_000).emitWithAck('subscribe', m as never);
				expect(typeof ack.ok).toBe('boolean');
				// a county officer subscribes to its own county and nothing wider or elsewhere
				if (ack.ok) expect((m as { region: string }).region).toMatch(/^371424(\d{3}|\d{6})?$/);
				expect(socket.connected).toBe(true);
			}),
			{ numRuns: 150 }
		);
		// messages without an ack, or of names the server does not know, are ignored
		const raw = socket as unknown as { emit: (name: string, ...args: unknown[]) => void };
		for (const m of [null, 42, 'x', { region: '371424' }]) raw.emit('subscribe', m);
		raw.emit('unknown', { region: '370000' });
		const ack = await socket.timeout(5_000).emitWithAck('subscribe', { region: '371424' });
		expect(ack.ok).toBe(true);
		const [after] = await sql`select count(*) from event where actor = ${officer.username}`;
		expect(after.count).toBe(before.count);
		socket.close();
	});
});
