import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { appDatabase, baseUrl } from '../helpers/api';
import { launch, newPage, SCREENSHOTS, signIn } from '../helpers/browser';
import { csv, gbk } from '../helpers/imports';

const sql = appDatabase();

/** Clinics whose village has no other clinic and which lack a doctor: staffing each closes a gap. */
async function gapClinics(n: number) {
	return (await sql`
		select f.id, f.name, f.region_code from facility f join region v on v.code = f.region_code
		where f.kind = 'village_clinic' and f.standard_met and f.doctors = 0 and f.licensed_doctors = 0 and v.exempt is null
			and f.county_code like any(array['3704%', '3705%', '3706%'])
			and not exists (select 1 from facility o where o.region_code = f.region_code and o.id <> f.id and o.kind = 'village_clinic')
		order by f.id limit ${n}`) as unknown as { id: string; name: string; region_code: string }[];
}

const HEADER = ['机构代码', '机构名称', '机构类型', '所在地代码', '乡村医生数', '执业(助理)医师数', '是否达标'];

describe('the imports page', () => {
	let browser: Browser;
	beforeAll(async () => {
		browser = await launch();
	});
	afterAll(async () => {
		await browser?.close();
		await sql.end();
	});

	it('previews a GBK file with two bad rows, takes the fixed file, and the wall’s figures change', async () => {
		const clinics = await gapClinics(4);
		expect(clinics).toHaveLength(4);
		const row = (c: (typeof clinics)[number], kind = '村卫生室', doctors: string | number = 1) => [c.id, c.name, kind, c.region_code, doctors, 0, '是'];

		// the wall as a leader sees it, open while the admin works
		const wall = await newPage(browser, { viewport: { width: 1920, height: 1080 } });
		await signIn(wall, 'leader');
		await wall.waitForURL(`${baseUrl()}/`);
		await wall.goto(`${baseUrl()}/wall?tour=0&indicator=gaps`);
		await wall.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: 60_000 });
		const gapsBefore = Number(await wall.getByTestId('kpi-gaps').getAttribute('data-value'));

		const page = await newPage(browser, { viewport: { width: 1400, height: 1000 } });
		await signIn(page, 'admin');
		await page.waitForURL(`${baseUrl()}/admin`);
		await page.goto(`${baseUrl()}/admin/imports`);
		await page.getByRole('radio', { name: '医疗机构' }).check();
		await expect(page.getByTestId('import-columns').textContent()).resolves.toContain('所在地代码');

		const bad = csv([HEADER, row(clinics[0]), row(clinics[1]), row(clinics[2], '诊所'), row(clinics[3], '村卫生室', '负一')]);
		await page.getByLabel('2. 选择文件').setInputFiles({ name: '卫生室人员.csv', mimeType: 'text/csv', buffer: Buffer.from(gbk(bad)) });
		await page.getByRole('button', { name: '3. 检查文件' }).click();
		await page.getByTestId('import-errors').waitFor({ timeout: 30_000 });
		const errors = page.getByTestId('import-error');
		await expect(errors.count()).resolves.toBe(2);
		expect([await errors.nth(0).getAttribute('data-row'), await errors.nth(0).getAttribute('data-field')]).toEqual(['4', 'kind']);
		expect([await errors.nth(1).getAttribute('data-row'), await errors.nth(1).getAttribute('data-field')]).toEqual(['5', 'doctors']);
		expect(await errors.nth(0).textContent()).toMatch(/第 4 行\s*机构类型\s*.*诊所/);
		expect(await errors.nth(1).textContent()).toMatch(/第 5 行\s*乡村医生数/);
		await expect(page.getByRole('button', { name: /确认导入/ }).count()).resolves.toBe(0);
		await page.screenshot({ path: `${SCREENSHOTS}/admin-imports-errors.png`, fullPage: true });
		// nothing was written
		expect((await sql`select count(*)::int as n from facility where id = any(${clinics.map((c) => c.id)}) and doctors > 0`)[0].n).toBe(0);

		const fixed = csv([HEADER, ...clinics.map((c) => row(c))]);
		await page.getByLabel('2. 选择文件').setInputFiles({ name: '卫生室人员（改）.csv', mimeType: 'text/csv', buffer: Buffer.from(gbk(fixed)) });
		await page.getByRole('button', { name: '3. 检查文件' }).click();
		await page.getByTestId('import-summary').waitFor({ timeout: 30_000 });
		await expect(page.getByTestId('summary-updated').textContent()).resolves.toBe('4');
		await page.getByRole('button', { name: /确认导入 4 条变更/ }).click();
		await page.getByText('导入完成').waitFor({ timeout: 30_000 });
		await page.getByTestId('import-history').getByText('卫生室人员（改）.csv').waitFor({ timeout: 10_000 });
		await page.screenshot({ path: `${SCREENSHOTS}/admin-imports-done.png`, fullPage: true });

		// the wall moves by itself: four gaps fewer (other tests may move it too, so at least four)
		await wall.waitForFunction((before) => Number(document.querySelector('[data-testid="kpi-gaps"]')?.getAttribute('data-value')) <= before - 4, gapsBefore, { timeout: 15_000 });
		await wall.screenshot({ path: `${SCREENSHOTS}/wall-after-import.png` });
		await wall.close();
		await page.close();
	});
});
