import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { RowCheck, type Cell } from '../../src/lib/server/imports/cells';
import { decodeText, guessEncoding } from '../../src/lib/server/imports/decode';
import { headerKey, readHeader } from '../../src/lib/server/imports/header';
import { IMPORT_COLUMNS } from '../../src/lib/types/imports';

const check = (cells: Record<string, Cell>) =>
	new RowCheck(2, new Map(Object.entries(cells)), new Map(IMPORT_COLUMNS.patients.map((c) => [c.key, c])));

describe('reading cells as offices write them', () => {
	it.each([
		['2020-01-05', '2020-01-05'],
		['2020/1/5', '2020-01-05'],
		['2020.1.5', '2020-01-05'],
		['2020年1月5日', '2020-01-05'],
		['２０２０年１月５日', '2020-01-05'],
		['20200105', '2020-01-05'],
		['2020-01-05 00:00:00', '2020-01-05'],
		['43835', '2020-01-05'],
		[43835, '2020-01-05'],
		[new Date(Date.UTC(2020, 0, 5)), '2020-01-05']
	])('reads the day %s as %s', (cell, day) => {
		const c = check({ identified_on: cell });
		expect(c.date('identified_on', true)).toBe(day);
		expect(c.errors).toEqual([]);
	});

	it.each(['0000-01-01', '2020-02-30', '2019-02-29', '2020-13-01', '1899-12-31', '1900-01-01', '1999-12-31', '2101-01-01', 'yesterday', '5/1/2020'])('refuses the day %s, naming the column', (cell) => {
		const c = check({ identified_on: cell });
		expect(c.date('identified_on', true)).toBeNull();
		expect(c.errors).toEqual([{ row: 2, field: 'identified_on', message: expect.stringContaining('「识别日期」不是有效的日期') }]);
	});

	it('reads full-width digits, thousands separators and yes/no words', () => {
		const c = check({ a: '１，２３４', b: ' 是 ', c: 'FALSE', d: '√', e: 1 });
		expect(c.number('a', { required: true, min: 0, max: 10_000, integer: true })).toBe(1234);
		expect([c.bool('b'), c.bool('c'), c.bool('d'), c.bool('e')]).toEqual([true, false, true, true]);
		expect(c.errors).toEqual([]);
	});

	it('explains a code Excel turned into scientific notation', () => {
		const c = check({ village_code: '3.71424E+11' });
		expect(c.code('village_code', /^\d{12}$/, '12位数字')).toBeNull();
		expect(c.errors[0].message).toMatch(/科学计数法/);
	});

	it('takes coded values by identifier or by any of their Chinese words, and lists the words when neither', () => {
		const c = check({ category: '慢性病', other: 'serious_illness', bad: '心脏病' });
		const words = { serious_illness: ['大病'], chronic: ['慢病', '慢性病'] };
		expect(c.word('category', words, true)).toBe('chronic');
		expect(c.word('other', words, true)).toBe('serious_illness');
		expect(c.word('bad', words, true)).toBeNull();
		expect(c.errors[0].message).toMatch(/应为 大病、慢病 之一/);
	});

	it('drops the apostrophe an export puts before text a spreadsheet would take for a formula', () => {
		expect(check({ disease: "'=HYPERLINK()" }).text('disease', { required: true, max: 60 })).toBe('=HYPERLINK()');
	});
});

describe('the header', () => {
	it('matches English and Chinese names in any order, ignoring case, spaces, full-width forms and notes in brackets', () => {
		expect(headerKey(' Village_Code ')).toBe(headerKey('villagecode'));
		expect(headerKey('人口（人）')).toBe(headerKey('人口'));
		const header = readHeader('villages', ['纬度', '名称 ', 'CODE', '乡镇代码', 'lon', '备注'], 1);
		expect(header.errors).toEqual([]);
		expect(Object.fromEntries(header.positions)).toEqual({ lat: 0, name: 1, code: 2, township_code: 3, lon: 4 });
		expect(header.ignored).toEqual(['备注']);
	});
});

describe('telling the encoding of a CSV file', () => {
	const text = '代码,名称\r\n370202001201,八大关村\r\n';
	const decode = async (bytes: Uint8Array, chunk = 7) => {
		const parts = async function* () {
			for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
		};
		let out = '';
		for await (const piece of decodeText(parts())) out += piece;
		return out;
	};

	it('reads UTF-8 with and without its byte-order mark, and GBK as Excel writes it, cut into any chunks', async () => {
		const utf8 = new TextEncoder().encode(text);
		expect(await decode(utf8)).toBe(text);
		expect(await decode(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]))).toBe(text);
		expect(await decode(new Uint8Array(iconv.encode(text, 'gbk')), 3)).toBe(text);
		expect(guessEncoding(new Uint8Array(iconv.encode(text, 'gbk')), true)).toBe('gb18030');
	});

	it('refuses UTF-16 with a hint what to save instead', () => {
		expect(() => guessEncoding(new Uint8Array([0xff, 0xfe, 0x31, 0]), false)).toThrow(/UTF-16/);
	});
});
