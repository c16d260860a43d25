import { createHash } from 'node:crypto';
import { sql as defaultSql, type Sql } from '../db';
import { ApiError } from '../http/errors';
import { checkRetry, requestDigest } from '../events/write/idempotency';
import { commitPlan } from '../events/write/post';
import { lockTeam } from '../events/write/planners/teams';
import type { UserViewer } from '../events/write/planners';
import type { EvidenceFile } from '../events/write/planners/problems';

/**
 * A team's photos from the field: uploaded one at a time before the finding that carries them,
 * then moved by the finding into its problem's evidence (the ledger's store, problem_evidence),
 * where the county reads them under the problem's scope. What a phone's camera writes into a
 * JPEG besides the picture — the device, the owner, the place (EXIF, XMP) — is left out: the
 * county sees the problem, not who went or where from.
 */
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif']);

/**
 * A JPEG without its APPn segments other than JFIF (APP0) and the colour profile (APP2) and
 * without comments: Exif and XMP (APP1) and IPTC (APP13) carry who took it, with what, where.
 * Anything that is not a well-formed JPEG head is returned as it came.
 */
export function withoutMetadata(bytes: Uint8Array): Uint8Array {
	if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return bytes;
	const kept: Uint8Array[] = [bytes.subarray(0, 2)];
	let at = 2;
	while (at + 4 <= bytes.length && bytes[at] === 0xff) {
		const marker = bytes[at + 1];
		// start of scan: the picture itself, kept whole from here
		if (marker === 0xda) break;
		const length = (bytes[at + 2] << 8) | bytes[at + 3];
		if (length < 2 || at + 2 + length > bytes.length) return bytes;
		const app = marker >= 0xe0 && marker <= 0xef;
		const drop = (app && marker !== 0xe0 && marker !== 0xe2) || marker === 0xfe;
		if (!drop) kept.push(bytes.subarray(at, at + 2 + length));
		at += 2 + length;
	}
	kept.push(bytes.subarray(at));
	const out = new Uint8Array(kept.reduce((n, part) => n + part.length, 0));
	let offset = 0;
	for (const part of kept) {
		out.set(part, offset);
		offset += part.length;
	}
	return out;
}

export interface Photo {
	id: number;
	name: string;
	type: string;
	size: number;
}

/** Keeps a photo for the team's next finding; a retry with the same key gets the same photo. */
export async function addPhoto(viewer: UserViewer, team: string, file: EvidenceFile, key: string | null, db: Sql = defaultSql): Promise<Photo> {
	if (!PHOTO_TYPES.has(file.type)) throw new ApiError(415, 'unsupported_media_type', '现场照片应为图片（JPEG、PNG、WebP、GIF）');
	const content = file.type === 'image/jpeg' ? withoutMetadata(file.content) : file.content;
	const sha256 = createHash('sha256').update(content).digest('hex');
	// the key is bound to this upload: the team, and the file as it was sent (name, type, bytes)
	const digest = key === null ? null : requestDigest(viewer.username, 'team.photo', { team, name: file.name, type: file.type, sha256: createHash('sha256').update(file.content).digest('hex') });
	let photo: Photo | null = null;
	await commitPlan(
		viewer,
		'team.photo',
		async (tx) => {
			const { team: row, province } = await lockTeam(tx, team, viewer);
			return {
				entity: 'team_photo',
				entityId: null,
				subject: province.code,
				subjectRegion: province,
				counts: false,
				before: null,
				mayPost: async () => true,
				apply: async (tx) => {
					const [inserted] = await tx`
						insert into team_photo (team_id, uploaded_by, idempotency_key, request_digest, name, media_type, size, sha256, content)
						values (${row.id}, ${viewer.username}, ${key}, ${digest}, ${file.name}, ${file.type}, ${content.byteLength}, ${sha256}, ${Buffer.from(content)})
						on conflict (uploaded_by, idempotency_key) do nothing
						returning id, name, media_type, size`;
					const [kept] = inserted
						? [inserted]
						: await tx`select id, name, media_type, size, request_digest from team_photo where uploaded_by = ${viewer.username} and idempotency_key = ${key}`;
					if (!inserted) checkRetry(kept.request_digest, digest!);
					photo = { id: Number(kept.id), name: kept.name, type: kept.media_type, size: kept.size };
					return { ...photo, team: row.id };
				},
				events: () => []
			};
		},
		db
	);
	return photo!;
}

