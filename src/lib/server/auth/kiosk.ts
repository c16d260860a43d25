import { z } from 'zod';
import { sql } from '../db';
import { ApiError } from '../http/errors';
import { audit } from './audit';
import { findRegion } from '../geo/regions';
import { grantable, grantableRegion, grantableWhere } from './scope';
import { digest, newToken } from './tokens';
import type { Viewer } from './viewer';

export const kioskTokenInput = z.object({
	name: z.string().trim().min(1, '请填写名称').max(80, '名称最多80个字'),
	region: z.string().regex(/^\d{6}$/, '应为6位地区代码（省、市或县）')
});

/** A token for a wall screen of `region`, which must lie inside the admin's own scope. */
export async function createKioskToken(admin: Viewer, name: string, region: string): Promise<{ id: number; token: string }> {
	const token = newToken();
	return sql.begin(async (tx) => {
		const bound = await grantableRegion(admin, region, 'region', tx);
		if (!bound || !['province', 'city', 'county'].includes(bound.level)) throw new ApiError(422, 'invalid_region', '大屏令牌须绑定到省、市或县', [{ field: 'region', message: '地区不存在或层级不对' }]);
		const [row] = await tx`
			insert into kiosk_token (name, region_code, token_hash, created_by)
			values (${name}, ${region}, ${digest(token)}, ${admin.kind === 'user' ? admin.username : 'system'})
			returning id
		`;
		await audit(tx, admin, { action: 'create', entity: 'kiosk_token', entityId: row.id, after: { name, region } });
		return { id: Number(row.id), token };
	});
}

/** Revokes a token of the admin's scope; returns false if there was no such live token. */
export async function revokeKioskToken(admin: Viewer, id: number): Promise<boolean> {
	return sql.begin(async (tx) => {
		const [row] = await tx`select id, name, region_code from kiosk_token where id = ${id} and revoked_at is null for update`;
		const region = row ? await findRegion(row.region_code, tx) : null;
		if (!row || !region || !grantable(admin, region)) return false;
		await tx`update kiosk_token set revoked_at = now() where id = ${id}`;
		await audit(tx, admin, { action: 'revoke', entity: 'kiosk_token', entityId: id, before: { name: row.name, region: row.region_code, revoked: false }, after: { revoked: true } });
		return true;
	});
}

/** The tokens of regions inside the admin's scope. */
export async function listKioskTokens(admin: Viewer) {
	return sql`
		select k.id, k.name, k.region_code as region, r.name as region_name, k.created_by, k.created_at, k.revoked_at
		from kiosk_token k join region r on r.code = k.region_code
		where ${grantableWhere(sql, admin, 'r')}
		order by k.id desc
	`;
}

export async function kioskViewer(token: string | undefined | null): Promise<Viewer | null> {
	if (!token || token.length > 100) return null;
	const [row] = await sql`
		select k.id, k.name, r.level, r.code, r.name as region_name
		from kiosk_token k join region r on r.code = k.region_code
		where k.token_hash = ${digest(token)} and k.revoked_at is null
	`;
	if (!row) return null;
	return { kind: 'kiosk', id: Number(row.id), name: row.name, scope: { level: row.level, code: row.code, name: row.region_name } };
}
