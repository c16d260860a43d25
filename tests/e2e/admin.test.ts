import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { appDatabase, baseUrl } from '../helpers/api';
import { launch, newPage, SCREENSHOTS, signIn } from '../helpers/browser';

const sql = appDatabase();
const run = Math.random().toString(36).slice(2, 7);
// the kiosk token this file makes and revokes, whose audit rows it then reads
const tokenName = `德州市演示大屏 ${run}`;

/** Types into a region picker and picks the option that names `name`. */
async function pickRegion(page: Page, label: string, typed: string, name: string) {
	const input = page.getByLabel(label, { exact: true });
	await input.fill(typed);
	const option = page.getByRole('option', { name: new RegExp(name) }).first();
	await option.waitFor({ timeout: 10_000 });
	await option.click();
}

describe('the admin pages', () => {
	let browser: Browser;
	let page: Page;
	beforeAll(async () => {
		browser = await launch();
		page = await newPage(browser, { viewport: { width: 1400, height: 900 } });
		await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl() });
		await signIn(page, 'admin');
		await page.waitForURL(`${baseUrl()}/admin`);
	});
	afterAll(async () => {
		await browser?.close();
		await sql.end();
	});

	it('creates a user with name, unit and phone, the scope picked by name', async () => {
		await page.goto(`${baseUrl()}/admin`);
		const username = `e2e-${run}`;
		await page.getByLabel('用户名', { exact: true }).fill(username);
		await pickRegion(page, '管辖范围', '临邑', '临邑县');
		await page.getByLabel('初始密码').fill('a long enough password');
		await page.getByLabel('姓名').fill('李明');
		await page.getByLabel('单位').fill('临邑县卫生健康局');
		await page.getByLabel('电话').fill('0534-4212345');
		await page.getByRole('button', { name: '创建用户' }).click();
		await page.getByText(`已创建用户 ${username}`).waitFor({ timeout: 10_000 });
		const row = page.getByTestId(`user-${username}`);
		await expect(row.textContent()).resolves.toMatch(/李明\s*临邑县卫生健康局\s*0534-4212345\s*县级用户\s*临邑县\s*371424/);
		const [stored] = await sql`select scope_region, full_name, unit, phone from app_user where username = ${username}`;
		expect(stored).toEqual({ scope_region: '371424', full_name: '李明', unit: '临邑县卫生健康局', phone: '0534-4212345' });
		await page.screenshot({ path: `${SCREENSHOTS}/admin-users.png`, fullPage: true });
	});

	it('shows a new kiosk token in a fixed-width face, copies it, and asks before revoking it', async () => {
		await page.goto(`${baseUrl()}/admin/kiosk`);
		const name = tokenName;
		await page.getByLabel('名称').fill(name);
		await pickRegion(page, '地区', '德州', '德州市');
		await page.getByRole('button', { name: '创建令牌' }).click();
		const value = page.getByTestId('created-token-value');
		await value.waitFor({ timeout: 10_000 });
		const token = (await value.textContent())!.trim();
		expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
		const font = await value.evaluate((el) => getComputedStyle(el).fontFamily);
		expect(font).toMatch(/Mono|monospace/);
		// every character as wide as the next: "_" and "-" take their own place
		const widths = await value.evaluate((el) => {
			const probe = (text: string) => {
				const span = document.createElement('span');
				span.textContent = text;
				el.appendChild(span);
				const width = span.getBoundingClientRect().width;
				span.remove();
				return width;
			};
			return [probe('____'), probe('MMMM'), probe('iiii')];
		});
		expect(Math.max(...widths) - Math.min(...widths)).toBeLessThan(1);
		await page.getByRole('button', { name: '复制令牌' }).click();
		await page.getByText('令牌已复制').waitFor({ timeout: 5_000 });
		expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
		const [stored] = await sql`select region_code from kiosk_token where name = ${name}`;
		expect(stored.region_code).toBe('371400');
		await page.screenshot({ path: `${SCREENSHOTS}/admin-kiosk-created.png`, fullPage: true });

		// revoking asks first: cancelled, the token stays; confirmed, it is revoked
		await page.getByRole('button', { name: `吊销 ${name}` }).click();
		const dialog = page.getByTestId('revoke-dialog');
		await dialog.getByText(`吊销大屏令牌「${name}」？`).waitFor();
		await page.screenshot({ path: `${SCREENSHOTS}/admin-kiosk-revoke.png` });
		await dialog.getByRole('button', { name: '取消' }).click();
		expect((await sql`select revoked_at from kiosk_token where name = ${name}`)[0].revoked_at).toBeNull();
		await page.getByRole('button', { name: `吊销 ${name}` }).click();
		await dialog.getByRole('button', { name: '确认吊销' }).click();
		await page.getByText('令牌已吊销').waitFor({ timeout: 10_000 });
		expect((await sql`select revoked_at from kiosk_token where name = ${name}`)[0].revoked_at).not.toBeNull();
	});

	it('reads the audit log in words, with what changed rather than raw records', async () => {
		await page.goto(`${baseUrl()}/admin/audit?entity=kiosk_token&actor=admin`);
		// other files make tokens as admin meanwhile: this file's token's rows, newest first, are the ones read
		const [{ id }] = await sql`select id from kiosk_token where name = ${tokenName}`;
		const ours = page.getByTestId('audit-row').filter({ has: page.getByTestId('audit-entity').filter({ hasText: new RegExp(`#${id}$`) }) });
		await expect(ours.count()).resolves.toBe(2);
		const first = ours.first();
		await expect(first.getByTestId('audit-action').textContent()).resolves.toBe('吊销');
		await expect(first.getByTestId('audit-entity').textContent()).resolves.toMatch(/^大屏令牌/);
		await expect(first.getByTestId('audit-change').textContent()).resolves.toMatch(/已吊销\s*否\s*→\s*是/);
		await page.goto(`${baseUrl()}/admin/audit`);
		await page.getByTestId('audit-row').first().waitFor();
		await page.screenshot({ path: `${SCREENSHOTS}/admin-audit.png`, fullPage: false });
		// a hundred rows of field events stay a readable page, not a wall of JSON
		const height = await page.evaluate(() => document.documentElement.scrollHeight);
		expect(height).toBeLessThan(100 * 120);
		expect(await page.getByTestId('audit-table').textContent()).not.toMatch(/"updated_at"|\{"/);
	});
});
